// Statistics for small-sample accuracy reports: a 2-choice test of a few hundred items
// has wide error bars, so every accuracy is reported with an interval and a test vs chance.
#pragma once
#include <cstdint>

namespace gemba::eval {

struct Interval {
  double low = 0, high = 0;
};

// Wilson score interval for k successes in n trials (Wilson 1927); z = 1.96 for 95%.
Interval wilson_interval(uint64_t k, uint64_t n, double z = 1.96);

// Exact one-sided binomial test: P(X >= k) for X ~ Binomial(n, p). The p-value that the
// model is better than chance (p = 0.5 on a 2-choice test).
double binomial_p_at_least(uint64_t k, uint64_t n, double p = 0.5);

// Exact two-sided binomial test (sum of outcomes no more likely than k).
double binomial_p_two_sided(uint64_t k, uint64_t n, double p = 0.5);

}  // namespace gemba::eval
