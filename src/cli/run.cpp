// gemba run: complete one prompt. The generated text alone goes to stdout (streamed), logs
// and timings to stderr, so scripts can capture the answer.
#include <unistd.h>

#include <cstdio>

#include "cli/generation-options.h"
#include "cli/grounding-flags.h"
#include "cli/verb.h"
#include "core/atomic-output.h"
#include "core/log.h"
#include "core/nfkc.h"
#include "engine/generator.h"
#include "engine/lora-apply.h"
#include "engine/model-bundle.h"
#include "tokenizer/chat-template.h"

namespace gemba::cli {
namespace {

struct RunArgs {
  GenerationFlags gen;
  GroundingFlags grounding;
  std::string prompt;
  std::string prompt_file;
  bool no_bos = false;
  bool chat = false;  // the prompt is one user message, in the model's chat template
};

int run_verb(const RunArgs& a) {
  if (a.prompt.empty() == a.prompt_file.empty()) fail("gemba run: give the prompt with -p TEXT or -f FILE (one of them)");
  std::string prompt = a.prompt_file.empty() ? a.prompt : read_file(a.prompt_file);
  // --index: the prompt is a question, asked with the manual excerpts found for it.
  const std::optional<index::PassageIndex> idx = a.grounding.open();
  index::Grounding grounding;
  if (idx) {
    grounding = index::ground(prompt, *idx, a.grounding.options());
    prompt = index::grounded_user_message(prompt, grounding);
  }
  const bool chat = a.chat || idx.has_value();
  engine::ModelBundle b = engine::load_model_bundle(a.gen.model, a.gen.threads);
  const auto lora = engine::attach_lora_adapters(*b.model, a.gen.lora);  // outlives every forward below
  const auto& cfg = b.model->config();
  log_info("model ", a.gen.model, ": ", cfg.n_layers, " layers, hidden ", cfg.hidden_size, ", ",
           b.model->weights().main_type, ", ", b.model->n_threads(), " threads, kernels ", engine::active_kernel_set());
  // --chat: a one-turn question (it may span lines, which `gemba chat` would take as turns).
  const std::vector<int32_t> ids =
      chat ? tokenizer::encode_chat(*b.tokenizer, b.chat_template.value_or(tokenizer::ChatTemplate::kGembaPlain),
                                      {{"user", prompt}}, /*add_generation_prompt=*/true)
                   .ids
             : b.tokenizer->encode(nfkc(prompt, "--prompt"), b.add_bos && !a.no_bos);
  engine::KvCache cache = b.model->new_cache(a.gen.ctx, engine::parse_kv_type(a.gen.kv_type));
  engine::Generator gen(*b.model, *b.tokenizer);
  const engine::GenerateResult r = gen.generate(cache, ids, a.gen.options(), [](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  if (isatty(STDOUT_FILENO) || idx) std::fputc('\n', stdout);
  if (idx) print_sources(stdout, r.text, grounding);
  const int64_t n_gen = static_cast<int64_t>(r.tokens.size());
  log_info("prompt ", r.n_prompt, " tokens in ", r.prefill_seconds, " s (",
           r.prefill_seconds > 0 ? r.n_prompt / r.prefill_seconds : 0.0, " tok/s); generated ", n_gen, " tokens, ",
           n_gen > 1 && r.decode_seconds > 0 ? (n_gen - 1) / r.decode_seconds : 0.0, " tok/s; finish: ",
           engine::finish_reason_name(r.finish));
  return 0;
}

VerbRegistration run_registration{"run", "Generate a completion of a prompt (text on stdout, logs on stderr)", [](CLI::App& app) {
                       auto a = std::make_shared<RunArgs>();
                       a->gen.add_to(app, 128);
                       app.add_option("-p,--prompt", a->prompt, "prompt text (as given; BOS added as the model says)");
                       app.add_option("-f,--file", a->prompt_file, "read the prompt from a file");
                       app.add_flag("--chat", a->chat, "the prompt is one user message: wrap it in the model's chat template");
                       app.add_flag("--no-bos", a->no_bos, "do not add the BOS token");
                       a->grounding.add_to(app);
                       return [a] { return run_verb(*a); };
                     }};

}  // namespace
}  // namespace gemba::cli
