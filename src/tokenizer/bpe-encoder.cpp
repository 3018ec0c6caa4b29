#include "tokenizer/bpe-encoder.h"

#include <algorithm>

namespace gemba::tokenizer {

namespace {
uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}
}  // namespace

BpeEncoder::BpeEncoder(const TokenizerSpec& spec)
    : unk_id_(spec.unk_id), has_merge_list_(spec.has_merge_list) {
  std::vector<std::pair<std::string_view, int32_t>> pieces, user;
  scores_.resize(spec.entries.size());
  unused_.resize(spec.entries.size());
  for (size_t i = 0; i < spec.entries.size(); ++i) {
    const auto& e = spec.entries[i];
    scores_[i] = e.score;
    unused_[i] = e.kind == TokenKind::kUnused;
    if (e.kind == TokenKind::kNormal || e.kind == TokenKind::kUserDefined || e.kind == TokenKind::kUnused)
      pieces.emplace_back(e.piece, static_cast<int32_t>(i));
    if (e.kind == TokenKind::kUserDefined) user.emplace_back(e.piece, static_cast<int32_t>(i));
  }
  pieces_.build(std::move(pieces));
  user_defined_.build(std::move(user));
  // Candidate merges: from the explicit list, or every character-boundary split of a piece
  // into two pieces (exactly the concatenations SentencePiece's string lookup can find).
  std::vector<std::pair<uint64_t, int32_t>> candidates;
  if (has_merge_list_) {
    for (const auto& [l, r] : spec.merges) {
      const int32_t m = pieces_.find(spec.entries[static_cast<size_t>(l)].piece + spec.entries[static_cast<size_t>(r)].piece);
      if (m >= 0) candidates.emplace_back(pair_key(l, r), m);
    }
  } else {
    for (size_t i = 0; i < spec.entries.size(); ++i) {
      const auto& e = spec.entries[i];
      if (e.kind != TokenKind::kNormal && e.kind != TokenKind::kUserDefined && e.kind != TokenKind::kUnused) continue;
      const std::string_view p = e.piece;
      for (size_t cut = sp_char_length_of(p, 0); cut < p.size(); cut += sp_char_length_of(p, cut)) {
        const int32_t l = pieces_.find(p.substr(0, cut)), r = pieces_.find(p.substr(cut));
        if (l >= 0 && r >= 0) candidates.emplace_back(pair_key(l, r), static_cast<int32_t>(i));
      }
    }
  }
  size_t capacity = 16;
  pair_shift_ = 60;
  while (capacity < candidates.size() * 2) capacity *= 2, --pair_shift_;
  pairs_.assign(capacity, PairSlot{});
  pair_mask_ = capacity - 1;
  for (const auto& [key, value] : candidates) add_pair(key, value);
}

void BpeEncoder::add_pair(uint64_t key, int32_t value) {
  for (uint64_t h = (key * 0x9E3779B97F4A7C15ull) >> pair_shift_;; h = (h + 1) & pair_mask_) {
    PairSlot& s = pairs_[h];
    if (s.value < 0 || s.key == key) {
      s.key = key;
      s.value = value;
      return;
    }
  }
}

int32_t BpeEncoder::merged_piece(const char* data, const Symbol& left, const Symbol& right) const {
  if (left.id >= 0 && right.id >= 0) return find_pair(pair_key(left.id, right.id));
  if (has_merge_list_) return -1;
  // A symbol that is not a piece (an unknown character): SentencePiece's string lookup.
  return pieces_.find(std::string_view(data + left.begin, left.length + right.length));
}

void BpeEncoder::encode(std::string_view text, std::vector<EncodedPiece>& out) const {
  if (text.empty()) return;
  struct Pair {
    float score;
    int32_t left, right;
    uint32_t length;
    int32_t merged;
  };
  struct Lower {  // SentencePiece's order: higher score first, then the leftmost pair
    bool operator()(const Pair& a, const Pair& b) const {
      return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
  };
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<Pair> agenda;  // a max-heap under Lower
  symbols.clear();
  agenda.clear();
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> rev_merge;  // only for unused pieces

  // Initial split: user-defined symbols whole (longest match), otherwise one character.
  const char* data = text.data();
  const uint32_t size = static_cast<uint32_t>(text.size());
  for (uint32_t pos = 0; pos < size;) {
    uint32_t len = 0;
    bool frozen = false;
    if (!user_defined_.empty()) {
      user_defined_.for_each_prefix(data + pos, size - pos, [&](size_t n, int32_t) { len = static_cast<uint32_t>(n); });
      frozen = len > 0;
    }
    if (len == 0) len = std::min(sp_char_length(static_cast<unsigned char>(data[pos])), size - pos);
    const int32_t index = static_cast<int32_t>(symbols.size());
    symbols.push_back({pos, len, index - 1, pos + len < size ? index + 1 : -1,
                       pieces_.find(std::string_view(data + pos, len)), frozen});
    pos += len;
  }

  auto maybe_add_pair = [&](int32_t left, int32_t right) {
    if (left < 0 || right < 0 || symbols[left].frozen || symbols[right].frozen) return;
    const uint32_t length = symbols[left].length + symbols[right].length;
    const int32_t id = merged_piece(data, symbols[left], symbols[right]);
    if (id < 0) return;
    agenda.push_back({scores_[id], left, right, length, id});
    std::push_heap(agenda.begin(), agenda.end(), Lower{});
    if (unused_[id])
      rev_merge[pair_key(static_cast<int32_t>(symbols[left].begin), static_cast<int32_t>(length))] = {
          symbols[left].length, symbols[right].length};
  };
  for (size_t i = 1; i < symbols.size(); ++i) maybe_add_pair(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));

  while (!agenda.empty()) {
    std::pop_heap(agenda.begin(), agenda.end(), Lower{});
    const Pair top = agenda.back();
    agenda.pop_back();
    Symbol& left = symbols[top.left];
    Symbol& right = symbols[top.right];
    // Stale entry: one side was merged away or changed since the pair was queued.
    if (left.length == 0 || right.length == 0 || left.length + right.length != top.length) continue;
    left.length += right.length;
    left.id = top.merged;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.left;
    right.length = 0;
    maybe_add_pair(left.prev, top.left);
    maybe_add_pair(top.left, left.next);
  }

  for (int32_t i = 0; i >= 0; i = symbols[i].next) {
    const Symbol& s = symbols[i];
    resegment(text, s.begin, s.length, s.id < 0 ? unk_id_ : s.id, rev_merge, out);
  }
}

void BpeEncoder::resegment(std::string_view text, uint32_t begin, uint32_t length, int32_t id,
                           const std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>>& rev_merge,
                           std::vector<EncodedPiece>& out) const {
  // An unused piece may be a merge intermediate but is never emitted: split it back into the
  // two symbols it was merged from.
  if (id == unk_id_ || !unused_[id]) {
    out.push_back({id, begin, length});
    return;
  }
  auto it = rev_merge.find(pair_key(static_cast<int32_t>(begin), static_cast<int32_t>(length)));
  if (it == rev_merge.end()) {
    out.push_back({id, begin, length});
    return;
  }
  const uint32_t left_len = it->second.first, right_len = it->second.second;
  auto id_of = [&](uint32_t b, uint32_t n) {
    int32_t v = pieces_.find(text.substr(b, n));
    return v < 0 ? unk_id_ : v;
  };
  resegment(text, begin, left_len, id_of(begin, left_len), rev_merge, out);
  resegment(text, begin + left_len, right_len, id_of(begin + left_len, right_len), rev_merge, out);
}

}  // namespace gemba::tokenizer
