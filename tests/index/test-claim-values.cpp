// index: the values a claim states, read from real text (numbers, identifiers, quoted phrases).
#include <gtest/gtest.h>

#include "index/claim-values.h"

using namespace gemba::index;

namespace {

std::vector<std::string> keys(const std::string& text, ClaimValueKind kind) {
  std::vector<std::string> out;
  for (const auto& v : claim_values(text))
    if (v.kind == kind) out.push_back(v.unit.empty() ? v.key : v.key + " " + v.unit);
  return out;
}
using V = std::vector<std::string>;

}  // namespace

TEST(ClaimValues, NumbersAreNormalizedWithTheirUnits) {
  EXPECT_EQ(keys("set it to .25 mm, then 20,000 steps at 3.3V and 64k", ClaimValueKind::kNumber),
            (V{"0.25 mm", "20000 step", "3.3 v", "64 k"}));
  EXPECT_EQ(keys("a 800 x 600 panel, or 1024×768, or 800x600", ClaimValueKind::kNumber), (V{"800x600", "1024x768", "800x600"}));
  EXPECT_EQ(keys("It probes seven points with a 3:1 gear and 1.50 s", ClaimValueKind::kNumber), (V{"7", "3:1", "1.5 s"}));
  EXPECT_EQ(keys("0.110 ohms, 2 hours", ClaimValueKind::kNumber), (V{"0.11 ohm", "2 hour"}));
  EXPECT_EQ(keys("定格は256点、時間は5分です", ClaimValueKind::kNumber), (V{"256 点", "5 分"}));
  EXPECT_EQ(keys("The default is 250000.", ClaimValueKind::kNumber), (V{"250000"}));
  EXPECT_EQ(normalize_number("007"), "7");
  EXPECT_EQ(normalize_number("0.5"), "0.5");
  EXPECT_EQ(normalize_number("2.0"), "2");
}

TEST(ClaimValues, IdentifiersOfAnyCaseStayWhole) {
  EXPECT_EQ(keys("The pin motion.spindle-speed-out is a float; rotation_distance and G28 too.", ClaimValueKind::kIdentifier),
            (V{"motion.spindle-speed-out", "rotation_distance", "g28"}));
  EXPECT_EQ(keys("Use SET_VELOCITY_LIMIT in the [mcu] section, see ls /dev/serial/by-id/*", ClaimValueKind::kIdentifier),
            (V{"set_velocity_limit", "mcu", "dev/serial/by-id"}));
  // Capitals alone are words, not values; abbreviations are not identifiers.
  EXPECT_TRUE(keys("The HAL and INI files of the GUI, e.g. this one", ClaimValueKind::kIdentifier).empty());
}

TEST(ClaimValues, QuotedPhrases) {
  EXPECT_EQ(keys("The choices are 'arduino' and \"command\"; 「過負荷」 too, don't split", ClaimValueKind::kQuoted),
            (V{"arduino", "command", "過負荷"}));
}
