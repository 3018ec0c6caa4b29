// eval: the claim checker on real manual text. The evidence is read at run time from the Klipper
// documentation in ../shared (never copied here); the claims are our own paraphrases, each with
// the verdict a careful reader gives. Plus hand-made cases for what the rule must and must not
// count as a contradiction.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "eval/claim-check.h"

namespace fs = std::filesystem;
using gemba::eval::check_claim;

namespace {

// Lines [first, last] of a Klipper doc, joined by newlines.
std::string klipper_lines(const std::string& doc, int first, int last) {
  std::ifstream in(fs::path(GEMBA_SHARED_DIR) / "corpora" / "klipper" / "raw" / "en" / doc);
  std::string line, out;
  for (int n = 1; std::getline(in, line); ++n)
    if (n >= first && n <= last) out += line + "\n";
  return out;
}

struct RealCase {
  const char* doc;
  int first, last;
  const char* claim;
  bool supported;
};

// Evidence: the deciding lines; claims: paraphrases, true and false (the false ones carry a value
// from a neighbouring option or a nearby sentence).
const RealCase kRealCases[] = {
    {"Config_Reference.md", 40, 41, "Klipper talks to the micro-controller at 250000 baud unless configured otherwise.", true},
    {"Config_Reference.md", 40, 41, "The default serial baud rate for the MCU is 115200.", false},
    {"Config_Reference.md", 2032, 2033, "Resonance testing goes up to 135 Hz by default.", true},
    {"Config_Reference.md", 2032, 2033, "By default the resonance test stops at 100 Hz for X and Y.", false},
    {"Config_Reference.md", 3838, 3840, "The motor sense resistor is taken to be 0.110 ohm when none is given.", true},
    {"Config_Reference.md", 3838, 3840, "The sense_resistor default is .075 ohms.", false},
    {"G-Codes.md", 580, 582, "STEPPER_BUZZ moves the stepper back and forth 10 times.", true},
    {"G-Codes.md", 580, 582, "STEPPER_BUZZ repeats its one-millimetre move five times.", false},
    {"G-Codes.md", 300, 302, "DELTA_CALIBRATE probes 7 points on the bed.", true},
    {"G-Codes.md", 300, 302, "DELTA_CALIBRATE probes five points.", false},
    {"Rotation_Distance.md", 166, 169, "A BMG extruder advertised as 3:1 actually uses 50:17 gears.", true},
    {"Rotation_Distance.md", 166, 169, "The BMG's real gearing is 57:11.", false},
    {"Config_Reference.md", 21, 22, "Putting ^ before an input pin enables the hardware pull-up resistor.", true},
};

}  // namespace

TEST(ClaimCheck, RealKlipperSentences) {
  if (!fs::exists(fs::path(GEMBA_SHARED_DIR) / "corpora" / "klipper" / "raw" / "en")) GTEST_SKIP() << "no ../shared corpus";
  for (const auto& c : kRealCases) {
    const std::string evidence = klipper_lines(c.doc, c.first, c.last);
    ASSERT_FALSE(evidence.empty()) << c.doc << ":" << c.first;
    auto check = check_claim(c.claim, evidence);
    std::string why;
    for (const auto& m : check.missing) why += " missing " + m;
    for (const auto& m : check.contradicted) why += " contradicted " + m;
    EXPECT_EQ(check.supported, c.supported) << c.claim << " | evidence " << c.doc << ":" << c.first << why;
  }
}

TEST(ClaimCheck, ValuesDecideWordsDoNot) {
  // Paraphrase with the same values: supported; the evidence may say more than the claim.
  EXPECT_TRUE(check_claim("The default baud rate is 250000.", "#baud: 250000\n# The baud rate to use. The default is 250000.").supported);
  EXPECT_TRUE(check_claim("Set it to .25", "the value 0.25 works").supported);
  EXPECT_TRUE(check_claim("Resolution 800 x 600", "a panel of 800×600 dots").supported);
  EXPECT_TRUE(check_claim("rotation_distance is 40 here", "set rotation_distance: 40").supported);
  // Another value: not supported, and the missing value is named.
  auto c = check_claim("The ZHP-310 backlight lasts 40,000 hours.", "The backlight life of the ZHP-310 is 30,000 hours.");
  EXPECT_FALSE(c.supported);
  ASSERT_EQ(c.missing.size(), 1u);
  EXPECT_EQ(c.missing[0], "40,000 hours");
  // Units must agree when both are given.
  EXPECT_FALSE(check_claim("It takes 5 s.", "It takes 5 ms.").supported);
  EXPECT_TRUE(check_claim("It takes 5 ms.", "It takes 5 ms (see below).").supported);
  // Identifiers of any case, and only the whole identifier.
  EXPECT_FALSE(check_claim("Use motion.spindle-speed-in", "the pin motion.spindle-speed-out").supported);
  EXPECT_TRUE(check_claim("The PIN MOTION.ENABLE is a bit", "motion.enable (bit) is true when on").supported);
  // Identifiers may stand in the context (heading, the rest of the passage); numbers may not.
  EXPECT_TRUE(check_claim("PROBE_ACCURACY range above 25 microns", "a range greater than 25 microns", {}, "PROBE_ACCURACY").supported);
  EXPECT_FALSE(check_claim("a range above 30 microns", "a range greater than 25 microns", {}, "30 microns elsewhere").supported);
}

TEST(ClaimCheck, ContrastSetsContradict) {
  auto c = check_claim("The feature is enabled by default.", "The feature is disabled by default.");
  EXPECT_FALSE(c.supported);
  EXPECT_EQ(c.contradicted.size(), 1u);
  EXPECT_FALSE(check_claim("X14 is an output pin.", "X14 is an input pin.").supported);
  EXPECT_FALSE(check_claim("初期値は無効です。", "初期値は有効です。").supported);
  // Both words in the evidence: no contradiction ("set to true to enable; the default is false").
  EXPECT_TRUE(check_claim("It can be enabled.", "Set it to enabled to turn it on; it is disabled otherwise.").supported);
  // The corpus's worded values (data/claim-contrasts.h).
  gemba::data::ClaimContrasts corpus = {{"en", "table: Meaning", {"overload", "overspeed"}}};
  EXPECT_FALSE(check_claim("AL.66 means overspeed.", "AL.66: overload", corpus).supported);
  EXPECT_TRUE(check_claim("AL.66 means overload.", "AL.66: overload", corpus).supported);
}
