#include "eval/statistics.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace gemba::eval {
namespace {

// log of the Binomial(n, p) probability mass at i, through lgamma so n can be large.
double log_binomial_pmf(uint64_t i, uint64_t n, double p) {
  if (p <= 0) return i == 0 ? 0.0 : -INFINITY;
  if (p >= 1) return i == n ? 0.0 : -INFINITY;
  return std::lgamma(double(n) + 1) - std::lgamma(double(i) + 1) - std::lgamma(double(n - i) + 1) +
         double(i) * std::log(p) + double(n - i) * std::log1p(-p);
}

}  // namespace

Interval wilson_interval(uint64_t k, uint64_t n, double z) {
  if (n == 0) return {0.0, 1.0};
  const double nn = double(n), phat = double(k) / nn, z2 = z * z;
  const double center = (phat + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(phat * (1 - phat) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

double binomial_p_at_least(uint64_t k, uint64_t n, double p) {
  if (k == 0) return 1.0;
  if (k > n) return 0.0;
  double total = 0;
  for (uint64_t i = k; i <= n; ++i) total += std::exp(log_binomial_pmf(i, n, p));
  return std::min(1.0, total);
}

double binomial_p_two_sided(uint64_t k, uint64_t n, double p) {
  if (n == 0) return 1.0;
  const double observed = log_binomial_pmf(std::min(k, n), n, p);
  double total = 0;
  for (uint64_t i = 0; i <= n; ++i) {
    double lp = log_binomial_pmf(i, n, p);
    if (lp <= observed + 1e-9) total += std::exp(lp);  // relative slack for rounding
  }
  return std::min(1.0, total);
}

}  // namespace gemba::eval
