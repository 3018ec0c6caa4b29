#include "data/value-tokens.h"

#include <algorithm>
#include <cctype>

#include "core/nfkc.h"

namespace gemba::data {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_joiner(char c) { return c == '.' || c == ',' || c == '-' || c == '/' || c == ':'; }

bool is_value(const std::string& token) {
  if (std::any_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c); })) return true;
  return token.size() >= 2 && std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isupper(c); });
}

}  // namespace

std::vector<std::pair<size_t, size_t>> value_token_spans(const std::string& text) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0; i < text.size();) {
    if (!is_alnum(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && (is_alnum(text[j]) || (is_joiner(text[j]) && j + 1 < text.size() && is_alnum(text[j + 1]))))
      ++j;
    if (is_value(text.substr(i, j - i))) out.emplace_back(i, j);
    i = j;
  }
  return out;
}

std::vector<std::string> value_tokens(const std::string& raw, const std::string& what) {
  const std::string text = nfkc(raw, what);
  std::vector<std::string> out;
  for (const auto& [begin, end] : value_token_spans(text)) out.push_back(text.substr(begin, end - begin));
  return out;
}

}  // namespace gemba::data
