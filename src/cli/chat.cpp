// gemba chat: interactive multi-turn chat with streaming output. The conversation is
// tokenized with tokenizer::encode_chat (the same code the trainer uses), and the KV cache
// keeps the previous turns, so each turn only processes its new tokens.
// Commands: /reset (forget the conversation), /exit. Ctrl-C stops the current answer.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/generation-options.h"
#include "cli/grounding-flags.h"
#include "cli/verb.h"
#include "core/log.h"
#include "engine/generator.h"
#include "engine/lora-apply.h"
#include "engine/model-bundle.h"
#include "tokenizer/chat-template.h"

namespace gemba::cli {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<bool> g_generating{false};

void on_sigint(int) {
  if (g_generating.load()) {
    g_cancel.store(true);
  } else {
    _exit(130);
  }
}

struct ChatArgs {
  GenerationFlags gen;
  GroundingFlags grounding;
  std::string template_name;
  std::string system;
};

int chat_verb(const ChatArgs& a) {
  engine::ModelBundle b = engine::load_model_bundle(a.gen.model, a.gen.threads);
  const auto lora = engine::attach_lora_adapters(*b.model, a.gen.lora);  // outlives every forward below
  tokenizer::ChatTemplate tmpl = tokenizer::ChatTemplate::kGembaPlain;
  if (!a.template_name.empty())
    tmpl = tokenizer::parse_chat_template(a.template_name);
  else if (b.chat_template)
    tmpl = *b.chat_template;
  log_info("chat template ", tokenizer::chat_template_name(tmpl), "; /reset forgets the conversation, /exit quits");
  engine::KvCache cache = b.model->new_cache(a.gen.ctx, engine::parse_kv_type(a.gen.kv_type));
  engine::Generator gen(*b.model, *b.tokenizer);
  engine::GenerateOptions options = a.gen.options();
  options.cancel = &g_cancel;

  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);

  const std::optional<index::PassageIndex> idx = a.grounding.open();
  std::vector<tokenizer::ChatMessage> messages;
  if (!a.system.empty()) messages.push_back({"system", a.system});
  const bool interactive = isatty(STDIN_FILENO);
  for (;;) {
    if (interactive) {
      std::fputs("> ", stderr);
      std::fflush(stderr);
    }
    std::string line;
    if (!std::getline(std::cin, line)) break;
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      messages.clear();
      if (!a.system.empty()) messages.push_back({"system", a.system});
      cache.clear();
      log_info("conversation reset");
      continue;
    }
    if (line.empty()) continue;
    // --index: this turn is asked with the excerpts found for it; earlier turns stay plain.
    index::Grounding grounding;
    if (idx) grounding = index::ground(line, *idx, a.grounding.options());
    messages.push_back({"user", idx ? index::grounded_user_message(line, grounding) : line});
    const auto prompt = tokenizer::encode_chat(*b.tokenizer, tmpl, messages, true);
    messages.back().content = line;
    g_cancel.store(false);
    g_generating.store(true);
    engine::GenerateResult r;
    try {
      r = gen.generate(cache, prompt.ids, options, [](std::string_view piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
        return true;
      });
    } catch (const Error& e) {
      g_generating.store(false);
      messages.pop_back();
      log_error(e.what(), " (use /reset to start over)");
      continue;
    }
    g_generating.store(false);
    std::fputc('\n', stdout);
    if (idx) print_sources(stdout, r.text, grounding);
    std::fflush(stdout);
    messages.push_back({"assistant", r.text});
    const int64_t n = static_cast<int64_t>(r.tokens.size());
    log_debug("turn: ", r.n_prompt - r.n_prompt_reused, " new prompt tokens, ", n, " generated, ",
              n > 1 && r.decode_seconds > 0 ? (n - 1) / r.decode_seconds : 0.0, " tok/s, finish ",
              engine::finish_reason_name(r.finish));
  }
  return 0;
}

VerbRegistration chat_registration{"chat", "Interactive chat with a model (streaming, multi-turn, /reset, /exit)", [](CLI::App& app) {
                       auto a = std::make_shared<ChatArgs>();
                       a->gen.add_to(app, 512);
                       app.add_option("--template", a->template_name,
                                      "chat template: llm-jp-3, llama-2 or plain (default: from the model's metadata, else plain)");
                       app.add_option("--system", a->system, "system message");
                       a->grounding.add_to(app);
                       return [a] { return chat_verb(*a); };
                     }};

}  // namespace
}  // namespace gemba::cli
