#include "train/dpo.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/atomic-output.h"
#include "core/content-hash.h"
#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "train/fused-token-log-probs.h"

namespace gemba::train {

namespace {

// Empty: usable. A string, or a list of messages whose last is the assistant's answer.
std::string read_answer(const Json& record, const std::string& key, std::string& out) {
  auto it = record.find(key);
  if (it == record.end()) return "field '" + key + "' is missing";
  if (it->is_string()) {
    out = it->get<std::string>();
  } else if (it->is_array() && !it->empty() && it->back().is_object() && it->back().value("role", "") == "assistant" &&
             it->back().contains("content") && it->back()["content"].is_string()) {
    out = it->back()["content"].get<std::string>();
  } else {
    return "field '" + key + "' must be a string or a list ending with an assistant message";
  }
  if (out.empty()) return "field '" + key + "' is empty";
  if (!utf8_valid(out)) return "field '" + key + "' is not valid UTF-8";
  return "";
}

std::string read_prompt(const Json& record, std::vector<tokenizer::ChatMessage>& out) {
  auto it = record.find("prompt");
  if (it == record.end()) return "field 'prompt' is missing";
  if (it->is_string()) {
    if (it->get<std::string>().empty()) return "field 'prompt' is empty";
    out = {{"user", it->get<std::string>()}};
  } else if (it->is_array() && !it->empty()) {
    for (const Json& m : *it) {
      if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() ||
          !m["content"].is_string())
        return "each prompt message needs string fields 'role' and 'content'";
      out.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    }
  } else {
    return "field 'prompt' must be a string or a list of messages";
  }
  for (const auto& m : out) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant")
      return "unknown role '" + m.role + "' (use system, user or assistant)";
    if (!utf8_valid(m.content)) return "prompt text is not valid UTF-8";
  }
  return "";
}

SftRow encode_answer(const tokenizer::Tokenizer& tok, const SftDataOptions& o, std::vector<tokenizer::ChatMessage> messages,
                     const std::string& answer, bool* truncated) {
  messages.push_back({"assistant", answer});
  tokenizer::ChatTokens t = tokenizer::encode_chat(tok, o.chat_template, messages, /*add_generation_prompt=*/false);
  SftRow row{std::move(t.ids), std::move(t.is_target)};
  // Only the last assistant turn is the answer being compared; earlier turns are context.
  size_t last_start = row.is_target.size();
  while (last_start > 0 && row.is_target[last_start - 1]) --last_start;
  while (last_start > 0 && !row.is_target[last_start - 1]) --last_start;
  for (size_t i = 0; i < last_start; ++i) row.is_target[i] = 0;
  if (static_cast<int64_t>(row.ids.size()) > o.max_tokens) {
    *truncated = true;
    row.ids.resize(static_cast<size_t>(o.max_tokens));
    row.is_target.resize(static_cast<size_t>(o.max_tokens));
  }
  return row;
}

void read_pairs_file(const std::string& path, std::vector<PreferencePair>& pairs) {
  const std::string content = read_file(path);
  const size_t before = pairs.size();
  std::istringstream in(content);
  std::string line;
  size_t line_no = 0, skipped = 0, records = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++records;
    const std::string where = path + ":" + std::to_string(line_no);
    PreferencePair p;
    p.id = where;
    std::string why;
    try {
      Json record = parse_json(line, where);
      if (!record.is_object()) why = "not a JSON object";
      if (why.empty()) why = read_prompt(record, p.prompt);
      if (why.empty()) why = read_answer(record, "chosen", p.chosen);
      if (why.empty()) why = read_answer(record, "rejected", p.rejected);
      if (why.empty() && p.chosen == p.rejected) why = "'chosen' and 'rejected' are the same text";
    } catch (const Error& e) {
      why = e.what();
    }
    if (!why.empty()) {
      if (++skipped <= 10) log_warn(where, ": skipped: ", why);
      continue;
    }
    pairs.push_back(std::move(p));
  }
  if (skipped > 10) log_warn(path, ": ", skipped, " lines skipped in all");
  // An empty file is a valid outcome (`gemba mistakes` on a model that made none); a file whose
  // every line is unusable is a format error.
  if (records == 0) {
    log_warn(path, ": no pairs in this file");
    return;
  }
  if (pairs.size() == before)
    fail(path, ": no usable preference pair; expected JSONL lines {\"prompt\": ..., \"chosen\": ..., \"rejected\": ...} "
               "(gemba pairs writes them)");
}

}  // namespace

std::vector<PreferencePair> read_preference_pairs(const std::string& paths) {
  std::vector<PreferencePair> pairs;
  std::stringstream list(paths);
  for (std::string path; std::getline(list, path, ',');)
    if (!path.empty()) read_pairs_file(path, pairs);
  if (pairs.empty()) fail("--pairs '", paths, "': no preference pair in these files");
  return pairs;
}

std::vector<PairRows> tokenize_pairs(const std::vector<PreferencePair>& pairs, const tokenizer::Tokenizer& tok,
                                     const SftDataOptions& options) {
  std::vector<PairRows> rows;
  size_t truncated = 0, dropped = 0;
  for (const auto& p : pairs) {
    bool cut = false;
    PairRows r{encode_answer(tok, options, p.prompt, p.chosen, &cut), encode_answer(tok, options, p.prompt, p.rejected, &cut)};
    truncated += cut;
    if (!has_target(r.chosen) || !has_target(r.rejected)) {
      ++dropped;
      continue;
    }
    rows.push_back(std::move(r));
  }
  if (truncated)
    log_warn(truncated, " of ", pairs.size(), " pairs are longer than --seq-len ", options.max_tokens, " tokens and were cut",
             dropped ? " (" + std::to_string(dropped) + " left without an answer, dropped)" : "");
  if (rows.empty()) fail("no preference pair has an answer within --seq-len ", options.max_tokens, " tokens");
  return rows;
}

void validate(const DpoOptions& o) {
  if (o.loss != "sigmoid" && o.loss != "ipo") fail("--loss '", o.loss, "': use sigmoid or ipo");
  if (!(o.beta > 0)) fail("--beta ", o.beta, ": must be positive");
  if (o.label_smoothing < 0 || o.label_smoothing >= 0.5) fail("--label-smoothing ", o.label_smoothing, ": must be in [0, 0.5)");
  if (o.label_smoothing > 0 && o.loss == "ipo") fail("--label-smoothing applies to the sigmoid loss only");
  if (o.rpo_alpha < 0) fail("--rpo-alpha ", o.rpo_alpha, ": must be >= 0");
}

DpoTerms dpo_terms(const torch::Tensor& policy_chosen, const torch::Tensor& policy_rejected,
                   const torch::Tensor& reference_chosen, const torch::Tensor& reference_rejected, const DpoOptions& o) {
  auto chosen_ratio = policy_chosen - reference_chosen;        // [b]
  auto rejected_ratio = policy_rejected - reference_rejected;  // [b]
  auto h = chosen_ratio - rejected_ratio;                      // [b]
  DpoTerms t;
  if (o.loss == "ipo") {
    t.losses = (h - 1.0 / (2.0 * o.beta)).pow(2);
  } else {
    namespace F = torch::nn::functional;
    t.losses = -(1.0 - o.label_smoothing) * F::logsigmoid(o.beta * h) - o.label_smoothing * F::logsigmoid(-o.beta * h);
  }
  t.chosen_rewards = (o.beta * chosen_ratio).detach();
  t.rejected_rewards = (o.beta * rejected_ratio).detach();
  return t;
}

std::pair<torch::Tensor, torch::Tensor> sequence_logps(const torch::Tensor& logits, const torch::Tensor& labels) {
  auto mask = labels.ne(kIgnoreIndex);                                        // [B, T]
  auto sums = token_log_probs(logits, labels, kIgnoreIndex).sum(1);           // [B] (0 where masked)
  return {sums, mask.sum(1).to(torch::kFloat32)};
}

namespace {

std::vector<const SftRow*> rows_of(const std::vector<PairRows>& pairs, const std::vector<size_t>& which) {
  // Chosen rows first, then rejected rows, in the same pair order.
  std::vector<const SftRow*> rows;
  for (size_t i : which) rows.push_back(&pairs[i].chosen);
  for (size_t i : which) rows.push_back(&pairs[i].rejected);
  return rows;
}

}  // namespace

namespace {
// A pair's reference log-probs before they are scored (and in the cache file: null).
constexpr double kUnscored = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::vector<size_t> all_pair_indices(size_t n_pairs) {
  std::vector<size_t> all(n_pairs);
  for (size_t i = 0; i < n_pairs; ++i) all[i] = i;
  return all;
}

std::vector<size_t> visited_pairs(size_t n_pairs, int64_t steps, int64_t batch, int64_t grad_accum, uint64_t seed) {
  const uint64_t visits = static_cast<uint64_t>(std::max<int64_t>(steps, 0) * grad_accum * batch);
  if (visits >= n_pairs) return all_pair_indices(n_pairs);
  std::vector<size_t> which;
  EpochOrder order(n_pairs, seed, /*shuffle=*/true);  // the order PairBatchSource draws in
  for (uint64_t k = 0; k < visits; ++k) which.push_back(static_cast<size_t>(order.at(k)));
  std::sort(which.begin(), which.end());
  which.erase(std::unique(which.begin(), which.end()), which.end());
  return which;
}

std::vector<std::array<double, 2>> compute_reference_logps(LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                           const std::vector<size_t>& which, int64_t batch,
                                                           int32_t pad_id, torch::Device device) {
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  std::vector<std::array<double, 2>> out(pairs.size(), {kUnscored, kUnscored});
  for (size_t start = 0; start < which.size(); start += static_cast<size_t>(batch)) {
    std::vector<size_t> chunk(which.begin() + static_cast<std::ptrdiff_t>(start),
                              which.begin() + static_cast<std::ptrdiff_t>(std::min(which.size(), start + static_cast<size_t>(batch))));
    Batch b = batch_from_rows(rows_of(pairs, chunk), pad_id);
    auto [sums, counts] = sequence_logps(model->forward(b.input_ids.to(device)), b.labels.to(device));
    auto s = sums.to(torch::kCPU, torch::kFloat64);
    const int64_t n = static_cast<int64_t>(chunk.size());
    for (int64_t k = 0; k < n; ++k) out[chunk[static_cast<size_t>(k)]] = {s[k].item<double>(), s[n + k].item<double>()};
  }
  if (was_training) model->train();
  return out;
}

std::vector<std::array<double, 2>> compute_reference_logps(LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                           int64_t batch, int32_t pad_id, torch::Device device) {
  return compute_reference_logps(model, pairs, all_pair_indices(pairs.size()), batch, pad_id, device);
}

namespace {

// The cache file's "logps": one [chosen, rejected] per pair, null where not computed.
std::vector<std::array<double, 2>> logps_from_json(const Json& j, size_t n_pairs) {
  std::vector<std::array<double, 2>> out;
  if (!j.is_array() || j.size() != n_pairs) return out;
  for (const auto& e : j) {
    if (e.is_array() && e.size() == 2 && e[0].is_number() && e[1].is_number())
      out.push_back({e[0].get<double>(), e[1].get<double>()});
    else
      out.push_back({kUnscored, kUnscored});
  }
  return out;
}

Json logps_to_json(const std::vector<std::array<double, 2>>& logps) {
  Json j = Json::array();
  for (const auto& [chosen, rejected] : logps)
    j.push_back(std::isnan(chosen) ? Json(nullptr) : Json::array({chosen, rejected}));
  return j;
}

}  // namespace

std::vector<std::array<double, 2>> cached_reference_logps(const std::string& path, const std::string& reference_dir,
                                                          LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                          const std::vector<size_t>& needed, int64_t batch,
                                                          int32_t pad_id, torch::Device device) {
  uint64_t h = fnv1a64(path_content_hash(reference_dir));
  for (const auto& p : pairs)
    for (const SftRow* r : {&p.chosen, &p.rejected}) {
      h = fnv1a64(std::string_view(reinterpret_cast<const char*>(r->ids.data()), r->ids.size() * sizeof(int32_t)), h);
      h = fnv1a64(std::string_view(reinterpret_cast<const char*>(r->is_target.data()), r->is_target.size()), h);
    }
  const std::string key = hex64(h);
  std::vector<std::array<double, 2>> logps;
  if (std::filesystem::exists(path)) {
    try {
      Json j = read_json_file(path);
      if (j.value("key", "") == key) logps = logps_from_json(j["logps"], pairs.size());
    } catch (const Error& e) {
      log_warn(path, ": unreadable reference cache (", e.what(), "); recomputing");
    }
  }
  if (logps.empty()) logps.assign(pairs.size(), {kUnscored, kUnscored});
  std::vector<size_t> to_compute;
  for (size_t i : needed)
    if (std::isnan(logps.at(i)[0])) to_compute.push_back(i);
  if (to_compute.empty()) {
    log_info("reference log-probs: reusing ", path);
    return logps;
  }
  // Only the pairs this run will visit: a short DPO run over many mined pairs would otherwise
  // spend most of its time scoring pairs it never trains on.
  log_info("reference log-probs: computing ", to_compute.size(), " of ", pairs.size(), " pairs with the reference model");
  auto fresh = compute_reference_logps(model, pairs, to_compute, batch, pad_id, device);
  for (size_t i : to_compute) logps[i] = fresh[i];
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  write_json_file(path, Json{{"key", key}, {"reference", reference_dir}, {"logps", logps_to_json(logps)}});
  return logps;
}

std::vector<std::array<double, 2>> cached_reference_logps(const std::string& path, const std::string& reference_dir,
                                                          LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                          int64_t batch, int32_t pad_id, torch::Device device) {
  return cached_reference_logps(path, reference_dir, model, pairs, all_pair_indices(pairs.size()), batch, pad_id, device);
}

PairBatchSource::PairBatchSource(std::shared_ptr<const std::vector<PairRows>> pairs,
                                 std::vector<std::array<double, 2>> reference, int64_t batch, int64_t grad_accum,
                                 int32_t pad_id, uint64_t seed, bool shuffle)
    : pairs_(std::move(pairs)),
      reference_(std::move(reference)),
      batch_(batch),
      grad_accum_(grad_accum),
      pad_id_(pad_id),
      order_(pairs_ ? pairs_->size() : 0, seed, shuffle) {
  if (!pairs_ || pairs_->empty()) fail("no preference pairs");
  if (reference_.size() != pairs_->size()) fail("reference log-probs do not match the pairs (", reference_.size(), " vs ", pairs_->size(), ")");
  if (batch_ < 1) fail("--batch ", batch_, ": must be at least 1");
  if (grad_accum_ < 1) fail("--grad-accum ", grad_accum_, ": must be at least 1");
  uint64_t total = 0;
  for (const auto& p : *pairs_) total += p.chosen.ids.size() + p.rejected.ids.size() - 2;
  tokens_per_micro_batch_ = static_cast<int64_t>(total * static_cast<uint64_t>(batch_) / pairs_->size());
}

Batch PairBatchSource::get(int64_t step, int64_t micro, int rank, int world_size) {
  const RankSlice s = rank_slice(order_, step, micro, batch_, grad_accum_, rank, world_size);
  std::vector<size_t> which;
  for (int64_t r = 0; r < s.rows; ++r) which.push_back(static_cast<size_t>(order_.at(s.first + static_cast<uint64_t>(r))));
  Batch b = batch_from_rows(rows_of(*pairs_, which), pad_id_);
  std::vector<double> ref_chosen, ref_rejected;
  for (size_t i : which) {
    if (std::isnan(reference_[i][0]))
      fail("DPO pair ", i, " has no reference log-probs: the run visits more pairs than were scored (",
           "--steps, --batch or --grad-accum changed?); rerun to score them");
    ref_chosen.push_back(reference_[i][0]);
    ref_rejected.push_back(reference_[i][1]);
  }
  b.extra["ref_chosen"] = torch::tensor(ref_chosen, torch::kFloat64);
  b.extra["ref_rejected"] = torch::tensor(ref_rejected, torch::kFloat64);
  return b;
}

LossFn dpo_loss_fn(const DpoOptions& options) {
  validate(options);
  return [options](LlamaForCausalLM& model, const Batch& batch) {
    const int64_t b = batch.input_ids.size(0) / 2;
    auto [sums, counts] = sequence_logps(model->forward(batch.input_ids), batch.labels);  // [2b] each
    auto policy_chosen = sums.narrow(0, 0, b), policy_rejected = sums.narrow(0, b, b);
    auto ref_chosen = batch.extra.at("ref_chosen").to(torch::kFloat32);
    auto ref_rejected = batch.extra.at("ref_rejected").to(torch::kFloat32);
    DpoTerms t;
    if (options.loss == "ipo") {
      // IPO compares per-token mean log-probs.
      auto cc = counts.narrow(0, 0, b), cr = counts.narrow(0, b, b);
      t = dpo_terms(policy_chosen / cc, policy_rejected / cr, ref_chosen / cc, ref_rejected / cr, options);
    } else {
      t = dpo_terms(policy_chosen, policy_rejected, ref_chosen, ref_rejected, options);
    }
    auto loss = t.losses.sum();
    if (options.rpo_alpha > 0) loss = loss + options.rpo_alpha * (-policy_chosen / counts.narrow(0, 0, b)).sum();
    LossSum ls{loss, static_cast<double>(b), {}};
    auto margins = t.chosen_rewards - t.rejected_rewards;
    ls.metric_sums["rewards/chosen"] = t.chosen_rewards.sum().item<double>();
    ls.metric_sums["rewards/rejected"] = t.rejected_rewards.sum().item<double>();
    ls.metric_sums["rewards/margins"] = margins.sum().item<double>();
    ls.metric_sums["rewards/accuracy"] = margins.gt(0).sum().item<double>();
    ls.metric_sums["logps/chosen"] = policy_chosen.detach().sum().item<double>();
    ls.metric_sums["logps/rejected"] = policy_rejected.detach().sum().item<double>();
    return ls;
  };
}

}  // namespace gemba::train
