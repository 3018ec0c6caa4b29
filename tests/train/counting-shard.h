// A learnable token shard for trainer tests: documents that count upwards with a
// per-document step (ids 3..96, wrapping), each ending in EOS. Deterministic in `seed`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/token-shard.h"

namespace gemba::test {

inline std::string write_counting_shard(const std::string& path, uint64_t seed, int docs, int64_t vocab, int32_t eos) {
  data::TokenShardWriter writer(path, vocab);
  uint64_t s = seed;
  for (int d = 0; d < docs; ++d) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;  // one LCG step per document
    const int32_t step = 1 + static_cast<int32_t>((s >> 33) % 5);
    int32_t tok = 3 + static_cast<int32_t>((s >> 40) % 90);
    std::vector<int32_t> doc;
    const int len = 8 + static_cast<int>((s >> 20) % 24);
    for (int i = 0; i < len; ++i) {
      doc.push_back(tok);
      tok = 3 + (tok - 3 + step) % 94;
    }
    doc.push_back(eos);
    writer.append(doc);
  }
  writer.commit();
  return path;
}

}  // namespace gemba::test
