// data: deterministic split by key.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "data/split.h"

using namespace gemba::data;

namespace {
std::vector<std::string> keys(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("manuals/doc-" + std::to_string(i) + ".md");
  return out;
}
size_t count(const std::vector<bool>& v) { return std::count(v.begin(), v.end(), true); }
}  // namespace

TEST(Split, FractionAndDeterminism) {
  auto k = keys(200);
  auto a = choose_validation(k, 0.1, 7);
  EXPECT_EQ(count(a), 20u);
  EXPECT_EQ(choose_validation(k, 0.1, 7), a);
  EXPECT_NE(choose_validation(k, 0.1, 8), a);  // another seed, another split
}

TEST(Split, IndependentOfInputOrder) {
  auto k = keys(50);
  auto a = choose_validation(k, 0.2, 3);
  std::vector<std::string> reversed(k.rbegin(), k.rend());
  auto b = choose_validation(reversed, 0.2, 3);
  for (size_t i = 0; i < k.size(); ++i) EXPECT_EQ(a[i], b[k.size() - 1 - i]) << k[i];
}

TEST(Split, SmallSetsKeepBothSides) {
  EXPECT_EQ(count(choose_validation(keys(2), 0.01, 1)), 1u);
  EXPECT_EQ(count(choose_validation(keys(3), 0.9, 1)), 2u);
  EXPECT_EQ(count(choose_validation(keys(1), 0.5, 1)), 0u);
  EXPECT_EQ(count(choose_validation(keys(10), 0.0, 1)), 0u);
  EXPECT_TRUE(choose_validation({}, 0.5, 1).empty());
  EXPECT_THROW(choose_validation(keys(3), 1.0, 1), gemba::Error);
  EXPECT_THROW(choose_validation(keys(3), -0.1, 1), gemba::Error);
}
