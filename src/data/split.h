// Deterministic train/validation split by key (a document id, an FAQ pair): the keys are
// ordered by a seeded hash of the key and the first round(fraction * n) go to validation, so
// the split depends only on (keys, fraction, seed), not on input order. With a fraction > 0
// and at least two keys, validation gets at least one key and training keeps at least one.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gemba::data {

std::vector<bool> choose_validation(const std::vector<std::string>& keys, double fraction, uint64_t seed);

}  // namespace gemba::data
