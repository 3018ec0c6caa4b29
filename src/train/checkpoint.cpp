#include "train/checkpoint.h"

#include <filesystem>

#include "core/atomic-output.h"
#include "core/error.h"
#include "train/lora.h"

namespace gemba::train {

namespace fs = std::filesystem;

namespace {

Json lora_json(const LoraOptions& o) {
  return {{"r", o.rank}, {"lora_alpha", o.alpha}, {"lora_dropout", o.dropout}, {"targets", o.targets}};
}

std::string describe(const Json& lora) { return lora.is_null() ? "no LoRA" : "LoRA " + lora.dump(); }

// Resuming must rebuild the model the checkpoint was trained as: the same LoRA (or none).
void check_lora_matches(const std::string& dir, LlamaForCausalLM& model) {
  const std::string path = dir + "/" + kLoraStateFile;
  const Json saved = fs::exists(path) ? read_json_file(path) : Json();
  const Json now = has_lora(model) ? lora_json(lora_options_of(model)) : Json();
  if (saved != now)
    fail(dir, ": the checkpoint was trained with ", describe(saved), " but this run has ", describe(now),
         "; resume with the LoRA settings (--lora-*) of the run that wrote it");
}

}  // namespace

void write_training_checkpoint(const std::string& dir, LlamaForCausalLM& model, torch::optim::Optimizer& optimizer,
                               const Json& state, const std::string& tokenizer_dir) {
  AtomicDir out(dir);
  write_hf_files_with_adapters(model, out.temp_path(), tokenizer_dir);
  if (has_lora(model)) write_json_file(out.file(kLoraStateFile), lora_json(lora_options_of(model)));

  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  archive.write("gemba.rng_cpu", at::detail::getDefaultCPUGenerator().get_state());
  archive.save_to(out.file(kOptimizerFile));

  write_json_file(out.file(kTrainerStateFile), state);
  out.commit();
}

Json read_training_checkpoint(const std::string& dir, LlamaForCausalLM& model, torch::optim::Optimizer& optimizer) {
  Json state = read_json_file(dir + "/" + kTrainerStateFile);
  json_require<int64_t>(state, "step", dir + "/" + kTrainerStateFile);
  check_lora_matches(dir, model);
  load_hf_weights(model, dir);
  const std::string opt_path = dir + "/" + kOptimizerFile;
  if (!fs::exists(opt_path)) fail(opt_path, ": missing; this checkpoint cannot be resumed (use it as --base instead)");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(opt_path);
    optimizer.load(archive);
    torch::Tensor rng;
    if (archive.try_read("gemba.rng_cpu", rng)) {
      at::Generator gen = at::detail::getDefaultCPUGenerator();
      gen.set_state(rng);
    }
  } catch (const c10::Error& e) {
    fail(opt_path, ": cannot read the optimizer state (", e.what_without_backtrace(),
         "); was the checkpoint written for a different model or trainable set?");
  }
  return state;
}

std::string resolve_checkpoint_dir(const std::string& dir) {
  if (fs::exists(fs::path(dir) / kTrainerStateFile)) return dir;
  fs::path sub = fs::path(dir) / kCheckpointSubdir;
  if (fs::exists(sub / kTrainerStateFile)) return sub.string();
  fail("--resume ", dir, ": no ", kTrainerStateFile, " in it or in its ", kCheckpointSubdir,
       "/ folder; pass a run directory written by gemba pretrain/cpt or its checkpoint folder");
}

}  // namespace gemba::train
