#include "data/dedupe.h"

#include <cctype>

#include "core/error.h"

namespace gemba::data {

std::vector<std::string> extract_numbers(std::string_view text) {
  std::vector<std::string> numbers;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool digit = std::isdigit(static_cast<unsigned char>(c));
    bool inner_point = c == '.' && !current.empty() && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]));
    if (digit || inner_point) {
      current.push_back(c);
    } else if (!current.empty()) {
      numbers.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) numbers.push_back(std::move(current));
  return numbers;
}

Deduplicator::Deduplicator(const DedupeOptions& options)
    : options_(options), lsh_(options.num_perm, options.near ? options.near_threshold : 1.0) {
  if (options.ngram < 1) fail("dedupe: n-gram length must be >= 1 (got ", options.ngram, ")");
  if (options.num_perm < 1) fail("dedupe: signature length must be >= 1 (got ", options.num_perm, ")");
}

DedupeVerdict Deduplicator::add(std::string_view text) {
  size_t index = count_++;
  uint64_t h = hash64(text);
  auto& same_hash = exact_[h];
  for (size_t other : same_hash)
    if (kept_text_.at(other) == text) return {DuplicateKind::kExact, other, 1.0};

  std::vector<uint64_t> signature;
  std::vector<std::string> numbers;
  if (options_.near) {
    signature = minhash_signature(text, options_.ngram, options_.num_perm);
    numbers = extract_numbers(text);
    DedupeVerdict best;
    for (size_t other : lsh_.candidates(signature)) {
      double similarity = minhash_similarity(signature, signatures_.at(other));
      if (similarity < options_.near_threshold || numbers_.at(other) != numbers) continue;
      if (best.kind == DuplicateKind::kUnique || similarity > best.similarity) best = {DuplicateKind::kNear, other, similarity};
    }
    if (best.kind == DuplicateKind::kNear) return best;
  }
  same_hash.push_back(index);
  kept_text_.emplace(index, std::string(text));
  if (options_.near) {
    lsh_.insert(index, signature);
    signatures_.emplace(index, std::move(signature));
    numbers_.emplace(index, std::move(numbers));
  }
  return {};
}

}  // namespace gemba::data
