// gemba mistakes: DPO pairs from the model's own mistakes on its training prompts
// (src/eval/mistake-pairs.h): chosen = the training answer, rejected = what the model said.
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/verb.h"
#include "core/atomic-output.h"
#include "core/progress.h"
#include "data/chat-data.h"
#include "engine/model-bundle.h"
#include "eval/mistake-pairs.h"

namespace {

struct Flags {
  std::string model, output, chat_template;
  std::vector<std::string> data;
  gemba::eval::MistakeMiningOptions mining;
  int threads = 0;
};

int run(const Flags& f) {
  using namespace gemba;
  std::vector<data::Conversation> conversations;
  for (const auto& path : f.data) {
    auto file = data::read_chat_data(path);
    for (const auto& w : file.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    conversations.insert(conversations.end(), file.conversations.begin(), file.conversations.end());
  }
  auto bundle = engine::load_model_bundle(f.model, f.threads);
  eval::MistakeMiningOptions options = f.mining;
  if (!f.chat_template.empty()) options.chat_template = tokenizer::parse_chat_template(f.chat_template);
  else if (bundle.chat_template) options.chat_template = *bundle.chat_template;

  std::optional<Progress> progress;  // the miner knows how many prompts it asks (single-turn, sampled)
  auto result = eval::mine_mistake_pairs(bundle, conversations, options, [&](size_t done, size_t total) {
    if (!progress) progress.emplace("mistakes", total, "prompt");
    progress->update(done);
  });
  if (progress) progress->finish();
  write_file_atomic(f.output, eval::mistake_pairs_to_jsonl(result.pairs));
  std::printf("asked %zu prompts: %zu answers name the training answer's values, %zu pairs from the rest "
              "(%zu cut short by --max-answer-tokens and %zu empty answers dropped; %zu conversations not single-turn, "
              "skipped)\nwrote %s\n",
              result.asked, result.agreed, result.pairs.size(), result.cut_short, result.empty_answers, result.not_single_turn,
              f.output.c_str());
  return 0;
}

gemba::cli::VerbRegistration mistakes_registration{
    "mistakes", "DPO pairs from a model's own mistakes: it answers its training prompts; wrong values become rejected answers",
    [](CLI::App& app) {
      auto f = std::make_shared<Flags>();
      app.add_option("-m,--model", f->model, "GGUF file or HF model directory (the SFT model)")->required();
      app.add_option("--data", f->data, "SFT data it was trained on: JSONL (messages, or question/answer) or CSV")
          ->required()
          ->delimiter(',')
          ->check(CLI::ExistingFile);
      app.add_option("-o,--output", f->output, "Output pairs JSONL (TRL format: prompt, chosen, rejected, id, differences)")
          ->required();
      app.add_option("--max-prompts", f->mining.max_prompts, "Ask only a seeded sample of this many prompts (0: all)")
          ->capture_default_str();
      app.add_option("--seed", f->mining.seed, "Seed of the sample")->capture_default_str();
      app.add_option("--max-answer-tokens", f->mining.max_answer_tokens, "Answer length cap")->capture_default_str();
      app.add_option("--parallel", f->mining.n_parallel, "Prompts answered together, one forward pass for all")
          ->capture_default_str()
          ->check(CLI::Range(1, 1024));
      app.add_option("--template", f->chat_template, "chat template: plain, llm-jp-3, llama-2 (default: the model's)");
      app.add_option("-t,--threads", f->threads, "threads (0: all)");
      return [f] { return run(*f); };
    }};

}  // namespace
