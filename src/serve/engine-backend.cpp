#include "serve/engine-backend.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/nfkc.h"
#include "engine/generator.h"
#include "engine/kv-cache.h"
#include "engine/llama-model.h"
#include "engine/lora-apply.h"
#include "engine/model-bundle.h"
#include "engine/sampler.h"
#include "tokenizer/chat-template.h"
#include "tokenizer/tokenizer.h"

namespace gemba::serve {

namespace {

class EngineSequence : public Sequence {
 public:
  EngineSequence(engine::KvCache cache, const engine::SamplerParams& params) : cache(std::move(cache)), sampler(params) {}
  engine::KvCache cache;
  engine::Sampler sampler;
  std::vector<int32_t> history;  // prompt + generated: what the penalties look at
  std::vector<float> logits;     // [vocab] for the next token to sample
  int32_t pending = -1;          // sampled but not yet fed to the model
  int adapter = -1;              // index into the LoRA router, -1: the base model
};

}  // namespace

struct EngineBackend::Impl {
  std::unique_ptr<engine::LlamaModel> model;
  std::unique_ptr<tokenizer::Tokenizer> tok;
  std::unique_ptr<engine::Generator> generator;
  tokenizer::ChatTemplate chat_template = tokenizer::ChatTemplate::kGembaPlain;
  std::string model_id;
  bool add_bos = true;
  int ctx = 0;
  std::vector<float> batch_logits;
  engine::LoraRouter lora;               // attached to the model when any adapter is loaded
  std::vector<std::string> adapter_ids;  // model id of each router entry
};

EngineBackend::EngineBackend(const EngineBackendOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  // Loaded as `gemba run` / `gemba chat` load it: same tokenizer, BOS rule and template.
  engine::ModelBundle bundle = engine::load_model_bundle(options.model_path, options.threads);
  m.model = std::move(bundle.model);
  m.tok = options.tokenizer_path.empty()
              ? std::move(bundle.tokenizer)
              : std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::load(options.tokenizer_path));
  m.add_bos = bundle.add_bos;
  m.generator = std::make_unique<engine::Generator>(*m.model, *m.tok);
  if (!options.chat_template.empty()) m.chat_template = tokenizer::parse_chat_template(options.chat_template);
  else if (bundle.chat_template) m.chat_template = *bundle.chat_template;
  int model_ctx = static_cast<int>(m.model->config().max_position);
  m.ctx = options.context_length > 0 ? std::min(options.context_length, model_ctx) : model_ctx;
  if (m.ctx < 2) fail(options.model_path, ": context length ", m.ctx, " is too small; pass --ctx >= 2");
  m.model_id = options.model_id;
  if (m.model_id.empty()) {
    std::filesystem::path p(options.model_path);
    if (!p.has_filename()) p = p.parent_path();
    m.model_id = p.stem().string();
  }
  for (const std::string& spec : options.loras) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      fail("--lora '", spec, "': expected NAME=FILE[:scale] (NAME is the model id requests use)");
    const std::string name = spec.substr(0, eq);
    if (name == m.model_id || std::find(m.adapter_ids.begin(), m.adapter_ids.end(), name) != m.adapter_ids.end())
      fail("--lora '", spec, "': the model id '", name, "' is already taken");
    const engine::LoraSpec s = engine::parse_lora_spec(spec.substr(eq + 1));
    const auto& w = m.model->weights();
    auto applier = std::make_unique<engine::LoraApplier>(w.config, w.rope_style, w.path);
    applier->add(engine::read_lora_adapter(s.path), s.scale);
    m.lora.add(std::move(applier));
    m.adapter_ids.push_back(name);
  }
  if (!m.adapter_ids.empty()) m.model->set_adapter(&m.lora);
}

EngineBackend::~EngineBackend() = default;

std::vector<ModelEntry> EngineBackend::models() const {
  std::vector<ModelEntry> list = {{impl_->model_id, false}};
  for (const auto& id : impl_->adapter_ids) list.push_back({id, true});
  return list;
}

int EngineBackend::context_length() const { return impl_->ctx; }

std::vector<int32_t> EngineBackend::encode_chat(const std::vector<ChatMessage>& messages) const {
  std::vector<tokenizer::ChatMessage> chat;
  chat.reserve(messages.size());
  for (const auto& msg : messages) chat.push_back({msg.role, msg.content});
  return tokenizer::encode_chat(*impl_->tok, impl_->chat_template, chat, true).ids;
}

std::vector<int32_t> EngineBackend::encode_prompt(const std::string& text) const {
  return impl_->tok->encode(nfkc(text, "prompt"), impl_->add_bos);  // core/nfkc.h: the form the model was trained on
}

std::unique_ptr<Sequence> EngineBackend::prefill(const std::string& model, const std::vector<int32_t>& prompt,
                                                 const SamplingParams& params) {
  int adapter = -1;
  if (model != impl_->model_id) {
    const auto it = std::find(impl_->adapter_ids.begin(), impl_->adapter_ids.end(), model);
    if (it == impl_->adapter_ids.end()) fail("unknown model '", model, "'");
    adapter = static_cast<int>(it - impl_->adapter_ids.begin());
  }
  engine::SamplerParams sp;
  // OpenAI's semantics: only temperature, top_p and the two penalties; no top-k, min-p or
  // repetition penalty, and the penalties look at everything so far.
  sp.temperature = params.temperature;
  sp.top_p = params.top_p;
  sp.top_k = 0;
  sp.min_p = 0;
  sp.repeat_penalty = 1.0f;
  sp.repeat_last_n = -1;
  sp.presence_penalty = params.presence_penalty;
  sp.frequency_penalty = params.frequency_penalty;
  sp.seed = params.seed;
  auto seq = std::make_unique<EngineSequence>(impl_->model->new_cache(impl_->ctx), sp);
  seq->adapter = adapter;
  impl_->lora.set_all(adapter);
  seq->logits = impl_->generator->prefill(seq->cache, prompt, 512);
  seq->history = prompt;
  return seq;
}

void EngineBackend::decode(const std::vector<Sequence*>& batch, std::vector<int32_t>& next_tokens) {
  // Feed every sequence's previously sampled token in one batched pass.
  std::vector<engine::KvCache*> caches;
  std::vector<int32_t> tokens;
  std::vector<EngineSequence*> fed;
  for (Sequence* s : batch) {
    auto* seq = static_cast<EngineSequence*>(s);
    if (seq->pending >= 0) {
      caches.push_back(&seq->cache);
      tokens.push_back(seq->pending);
      fed.push_back(seq);
    }
  }
  if (!fed.empty()) {
    if (fed.size() == 1) {
      impl_->lora.set_all(fed[0]->adapter);
    } else {
      std::vector<int> rows;
      for (const EngineSequence* seq : fed) rows.push_back(seq->adapter);
      impl_->lora.set_rows(std::move(rows));
    }
    // One sequence: the same single-sequence forward `gemba run` uses (decode_batch's kernels
    // may round differently, which can flip a greedy argmax on near-tied logits).
    impl_->batch_logits = fed.size() == 1 ? impl_->model->forward(*caches[0], tokens)
                                          : impl_->model->decode_batch(caches, tokens);
    const size_t vocab = static_cast<size_t>(impl_->model->vocab_size());
    for (size_t i = 0; i < fed.size(); ++i) {
      fed[i]->logits.assign(impl_->batch_logits.begin() + static_cast<std::ptrdiff_t>(i * vocab),
                            impl_->batch_logits.begin() + static_cast<std::ptrdiff_t>((i + 1) * vocab));
      fed[i]->pending = -1;
    }
  }
  next_tokens.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    auto* seq = static_cast<EngineSequence*>(batch[i]);
    // Only rows the tokenizer can decode: models pad the embedding past the vocabulary
    // (llm-jp-3: 99584 rows, 99487 tokens), and `gemba run` samples the same range.
    const size_t n_sample = std::min(seq->logits.size(), impl_->tok->vocab_size());
    int32_t id = seq->sampler.sample(std::span<const float>(seq->logits).first(n_sample), seq->history);
    seq->history.push_back(id);
    seq->pending = id;
    next_tokens[i] = id;
  }
}

bool EngineBackend::is_end(int32_t token) const {
  return token == impl_->tok->eos_id() || token == static_cast<int32_t>(impl_->model->config().eos_id);
}

std::string EngineBackend::token_bytes(int32_t token, bool /*first*/) const {
  // As the engine's Generator (and so `gemba run`) does: the token's bytes, unchanged.
  // Embedding rows past the tokenizer's vocabulary (padding) contribute no text.
  if (token < 0 || static_cast<size_t>(token) >= impl_->tok->vocab_size()) return {};
  return impl_->tok->token_bytes(token);
}

}  // namespace gemba::serve
