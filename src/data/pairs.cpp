// Pair mining with character n-gram TF-IDF cosine (Salton & Buckley 1988) over an inverted
// index: candidates come from the postings of each answer's informative n-grams, then every
// candidate is re-scored with the exact cosine of the full sparse vectors.
#include "data/pairs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "core/error.h"
#include "core/json.h"
#include "core/thread-pool.h"
#include "core/utf8.h"
#include "data/normalize.h"

namespace gemba::data {
namespace {

struct SparseVector {
  std::vector<uint32_t> terms;  // sorted term ids
  std::vector<float> weights;   // L2-normalized TF-IDF weights, same length
};

struct Posting {
  uint32_t doc;
  float weight;
};

// Per-question outcome, merged in FAQ order so the result does not depend on threads.
struct QuestionResult {
  std::vector<std::pair<uint32_t, double>> picks;  // (answer index, similarity)
  size_t identical = 0, above_max = 0, below_min = 0, repeated = 0;
};

uint64_t fnv1a_step(uint64_t h, uint32_t v) {
  for (int b = 0; b < 4; ++b) {
    h ^= (v >> (8 * b)) & 0xFF;
    h *= 0x100000001B3ull;
  }
  return h;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// (n-gram hash, count) sorted by hash, over code points of the normalized key.
std::vector<std::pair<uint64_t, uint32_t>> ngram_counts(const std::string& key, int n_min, int n_max) {
  std::vector<uint32_t> cps;
  for (size_t pos = 0; pos < key.size();) cps.push_back(utf8_decode(key, pos));
  std::vector<uint64_t> hashes;
  for (int n = n_min; n <= n_max; ++n) {
    if (cps.size() < static_cast<size_t>(n)) {
      continue;
    }
    for (size_t i = 0; i + n <= cps.size(); ++i) {
      uint64_t h = fnv1a_step(0xCBF29CE484222325ull, static_cast<uint32_t>(n));
      for (int k = 0; k < n; ++k) h = fnv1a_step(h, cps[i + k]);
      hashes.push_back(h);
    }
  }
  // A text shorter than n_min still gets a vector: its whole content as one term.
  if (hashes.empty() && !cps.empty()) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (uint32_t c : cps) h = fnv1a_step(h, c);
    hashes.push_back(h);
  }
  std::sort(hashes.begin(), hashes.end());
  std::vector<std::pair<uint64_t, uint32_t>> counts;
  for (uint64_t h : hashes) {
    if (!counts.empty() && counts.back().first == h) ++counts.back().second;
    else counts.push_back({h, 1});
  }
  return counts;
}

double cosine(const SparseVector& a, const SparseVector& b) {
  double dot = 0;
  size_t i = 0, j = 0;
  while (i < a.terms.size() && j < b.terms.size()) {
    if (a.terms[i] < b.terms[j]) ++i;
    else if (a.terms[i] > b.terms[j]) ++j;
    else dot += static_cast<double>(a.weights[i++]) * b.weights[j++];
  }
  return std::min(1.0, dot);
}

void validate(const PairMiningOptions& o) {
  if (o.per_question < 1) fail("pairs: --per-question must be at least 1 (got ", o.per_question, ")");
  if (o.ngram_min < 1 || o.ngram_max < o.ngram_min || o.ngram_max > 8)
    fail("pairs: n-gram lengths must satisfy 1 <= min <= max <= 8 (got ", o.ngram_min, "..", o.ngram_max, ")");
  if (!(o.min_similarity >= 0 && o.max_similarity <= 1 && o.min_similarity <= o.max_similarity))
    fail("pairs: need 0 <= --min-similarity <= --max-similarity <= 1 (got ", o.min_similarity, ", ", o.max_similarity,
         ")");
  if (!(o.max_document_frequency > 0 && o.max_document_frequency <= 1))
    fail("pairs: max_document_frequency must be in (0, 1]");
  if (o.max_query_terms < 1) fail("pairs: max_query_terms must be at least 1");
}

}  // namespace

namespace {

// NFKC, whitespace runs collapsed to one space, ASCII lower-cased: the text n-grams come from.
std::string similarity_text(const std::string& text) {
  std::string line = collapse_to_line(clean_whitespace(nfkc(text, "FAQ answer")));
  for (char& c : line)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return line;
}

std::string strip_spaces(const std::string& line) {
  std::string key;
  for (char c : line)
    if (c != ' ') key += c;
  return key;
}

}  // namespace

std::string pair_text_key(const std::string& text) { return strip_spaces(similarity_text(text)); }

PairMiningResult mine_pairs(const std::vector<FaqPair>& faq, const PairMiningOptions& options) {
  validate(options);
  const size_t n = faq.size();
  if (n < 2) fail("pairs: need at least two FAQ entries to mine rejected answers (got ", n, "); add more FAQ pairs");
  ThreadPool pool(std::max(1, options.threads));

  // 1. Normalized keys and n-gram counts (parallel, per answer).
  std::vector<std::string> keys(n);
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> counts(n);
  std::vector<std::string> errors(static_cast<size_t>(pool.size()));
  pool.parallel_for(n, [&](size_t begin, size_t end, int t) {
    for (size_t i = begin; i < end; ++i) {
      try {
        std::string text = similarity_text(faq[i].answer);
        keys[i] = strip_spaces(text);
        counts[i] = ngram_counts(text, options.ngram_min, options.ngram_max);
      } catch (const Error& e) {
        if (errors[static_cast<size_t>(t)].empty()) errors[static_cast<size_t>(t)] = cat(faq[i].id, ": ", e.what());
      }
    }
  });
  for (const auto& e : errors)
    if (!e.empty()) fail("pairs: ", e, " (fix the encoding of that FAQ entry)");

  // 2. Term ids in first-seen order (deterministic), document frequencies.
  std::unordered_map<uint64_t, uint32_t> term_ids;
  term_ids.reserve(n * 32);
  std::vector<uint32_t> df;
  std::vector<std::vector<uint32_t>> doc_terms(n);
  for (size_t i = 0; i < n; ++i) {
    doc_terms[i].reserve(counts[i].size());
    for (const auto& [h, c] : counts[i]) {
      auto [it, inserted] = term_ids.try_emplace(h, static_cast<uint32_t>(df.size()));
      if (inserted) df.push_back(0);
      ++df[it->second];
      doc_terms[i].push_back(it->second);
    }
  }

  // 3. TF-IDF vectors: sublinear tf (1 + ln tf), smoothed idf ln((1 + N) / (1 + df)) + 1, L2-normalized.
  std::vector<SparseVector> vectors(n);
  pool.parallel_for(n, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      std::vector<std::pair<uint32_t, float>> tw(counts[i].size());
      double norm = 0;
      for (size_t k = 0; k < counts[i].size(); ++k) {
        uint32_t term = doc_terms[i][k];
        double w = (1.0 + std::log(static_cast<double>(counts[i][k].second))) *
                   (std::log((1.0 + static_cast<double>(n)) / (1.0 + df[term])) + 1.0);
        tw[k] = {term, static_cast<float>(w)};
        norm += w * w;
      }
      std::sort(tw.begin(), tw.end());
      float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.f;
      vectors[i].terms.reserve(tw.size());
      vectors[i].weights.reserve(tw.size());
      for (const auto& [term, w] : tw) {
        vectors[i].terms.push_back(term);
        vectors[i].weights.push_back(w * inv);
      }
    }
  });
  counts.clear();
  counts.shrink_to_fit();

  // 4. Inverted index over informative terms (small sets keep every term).
  const size_t df_cap = std::max<size_t>(1000, static_cast<size_t>(options.max_document_frequency * static_cast<double>(n)));
  std::vector<std::vector<Posting>> postings(df.size());
  if (!options.random) {
    for (size_t i = 0; i < n; ++i)
      for (size_t k = 0; k < vectors[i].terms.size(); ++k) {
        uint32_t term = vectors[i].terms[k];
        if (df[term] >= 2 && df[term] <= df_cap) postings[term].push_back({static_cast<uint32_t>(i), vectors[i].weights[k]});
      }
  }

  // 5. Per question: candidates, exact re-scoring, exclusion rules.
  const size_t k_wanted = static_cast<size_t>(options.per_question);
  const size_t n_candidates = 4 * k_wanted + 32;
  std::vector<QuestionResult> results(n);
  pool.parallel_for(n, [&](size_t begin, size_t end, int) {
    std::vector<float> acc(options.random ? 0 : n, 0.f);
    std::vector<uint32_t> touched;
    std::vector<std::pair<float, size_t>> query_terms;  // (-weight, position in the vector)
    std::vector<std::pair<double, uint32_t>> ranked;  // (-similarity, index): ascending = best first
    for (size_t i = begin; i < end; ++i) {
      QuestionResult& r = results[i];
      ranked.clear();
      if (options.random) {
        uint64_t state = options.seed ^ (0xD1B54A32D192ED03ull * (i + 1));
        size_t draws = 8 * k_wanted + 32;
        for (size_t d = 0; d < draws; ++d) {
          uint32_t j = static_cast<uint32_t>(splitmix64(state) % (n - 1));
          if (j >= i) ++j;  // never the question's own entry
          bool drawn = false;
          for (const auto& r2 : ranked) drawn = drawn || r2.second == j;
          if (!drawn) ranked.push_back({0.0, j});  // random order kept: similarity only checked below
        }
      } else {
        touched.clear();
        const SparseVector& q = vectors[i];
        query_terms.clear();
        for (size_t k = 0; k < q.terms.size(); ++k) query_terms.push_back({-q.weights[k], k});
        size_t t = std::min(query_terms.size(), static_cast<size_t>(options.max_query_terms));
        std::partial_sort(query_terms.begin(), query_terms.begin() + static_cast<std::ptrdiff_t>(t), query_terms.end());
        for (size_t qt = 0; qt < t; ++qt) {
          size_t k = query_terms[qt].second;
          for (const Posting& p : postings[q.terms[k]]) {
            if (p.doc == i) continue;
            if (acc[p.doc] == 0.f) touched.push_back(p.doc);
            acc[p.doc] += q.weights[k] * p.weight;
          }
        }
        std::vector<std::pair<float, uint32_t>> approx;
        approx.reserve(touched.size());
        for (uint32_t d : touched) {
          approx.push_back({-acc[d], d});
          acc[d] = 0.f;
        }
        size_t m = std::min(n_candidates, approx.size());
        std::partial_sort(approx.begin(), approx.begin() + static_cast<std::ptrdiff_t>(m), approx.end());
        for (size_t c = 0; c < m; ++c) ranked.push_back({-cosine(q, vectors[approx[c].second]), approx[c].second});
        std::sort(ranked.begin(), ranked.end());
      }
      std::vector<const std::string*> used;
      bool stopped_by_floor = false;
      for (const auto& [neg_sim, j] : ranked) {
        if (r.picks.size() >= k_wanted) break;
        double sim = options.random ? cosine(vectors[i], vectors[j]) : -neg_sim;
        if (keys[j] == keys[i]) {
          ++r.identical;
          continue;
        }
        if (sim > options.max_similarity) {
          ++r.above_max;
          continue;
        }
        if (!options.random && sim < options.min_similarity) {
          stopped_by_floor = true;  // ranked by similarity: every later candidate is lower
          break;
        }
        bool repeat = false;
        for (const std::string* u : used) repeat = repeat || *u == keys[j];
        if (repeat) {
          ++r.repeated;
          continue;
        }
        used.push_back(&keys[j]);
        r.picks.push_back({j, sim});
      }
      // The floor counts the pair slots it left empty.
      // Running out of candidates means the rest share no informative n-gram: also too dissimilar.
      if (!options.random && r.picks.size() < k_wanted && (stopped_by_floor ||
                                                              (ranked.size() < n_candidates && ranked.size() + 1 < n)))
        r.below_min += k_wanted - r.picks.size();
    }
  });

  // 6. Merge in FAQ order.
  PairMiningResult out;
  PairMiningReport& rep = out.report;
  rep.questions = n;
  rep.histogram.assign(10, 0);
  for (size_t i = 0; i < n; ++i) {
    const QuestionResult& r = results[i];
    rep.excluded_identical += r.identical;
    rep.excluded_above_max += r.above_max;
    rep.excluded_below_min += r.below_min;
    rep.excluded_repeated += r.repeated;
    if (r.picks.empty()) ++rep.questions_without_pair;
    for (const auto& [j, sim] : r.picks) {
      MinedPair p;
      p.prompt = faq[i].question;
      p.chosen = faq[i].answer;
      p.rejected = faq[j].answer;
      p.similarity = sim;
      p.chosen_id = faq[i].id;
      p.rejected_id = faq[j].id;
      out.pairs.push_back(std::move(p));
      ++rep.histogram[std::min<size_t>(9, static_cast<size_t>(std::max(0.0, sim) * 10.0))];
    }
  }
  rep.pairs = out.pairs.size();
  return out;
}

std::string pairs_to_jsonl(const std::vector<MinedPair>& pairs) {
  std::string out;
  for (const MinedPair& p : pairs) {
    Json j = Json::object();
    j["prompt"] = p.prompt;
    j["chosen"] = p.chosen;
    j["rejected"] = p.rejected;
    j["similarity"] = std::round(p.similarity * 1e6) / 1e6;
    j["chosen_id"] = p.chosen_id;
    j["rejected_id"] = p.rejected_id;
    out += j.dump();
    out += '\n';
  }
  return out;
}

std::string format_pair_report(const PairMiningReport& r, const PairMiningOptions& o) {
  std::string s = cat("questions            ", r.questions, "\n", "pairs written        ", r.pairs, "\n",
                      "questions w/o pair   ", r.questions_without_pair, "\n", "excluded: identical after normalization  ",
                      r.excluded_identical, "\n", "excluded: similarity > ", o.max_similarity, "  ", r.excluded_above_max,
                      "\n", "excluded: similarity < ", o.min_similarity, " (empty slots)  ", r.excluded_below_min, "\n",
                      "excluded: repeated rejected text  ", r.excluded_repeated, "\n", "similarity histogram of written pairs:\n");
  size_t peak = 1;
  for (size_t c : r.histogram) peak = std::max(peak, c);
  for (size_t b = 0; b < r.histogram.size(); ++b) {
    char label[32];
    std::snprintf(label, sizeof label, "  [%.1f, %.1f%c ", static_cast<double>(b) / 10, static_cast<double>(b + 1) / 10,
                  b + 1 == r.histogram.size() ? ']' : ')');
    s += label;
    s += std::string(r.histogram[b] * 40 / peak, '#');
    s += cat(" ", r.histogram[b], "\n");
  }
  return s;
}

}  // namespace gemba::data
