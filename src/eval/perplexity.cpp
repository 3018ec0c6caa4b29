#include "eval/perplexity.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/nfkc.h"
#include "data/token-shard.h"
#include "eval/token-logprob.h"

namespace gemba::eval {

double PerplexityResult::perplexity() const { return std::exp(mean_nll); }

PerplexityResult perplexity(engine::ModelBundle& bundle, const std::vector<int32_t>& tokens, int64_t window,
                            const std::function<void(uint64_t, uint64_t)>& progress) {
  auto& model = *bundle.model;
  window = std::max<int64_t>(2, std::min<int64_t>(window, model.config().max_position));
  auto cache = model.new_cache(window);
  double total_nll = 0;
  uint64_t scored = 0;
  for (size_t start = 0; start + 1 < tokens.size(); start += static_cast<size_t>(window)) {
    size_t n = std::min<size_t>(static_cast<size_t>(window), tokens.size() - start);
    if (n < 2) break;
    // Each window starts fresh; its first token is context only.
    total_nll -= sequence_log_prob(bundle, cache, std::span<const int32_t>(tokens.data() + start, n));
    scored += n - 1;
    if (progress) progress(start + n, tokens.size());
  }
  if (scored == 0) fail("perplexity: fewer than 2 tokens to score");
  return {scored, total_nll / double(scored)};
}

std::vector<int32_t> load_eval_tokens(const engine::ModelBundle& bundle, const std::string& path, uint64_t max_tokens) {
  std::vector<int32_t> tokens;
  if (path.size() > 4 && path.substr(path.size() - 4) == ".tok") {
    auto shard = data::TokenShard::open(path);
    uint64_t n = std::min<uint64_t>(shard.size(), max_tokens);
    tokens.resize(n);
    shard.read(0, n, tokens.data());
    return tokens;
  }
  const auto& tok = *bundle.tokenizer;
  std::string text = read_file(path);
  // Documents: blocks separated by blank lines, each BOS ... EOS.
  std::istringstream in(text);
  std::string line, doc;
  auto flush = [&] {
    if (doc.find_first_not_of(" \n\t") == std::string::npos) return doc.clear();
    auto ids = tok.encode(nfkc(doc, path), bundle.add_bos);  // as the data pipeline normalized the training text
    tokens.insert(tokens.end(), ids.begin(), ids.end());
    tokens.push_back(tok.eos_id());
    doc.clear();
  };
  while (std::getline(in, line) && tokens.size() < max_tokens) {
    if (line.empty()) flush();
    else doc += (doc.empty() ? "" : "\n") + line;
  }
  flush();
  if (tokens.size() > max_tokens) tokens.resize(max_tokens);
  return tokens;
}

}  // namespace gemba::eval
