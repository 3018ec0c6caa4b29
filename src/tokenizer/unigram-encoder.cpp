#include "tokenizer/unigram-encoder.h"

#include <algorithm>
#include <cfloat>

namespace gemba::tokenizer {

namespace {
constexpr float kUnkPenalty = 10.0f;
}

UnigramEncoder::UnigramEncoder(const TokenizerSpec& spec) : unk_id_(spec.unk_id) {
  std::vector<std::pair<std::string_view, int32_t>> pieces;
  scores_.resize(spec.entries.size());
  kinds_.resize(spec.entries.size());
  // SentencePiece starts max at FLT_MIN (the smallest positive float), not -FLT_MAX; kept so
  // user-defined bonuses come out identical.
  min_score_ = FLT_MAX;
  max_score_ = FLT_MIN;
  for (size_t i = 0; i < spec.entries.size(); ++i) {
    const auto& e = spec.entries[i];
    scores_[i] = e.score;
    kinds_[i] = static_cast<uint8_t>(e.kind);
    if (e.kind == TokenKind::kNormal || e.kind == TokenKind::kUserDefined || e.kind == TokenKind::kUnused)
      pieces.emplace_back(e.piece, static_cast<int32_t>(i));
    if (e.kind == TokenKind::kNormal) {
      min_score_ = std::min(min_score_, e.score);
      max_score_ = std::max(max_score_, e.score);
    }
  }
  pieces_.build(std::move(pieces));
}

void UnigramEncoder::encode(std::string_view text, std::vector<EncodedPiece>& out) const {
  if (text.empty()) return;
  struct BestPath {
    int32_t id = -1;
    float score = 0;
    int32_t starts_at = -1;
  };
  thread_local std::vector<BestPath> best;
  const uint32_t size = static_cast<uint32_t>(text.size());
  best.assign(size + 1, BestPath{});
  const float unk_score = min_score_ - kUnkPenalty;
  const char* data = text.data();
  for (uint32_t start = 0; start < size;) {
    const float score_here = best[start].score;
    const uint32_t char_len = std::min(sp_char_length(static_cast<unsigned char>(data[start])), size - start);
    bool has_single_char = false;
    pieces_.for_each_prefix(data + start, size - start, [&](size_t length, int32_t id) {
      const auto kind = static_cast<TokenKind>(kinds_[id]);
      if (kind == TokenKind::kUnused) return;
      // As SentencePiece: the candidate is computed in double (the user-defined bonus is a
      // double expression) and stored as float.
      const double score = kind == TokenKind::kUserDefined ? user_defined_score(length) : static_cast<double>(scores_[id]);
      const double candidate = score + static_cast<double>(score_here);
      BestPath& target = best[start + length];
      if (target.starts_at == -1 || candidate > static_cast<double>(target.score)) {
        target.score = static_cast<float>(candidate);
        target.starts_at = static_cast<int32_t>(start);
        target.id = id;
      }
      if (length == char_len) has_single_char = true;
    });
    if (!has_single_char) {
      BestPath& target = best[start + char_len];
      const float candidate = unk_score + score_here;
      if (target.starts_at == -1 || candidate > target.score) {
        target.score = candidate;
        target.starts_at = static_cast<int32_t>(start);
        target.id = unk_id_;
      }
    }
    start += char_len;
  }
  const size_t first = out.size();
  for (uint32_t end = size; end > 0;) {
    const BestPath& node = best[end];
    out.push_back({node.id, static_cast<uint32_t>(node.starts_at), end - static_cast<uint32_t>(node.starts_at)});
    end = static_cast<uint32_t>(node.starts_at);
  }
  std::reverse(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
}

}  // namespace gemba::tokenizer
