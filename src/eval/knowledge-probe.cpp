#include "eval/knowledge-probe.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "core/nfkc.h"
#include "core/progress.h"
#include "eval/token-logprob.h"

namespace gemba::eval {

std::vector<KnowledgePair> read_knowledge_pairs(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, ": cannot open the knowledge pairs (write them with `gemba data statements --pairs-output`)");
  std::vector<KnowledgePair> pairs;
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    Json j = parse_json(line, where);
    if (!j.is_object()) fail(where, ": expected a JSON object with 'true' and 'false'");
    KnowledgePair p;
    p.true_text = json_require<std::string>(j, "true", where);
    p.false_text = json_require<std::string>(j, "false", where);
    p.source = json_optional<std::string>(j, "source", "", where);
    if (p.true_text.empty() || p.false_text.empty()) fail(where, ": 'true' and 'false' must not be empty");
    pairs.push_back(std::move(p));
  }
  if (pairs.empty()) fail(path, ": no knowledge pairs found (expected JSONL with 'true' and 'false')");
  return pairs;
}

std::string KnowledgeProbeResult::summary() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "prefers the true sentence %.1f%% [%.1f, %.1f] of %llu pairs, mean margin %.3f nats",
                100 * accuracy(), 100 * ci.low, 100 * ci.high, static_cast<unsigned long long>(n), mean_margin);
  return buf;
}

Json KnowledgeProbeResult::to_json() const {
  return {{"n", n}, {"prefer_true", prefer_true}, {"accuracy", accuracy()}, {"ci_low", ci.low}, {"ci_high", ci.high},
          {"mean_margin", mean_margin}};
}

KnowledgeProbeResult probe_knowledge(engine::ModelBundle& bundle, const std::vector<KnowledgePair>& pairs, size_t limit,
                                     const std::function<void(size_t, size_t)>& progress) {
  const size_t n = limit ? std::min(limit, pairs.size()) : pairs.size();
  const auto& tok = *bundle.tokenizer;
  auto cache = bundle.model->new_cache(std::min<int64_t>(bundle.model->config().max_position, 2048));
  auto score = [&](const std::string& text) {
    // BOS conditions the first token as in pre-training, where every document starts with it.
    std::vector<int32_t> ids = tok.encode(nfkc(text, "knowledge pair"), /*add_bos=*/tok.bos_id() >= 0);
    return sequence_log_prob(bundle, cache, ids);
  };
  KnowledgeProbeResult r;
  double margin_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    double margin = score(pairs[i].true_text) - score(pairs[i].false_text);
    r.prefer_true += margin > 0;
    margin_sum += margin;
    ++r.n;
    if (progress) progress(i + 1, n);
  }
  r.mean_margin = r.n ? margin_sum / double(r.n) : 0.0;
  r.ci = wilson_interval(r.prefer_true, r.n);
  return r;
}

KnowledgeProbeResult probe_knowledge_file(engine::ModelBundle& bundle, const std::string& pairs_path, size_t limit) {
  auto pairs = read_knowledge_pairs(pairs_path);
  Progress progress("knowledge probe", limit ? std::min(limit, pairs.size()) : pairs.size(), "pair");
  auto r = probe_knowledge(bundle, pairs, limit, [&](size_t done, size_t) { progress.update(done); });
  progress.finish();
  return r;
}

}  // namespace gemba::eval
