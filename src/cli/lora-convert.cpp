// gemba lora-convert: a PEFT LoRA adapter directory -> a GGUF LoRA adapter in llama.cpp's
// format (loadable by `gemba run --lora` and llama.cpp's --lora). q/k rows are permuted for
// GGUF's RoPE layout, which needs the base model's head_dim (--base).
#include "cli/verb.h"
#include "engine/lora-gguf.h"

namespace gemba::cli {
namespace {

struct LoraConvertArgs {
  std::string in, out, base, type = "f32";
};

VerbRegistration lora_convert_registration{"lora-convert", "Convert a PEFT LoRA adapter directory to a GGUF LoRA adapter (llama.cpp format)",
                     [](CLI::App& app) {
                       auto a = std::make_shared<LoraConvertArgs>();
                       app.add_option("input", a->in, "PEFT adapter directory (adapter_config.json + adapter_model.safetensors)")->required();
                       app.add_option("output", a->out, "output .gguf")->required();
                       app.add_option("--base", a->base,
                                      "base model (HF directory or GGUF) for head_dim and shape checks (default: the adapter's "
                                      "base_model_name_or_path if local)");
                       app.add_option("--type", a->type, "f32, f16, bf16 or q8_0")->capture_default_str();
                       return [a] {
                         engine::convert_peft_to_gguf(a->in, a->out, a->base, format::parse_ggml_type(a->type));
                         return 0;
                       };
                     }};

}  // namespace
}  // namespace gemba::cli
