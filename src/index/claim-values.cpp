#include "index/claim-values.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/utf8.h"

namespace gemba::index {
namespace claim_value_rules {

bool is_core(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Units that may follow a number after a space ("5 mm"); attached letters ("5mm", "64k") are a
// unit whatever they are.
bool is_unit_word(const std::string& w) {
  static const std::array<std::string_view, 52> kUnits = {
      "mm", "cm", "m", "um", "nm", "in", "inch", "inches", "ms", "s", "sec", "us", "ns", "min", "h", "hz", "khz", "mhz",
      "ghz", "v", "mv", "a", "ma", "ua", "w", "kw", "mw", "ohm", "ohms", "k", "rpm", "deg", "degrees", "steps", "step",
      "bytes", "kb", "mb", "gb", "bit", "bits", "baud", "c", "dots", "hours", "hour", "minutes", "minute", "seconds",
      "second", "days", "day"};
  return std::find(kUnits.begin(), kUnits.end(), lower(w)) != kUnits.end();
}

// One spelling per unit: "ohms" = "ohm", "hours" = "hour", "inches" = "inch" (not "ms", "us").
std::string singular_unit(std::string unit) {
  if (unit == "inches") return "inch";
  if (unit.size() > 2 && unit.back() == 's') unit.pop_back();
  return unit;
}

// Japanese counters and units written right after a number ("256点", "5分").
size_t japanese_unit_length(std::string_view rest) {
  static const std::array<std::string_view, 12> kUnits = {"時間", "ヶ月", "分", "秒", "点", "倍", "回", "個", "台", "日", "年", "度"};
  for (auto u : kUnits)
    if (rest.substr(0, u.size()) == u) return u.size();
  return 0;
}

// A run of ASCII value characters starting at i: letters, digits, '_', inner joiners between
// two of them, a thousands comma between digits, a leading '.' before a digit.
size_t run_end(std::string_view t, size_t i) {
  size_t j = i;
  if (t[j] == '.') ++j;
  while (j < t.size()) {
    char c = t[j];
    if (is_core(c)) {
      ++j;
      continue;
    }
    bool between = j > i && j + 1 < t.size() && is_core(t[j - 1]) && is_core(t[j + 1]);
    if (between && (c == '.' || c == '-' || c == ':' || c == '/')) {
      ++j;
      continue;
    }
    // "20,000": a comma followed by exactly three digits, after a digit.
    if (c == ',' && j > i && is_digit(t[j - 1]) && j + 3 < t.size() + 1 && j + 3 <= t.size() && is_digit(t[j + 1]) &&
        is_digit(t[j + 2]) && is_digit(t[j + 3]) && (j + 4 >= t.size() || !is_digit(t[j + 4]))) {
      ++j;
      continue;
    }
    break;
  }
  return j;
}

bool is_numeric(std::string_view s) {
  bool digit = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (is_digit(c)) digit = true;
    else if (c == ':' && i > 0 && i + 1 < s.size() && is_digit(s[i - 1]) && is_digit(s[i + 1])) continue;  // a ratio "3:1"
    else if (c != '.' && c != ',') return false;
  }
  return digit;
}

// "two" .. "twenty", "thirty" .. "ninety", "hundred", "thousand": numbers a manual writes in
// words ("probes seven points"). "one" is left out: it is far more often a determiner.
const char* number_word(const std::string& lower_word) {
  static const std::array<std::pair<std::string_view, const char*>, 27> kWords = {{
      {"two", "2"}, {"three", "3"}, {"four", "4"}, {"five", "5"}, {"six", "6"}, {"seven", "7"}, {"eight", "8"},
      {"nine", "9"}, {"ten", "10"}, {"eleven", "11"}, {"twelve", "12"}, {"thirteen", "13"}, {"fourteen", "14"},
      {"fifteen", "15"}, {"sixteen", "16"}, {"seventeen", "17"}, {"eighteen", "18"}, {"nineteen", "19"},
      {"twenty", "20"}, {"thirty", "30"}, {"forty", "40"}, {"fifty", "50"}, {"sixty", "60"}, {"seventy", "70"},
      {"eighty", "80"}, {"ninety", "90"}, {"hundred", "100"}}};
  for (const auto& [w, n] : kWords)
    if (lower_word == w) return n;
  return nullptr;
}

// "64k" -> ("64", "k"); "3.3V" -> ("3.3", "v"); "G28" -> none (starts with a letter).
bool split_number_unit(std::string_view s, std::string& number, std::string& unit) {
  size_t k = 0;
  while (k < s.size() && (is_digit(s[k]) || s[k] == '.' || s[k] == ',')) ++k;
  if (k == 0 || k == s.size() || !is_numeric(s.substr(0, k))) return false;
  for (size_t m = k; m < s.size(); ++m)
    if (!is_alpha(s[m])) return false;
  if (s.size() - k > 4) return false;
  number = std::string(s.substr(0, k));
  unit = singular_unit(lower(std::string(s.substr(k))));
  return true;
}

bool is_identifier(std::string_view s, bool after_slash) {
  // A path: "/dev/serial/by-id", "~/klipper", "docs/Config.md".
  const size_t slashes = static_cast<size_t>(std::count(s.begin(), s.end(), '/'));
  if (slashes >= 2 || (slashes >= 1 && after_slash)) return true;
  bool letter = false, digit = false, underscore = false, dotted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    letter |= is_alpha(c);
    digit |= is_digit(c);
    underscore |= c == '_';
    if ((c == '.' || c == ':') && i > 0 && i + 1 < s.size() && is_alpha(s[i - 1]) && is_alpha(s[i + 1])) dotted = true;
  }
  if (!letter) return false;
  // "e.g", "i.e": abbreviations, not names.
  if (dotted && !digit && !underscore && s.size() <= 4) return false;
  return digit || underscore || dotted;
}

std::string spaceless_lower(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

void quoted_values(const std::string& t, std::vector<ClaimValue>& out) {
  const std::array<std::pair<std::string_view, std::string_view>, 6> kQuotes = {
      {{"\"", "\""}, {"`", "`"}, {"「", "」"}, {"『", "』"}, {"“", "”"}, {"'", "'"}}};
  for (const auto& [open, close] : kQuotes) {
    for (size_t pos = t.find(open); pos != std::string::npos; pos = t.find(open, pos)) {
      // A single quote opens only after a non-letter ("don't" has none).
      if (open == "'" && pos > 0 && is_alpha(t[pos - 1])) {
        pos += 1;
        continue;
      }
      size_t start = pos + open.size(), end = t.find(close, start);
      if (end == std::string::npos || end - start > 120) break;
      if (open == "'" && end + 1 < t.size() && is_alpha(t[end + 1])) {
        pos = end + 1;
        continue;
      }
      std::string key = spaceless_lower(std::string_view(t).substr(start, end - start));
      if (!key.empty()) out.push_back({ClaimValueKind::kQuoted, key, "", t.substr(start, end - start), start, end});
      pos = end + close.size();
    }
  }
}

}  // namespace claim_value_rules

std::string normalize_number(const std::string& number) {
  std::string s;
  for (char c : number)
    if (c != ',') s.push_back(c);
  if (!s.empty() && s[0] == '.') s = "0" + s;
  size_t dot = s.find('.');
  if (dot != std::string::npos && s.find('.', dot + 1) == std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  // Leading zeros of an integer part ("007" -> "7"), but not "0.5".
  size_t nz = 0;
  while (nz + 1 < s.size() && s[nz] == '0' && s[nz + 1] != '.') ++nz;
  return s.substr(nz);
}

std::vector<ClaimValue> claim_values(const std::string& t) {
  using namespace claim_value_rules;
  std::vector<ClaimValue> out;
  quoted_values(t, out);
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    bool starts = is_core(c) || (c == '.' && i + 1 < t.size() && is_digit(t[i + 1]) && (i == 0 || !is_core(t[i - 1])));
    if (!starts || (i > 0 && is_core(t[i - 1]))) {
      // "[mcu]": a bracketed name.
      if (c == '[') {
        size_t close = t.find(']', i + 1);
        if (close != std::string::npos && close - i <= 48 && close > i + 1 && is_alpha(t[i + 1])) {
          std::string inner = t.substr(i + 1, close - i - 1);
          if (std::all_of(inner.begin(), inner.end(), [](char ch) { return is_core(ch) || ch == ' ' || ch == '.' || ch == '-'; }))
            out.push_back({ClaimValueKind::kIdentifier, lower(inner), "", t.substr(i, close - i + 1), i, close + 1});
        }
      }
      ++i;
      continue;
    }
    size_t j = run_end(t, i);
    std::string run = t.substr(i, j - i);
    // Trailing joiners are punctuation ("is 5." -> "5").
    while (!run.empty() && (run.back() == '.' || run.back() == '-' || run.back() == ':' || run.back() == '/')) {
      run.pop_back();
      --j;
    }
    // "800x600" written without spaces: one dimension value.
    if (size_t x = run.find_first_of("xX"); x != std::string::npos && x > 0 && x + 1 < run.size() &&
                                            is_numeric(run.substr(0, x)) && is_numeric(run.substr(x + 1))) {
      out.push_back({ClaimValueKind::kNumber, normalize_number(run.substr(0, x)) + "x" + normalize_number(run.substr(x + 1)), "", run, i, j});
      i = j;
      continue;
    }
    std::string number, unit;
    if (is_numeric(run) || split_number_unit(run, number, unit)) {
      if (number.empty()) number = run;
      size_t end = j;
      // A unit after one space ("5 mm"), or a Japanese counter right after ("256点").
      if (unit.empty()) {
        size_t k = j;
        if (k < t.size() && t[k] == ' ') ++k;
        size_t w = k;
        while (w < t.size() && (is_alpha(t[w]) || t[w] == '%')) ++w;
        std::string word = t.substr(k, w - k);
        if (!word.empty() && (word == "%" || is_unit_word(word)) && (w >= t.size() || !is_core(t[w]))) {
          unit = singular_unit(lower(word));
          end = w;
        } else if (j < t.size() && t[j] == '%') {
          unit = "%";
          end = j + 1;
        } else if (size_t n = japanese_unit_length(std::string_view(t).substr(j))) {
          unit = t.substr(j, n);
          end = j + n;
        }
      }
      // "800 x 600", "800x600", "800×600": one dimension value.
      size_t k = end;
      while (k < t.size() && t[k] == ' ') ++k;
      size_t times = 0;
      if (k < t.size() && (t[k] == 'x' || t[k] == 'X')) times = 1;
      else if (t.compare(k, 2, "\xC3\x97") == 0) times = 2;  // ×
      if (times && unit.empty()) {
        size_t m = k + times;
        while (m < t.size() && t[m] == ' ') ++m;
        if (m < t.size() && is_digit(t[m])) {
          size_t n = run_end(t, m);
          std::string second = t.substr(m, n - m);
          if (is_numeric(second)) {
            out.push_back({ClaimValueKind::kNumber, normalize_number(number) + "x" + normalize_number(second), "", t.substr(i, n - i), i, n});
            i = n;
            continue;
          }
        }
      }
      out.push_back({ClaimValueKind::kNumber, normalize_number(number), unit, t.substr(i, end - i), i, end});
      i = end;
      continue;
    }
    const bool after_slash = i > 0 && (t[i - 1] == '/' || t[i - 1] == '~');
    if (is_identifier(run, after_slash)) {
      out.push_back({ClaimValueKind::kIdentifier, lower(run), "", run, i, j});
    } else if (const char* n = number_word(lower(run))) {
      out.push_back({ClaimValueKind::kNumber, n, "", run, i, j});
    }
    i = std::max(j, i + 1);
  }
  std::sort(out.begin(), out.end(), [](const ClaimValue& a, const ClaimValue& b) { return a.begin < b.begin; });
  return out;
}

}  // namespace gemba::index
