// gemba quantize: GGUF -> GGUF at another type, or HF directory -> GGUF (llama.cpp layout:
// q/k rows permuted for its RoPE, tokenizer carried over). Written atomically.
#include <filesystem>

#include "cli/verb.h"
#include "engine/convert-hf-to-gguf.h"
#include "engine/quantize-gguf.h"

namespace gemba::cli {
namespace {

struct QuantizeArgs {
  std::string in, out, type;
  int threads = 0;
};

int quantize_verb(const QuantizeArgs& a) {
  const format::GgmlType type = format::parse_ggml_type(a.type);
  if (std::filesystem::is_directory(a.in))
    engine::convert_hf_to_gguf(a.in, a.out, type, a.threads);
  else
    engine::quantize_gguf(a.in, a.out, type, a.threads);
  return 0;
}

VerbRegistration quantize_registration{"quantize", "Write a GGUF at q8_0, q4_0, f16, bf16 or f32 from a GGUF or an HF directory",
                     [](CLI::App& app) {
                       auto a = std::make_shared<QuantizeArgs>();
                       app.add_option("input", a->in, "GGUF file or HF model directory")->required();
                       app.add_option("output", a->out, "output .gguf")->required();
                       app.add_option("type", a->type, "q8_0, q4_0, f16, bf16 or f32")->required();
                       app.add_option("-t,--threads", a->threads, "threads (0: all)");
                       return [a] { return quantize_verb(*a); };
                     }};

}  // namespace
}  // namespace gemba::cli
