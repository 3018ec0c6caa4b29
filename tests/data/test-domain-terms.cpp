// Domain terms the tokenizer keeps whole (data/domain-terms.h).
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/domain-terms.h"

namespace {

using gemba::data::collect_domain_terms;
using gemba::data::DomainTermOptions;

TEST(DomainTerms, MostFrequentFirstSeenTwiceCapped) {
  const std::string text = "ZCP-110 and ZCP-140. ZCP-140 again, ZSV-A11 once, ZCP-110 and ZCP-140 once more. ZHP-310 ZHP-310";
  DomainTermOptions o;
  o.pattern = "Z[A-Z]{2}-[A-Z0-9]{2,3}";
  EXPECT_EQ(collect_domain_terms(text, o), (std::vector<std::string>{"ZCP-140", "ZCP-110", "ZHP-310"}));
  o.min_count = 1;
  EXPECT_EQ(collect_domain_terms(text, o), (std::vector<std::string>{"ZCP-140", "ZCP-110", "ZHP-310", "ZSV-A11"}));
  o.max_terms = 2;
  EXPECT_EQ(collect_domain_terms(text, o), (std::vector<std::string>{"ZCP-140", "ZCP-110"}));
}

TEST(DomainTerms, NoPatternNoTermsBadPatternsAreErrors) {
  DomainTermOptions o;
  EXPECT_TRUE(collect_domain_terms("ZCP-110 ZCP-110", o).empty());
  o.pattern = "Z[A-Z";
  try {
    collect_domain_terms("ZCP-110", o);
    FAIL() << "an invalid regex must be an error";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--keep-whole"), std::string::npos) << e.what();
  }
  o.pattern = "x*";
  EXPECT_THROW(collect_domain_terms("abc", o), gemba::Error);
}

}  // namespace
