// The values a claim about a manual states, read from real text (prose, config keys, tables),
// for the claim checker (eval/claim-check.h) and for making false statements (data/grounded-rows.h).
//
// On NFKC text:
//  * numbers, normalized: "0.25" = ".25", "20,000" = "20000", "1.50" = "1.5", "seven" = "7",
//    ratios "3:1"; with the unit
//    that follows ("5 mm", "3.3V", "64k", "250000") kept apart, so "5 mm" and "5" agree but
//    "5 mm" and "5 s" do not; "800 x 600" = "800x600" = "800×600" (one dimension value);
//  * identifiers, compared without case: runs of ASCII letters, digits and '_' joined by inner
//    '.', '-', ':' or '/' that hold a digit, an '_' or an inner joiner between letters
//    ("rotation_distance", "G28", "motion.spindle-speed-out", "SET_VELOCITY_LIMIT", "AL.16",
//    "printer.cfg"), paths ("/dev/serial/by-id"), and names in square brackets ("[mcu]");
//  * quoted phrases: inside "", '', ``, 「」 or 『』, compared without spaces or case.
// Plain words, capitals included (HAL, INI, USB), are not values: they are what a claim is
// about, or phrasing; the checker compares them only through contrast sets.
#pragma once
#include <string>
#include <vector>

namespace gemba::index {

enum class ClaimValueKind { kNumber, kIdentifier, kQuoted };

struct ClaimValue {
  ClaimValueKind kind = ClaimValueKind::kNumber;
  std::string key;   // normalized: "0.25", "800x600", "rotation_distance", "arduino"
  std::string unit;  // numbers: "mm", "v", "k", "%" (lower case), or ""
  std::string text;  // as written
  size_t begin = 0, end = 0;  // byte range in the text
};

std::vector<ClaimValue> claim_values(const std::string& nfkc_text);

// "0.250" -> "0.25", ".5" -> "0.5", "20,000" -> "20000", "2.0" -> "2"; other text unchanged.
std::string normalize_number(const std::string& number);

}  // namespace gemba::index
