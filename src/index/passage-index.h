// The passage index: one SQLite file (no server) holding the manuals' passages
// (index/passage.h) and two FTS5 full-text indexes over them — unicode61 with Porter stemming
// for words (English, and the Latin identifiers in any language), trigram for Japanese. A
// query is searched in both with BM25; the two rankings are fused by reciprocal rank
// (Cormack et al., 2009), since BM25 scores of different indexes are not comparable.
//
// Building is incremental: each document's passages carry a content hash, so rebuilding after
// one manual changed deletes and inserts that manual's passages only (one transaction: a
// failure leaves the index as it was). A new index is written under a temporary name and
// renamed into place.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/passage.h"

struct sqlite3;

namespace gemba::index {

struct SearchHit {
  Passage passage;
  double score = 0;  // fused reciprocal-rank score, higher is better
};

struct IndexUpdate {
  size_t documents_added = 0, documents_updated = 0, documents_removed = 0, documents_unchanged = 0;
  size_t passages = 0;  // in the index after the update
};

class PassageIndex {
 public:
  // Opens an existing index read-only. gemba::Error names the file: missing, not an index,
  // corrupt, or written by an incompatible gemba.
  static PassageIndex open(const std::string& path);

  // Creates `path`, or brings an existing index up to date with `passages` (grouped by their
  // `doc`). `meta` is stored with the index (data directory, tokenizer fingerprint, ...).
  static IndexUpdate build(const std::vector<Passage>& passages, const std::string& path,
                           const std::map<std::string, std::string>& meta);

  PassageIndex(PassageIndex&&) noexcept;
  PassageIndex& operator=(PassageIndex&&) noexcept;
  ~PassageIndex();

  // The best `top_k` passages for a question or statement (empty when nothing matches).
  std::vector<SearchHit> search(const std::string& query, size_t top_k) const;

  size_t passage_count() const;

  // The passage with this id ("en/FAQ.md#12"), if the index has it.
  std::optional<Passage> find(const std::string& id) const;

  // Passages whose text holds `text` as written (a substring search on the trigram index; at
  // least three characters), in index order.
  std::vector<Passage> containing(const std::string& text, size_t limit) const;

  // How much a query term (index/query-terms.h: a word or a trigram) tells apart passages:
  // log((N + 1) / (df + 1)) + 1 over the N passages, df of which hold the term.
  double term_weight(const std::string& term) const;
  const std::map<std::string, std::string>& meta() const { return meta_; }
  const std::string& path() const { return path_; }

 private:
  PassageIndex(sqlite3* db, std::string path);
  std::vector<long long> ranked_rowids(const std::string& table, const std::string& match, size_t limit) const;
  Passage passage_at(long long rowid) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  std::map<std::string, std::string> meta_;
  mutable std::unordered_map<std::string, double> weights_;  // loaded on first use
  mutable double passages_ = -1;
  mutable size_t count_ = SIZE_MAX;
};

// The format version written into every index; open() refuses another.
inline constexpr int kPassageIndexVersion = 1;

}  // namespace gemba::index
