// gemba export: an HF model directory (a training checkpoint) -> one GGUF file for the engine
// and llama.cpp. The conversion (tensor names, q/k RoPE row permutation, quantization,
// tokenizer metadata) is the engine's convert_hf_to_gguf; this verb only parses and calls it.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/verb.h"
#include "core/error.h"
#include "engine/convert-hf-to-gguf.h"
#include "format/gguf.h"

namespace {

struct ExportOptions {
  std::string from, out, type = "f16";
  int threads = 0;
};

gemba::cli::VerbRegistration export_registration{
    "export", "Convert an HF model directory (e.g. a training run) to a GGUF file", [](CLI::App& app) {
      auto o = std::make_shared<ExportOptions>();
      app.add_option("--from", o->from, "HF model directory (config.json, model.safetensors, tokenizer)")->required();
      app.add_option("-o,--out", o->out, "Output .gguf file")->required();
      app.add_option("--type", o->type, "Weight type: f32, f16, q8_0 or q4_0")->capture_default_str();
      app.add_option("--threads", o->threads, "Quantization threads (0: all)")->capture_default_str();
      return [o] {
        const auto type = gemba::format::parse_ggml_type(o->type);
        using gemba::format::GgmlType;
        if (type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::Q8_0 && type != GgmlType::Q4_0)
          gemba::fail("--type ", o->type, ": use f32, f16, q8_0 or q4_0 (gemba quantize offers more)");
        gemba::engine::convert_hf_to_gguf(o->from, o->out, type, o->threads);
        std::printf("%s\n", o->out.c_str());
        return 0;
      };
    }};

}  // namespace
