// Accuracy statistics against values computed by hand / from the definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/statistics.h"

using namespace gemba::eval;

TEST(Wilson, MatchesTheFormula) {
  // 77 of 100 at z = 1.96.
  auto ci = wilson_interval(77, 100);
  double z = 1.96, n = 100, p = 0.77;
  double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  double half = z / (1 + z * z / n) * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  EXPECT_NEAR(ci.low, centre - half, 1e-12);
  EXPECT_NEAR(ci.high, centre + half, 1e-12);
  EXPECT_NEAR(ci.low, 0.6785, 1e-4);  // 77/100, computed independently
  EXPECT_NEAR(ci.high, 0.8416, 1e-4);
}

TEST(Wilson, EdgesStayInsideUnitInterval) {
  auto zero = wilson_interval(0, 10);
  EXPECT_EQ(zero.low, 0.0);
  EXPECT_GT(zero.high, 0.2);
  auto all = wilson_interval(10, 10);
  EXPECT_EQ(all.high, 1.0);
  EXPECT_LT(all.low, 0.8);
  auto none = wilson_interval(0, 0);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_EQ(none.high, 1.0);
}

TEST(Binomial, OneSidedSmallCasesByEnumeration) {
  // n = 4, p = 1/2: P(X >= 3) = (4 + 1) / 16.
  EXPECT_NEAR(binomial_p_at_least(3, 4), 5.0 / 16, 1e-12);
  EXPECT_NEAR(binomial_p_at_least(0, 4), 1.0, 1e-12);
  EXPECT_NEAR(binomial_p_at_least(4, 4), 1.0 / 16, 1e-12);
  EXPECT_EQ(binomial_p_at_least(5, 4), 0.0);
}

TEST(Binomial, TwoSidedIsSymmetricAtHalf) {
  // n = 10, k = 8: P(X <= 2) + P(X >= 8) = 2 * (1 + 10 + 45) / 1024.
  EXPECT_NEAR(binomial_p_two_sided(8, 10), 2.0 * 56 / 1024, 1e-12);
  EXPECT_NEAR(binomial_p_two_sided(2, 10), 2.0 * 56 / 1024, 1e-12);
  EXPECT_NEAR(binomial_p_two_sided(5, 10), 1.0, 1e-12);
}

TEST(Binomial, LargeNIsStable) {
  // 600 of 1000 is far above chance; 500 of 1000 is not.
  EXPECT_LT(binomial_p_at_least(600, 1000), 1e-9);
  EXPECT_GT(binomial_p_at_least(500, 1000), 0.4);
}
