// gemba merge: fold LoRA adapters into a base model so it runs without them at full speed.
// HF directory -> HF directory (model.safetensors in the base dtype, config and tokenizer
// files copied), GGUF -> GGUF. W += scale * (alpha / r) * B A per adapter, in f32.
#include "cli/verb.h"
#include "engine/lora-merge.h"

namespace gemba::cli {
namespace {

struct MergeArgs {
  std::string base, out;
  std::vector<std::string> adapters;
  int threads = 0;
};

int merge_verb(const MergeArgs& a) {
  std::vector<engine::ScaledLora> adapters;
  for (const std::string& spec : a.adapters) {
    const engine::LoraSpec s = engine::parse_lora_spec(spec);
    adapters.push_back({engine::read_lora_adapter(s.path), s.scale});
  }
  engine::merge_lora(a.base, adapters, a.out, a.threads);
  return 0;
}

VerbRegistration merge_registration{"merge", "Merge LoRA adapters (PEFT directory or GGUF adapter) into a base model (HF directory or GGUF)",
                     [](CLI::App& app) {
                       auto a = std::make_shared<MergeArgs>();
                       app.add_option("--base", a->base, "base model: HF directory or GGUF file")->required();
                       app.add_option("--adapter", a->adapters,
                                      "LoRA adapter FILE[:scale] (PEFT directory or GGUF adapter; repeatable; scale default 1)")
                           ->required();
                       app.add_option("-o,--output", a->out, "output: a directory for an HF base, a .gguf file for a GGUF base")->required();
                       app.add_option("-t,--threads", a->threads, "threads (0: all)");
                       return [a] { return merge_verb(*a); };
                     }};

}  // namespace
}  // namespace gemba::cli
