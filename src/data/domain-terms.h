// Domain terms kept whole by the tokenizer: every distinct match of a pattern (e.g. a vendor's
// product codes, `Z[A-Z]{2}-[A-Z0-9]{2,3}`) in the training text becomes one user-defined
// token. Why: a trained tokenizer splits digits, so "ZCP-110" and "ZCP-140" are 5 tokens each
// that differ only in the middle digit; a small model then has to learn to bind every value in
// the manuals to that one digit. As one token each, a product is one embedding the facts
// attach to — what continual pre-training needs to learn which value belongs to which product.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gemba::data {

struct DomainTermOptions {
  std::string pattern;     // ECMAScript regular expression; empty: no terms
  size_t min_count = 2;    // a match seen fewer times is not worth a vocabulary entry
  size_t max_terms = 256;  // the most frequent ones win (ties: byte order)
};

// The distinct matches of options.pattern in `text`, most frequent first. Throws gemba::Error
// naming the pattern when it is not a valid regular expression or matches the empty string.
std::vector<std::string> collect_domain_terms(std::string_view text, const DomainTermOptions& options);

}  // namespace gemba::data
