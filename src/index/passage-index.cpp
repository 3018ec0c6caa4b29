#include "index/passage-index.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <unordered_map>

#include "core/content-hash.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/error.h"
#include "index/claim-values.h"
#include "index/query-terms.h"

namespace gemba::index {
namespace fs = std::filesystem;
namespace {

constexpr double kReciprocalRankK = 60;  // Cormack et al.'s constant

// One prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) fail_here("prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, long long v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // True while there is a row.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail_here("step");
    return false;
  }
  void run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string text(int col) const {
    const unsigned char* s = sqlite3_column_text(stmt_, col);
    return s ? std::string(reinterpret_cast<const char*>(s), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }
  long long integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  [[noreturn]] void fail_here(const char* what) const {
    fail(path_, ": passage index ", what, " failed: ", sqlite3_errmsg(db_),
         "; rebuild it with gemba index build --data DATA_DIR -o ", path_);
  }
  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const std::string& sql, const std::string& path) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string m = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    fail(path, ": passage index: ", m, "; rebuild it with gemba index build --data DATA_DIR -o ", path);
  }
}

sqlite3* open_db(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    fail(path, ": cannot open the passage index: ", m);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

void create_schema(sqlite3* db, const std::string& path) {
  exec(db,
       "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "CREATE TABLE documents(doc TEXT PRIMARY KEY, hash TEXT NOT NULL);"
       "CREATE TABLE passages(rowid INTEGER PRIMARY KEY, pid TEXT NOT NULL, doc TEXT NOT NULL, json TEXT NOT NULL);"
       "CREATE INDEX passages_doc ON passages(doc);"
       "CREATE INDEX passages_pid ON passages(pid);"
       "CREATE VIRTUAL TABLE words USING fts5(body, tokenize='porter unicode61 remove_diacritics 2');"
       "CREATE VIRTUAL TABLE trigrams USING fts5(body, tokenize='trigram');"
       "CREATE TABLE terms(term TEXT PRIMARY KEY, df INTEGER NOT NULL);",
       path);
}

// What the full-text indexes see of a passage: its document title and heading path, then its text.
std::string searchable_body(const Passage& p) {
  std::string body = p.title;
  std::string section = section_path_text(p.section);
  if (!section.empty()) body += (body.empty() ? "" : " > ") + section;
  return body + "\n" + p.text;
}

std::map<std::string, std::string> read_meta(sqlite3* db, const std::string& path) {
  std::map<std::string, std::string> meta;
  Statement q(db, "SELECT key, value FROM meta", path);
  while (q.step()) meta[q.text(0)] = q.text(1);
  return meta;
}

void check_version(const std::map<std::string, std::string>& meta, const std::string& path) {
  auto it = meta.find("format_version");
  if (it == meta.end()) fail(path, ": not a gemba passage index (no format_version); build one with gemba index build");
  if (it->second != std::to_string(kPassageIndexVersion))
    fail(path, ": passage index format ", it->second, ", this gemba reads ", kPassageIndexVersion,
         "; rebuild it with gemba index build --data DATA_DIR -o ", path);
}

// The passages grouped by document, in the order documents first appear.
std::vector<std::pair<std::string, std::vector<const Passage*>>> by_document(const std::vector<Passage>& passages) {
  std::vector<std::pair<std::string, std::vector<const Passage*>>> groups;
  std::unordered_map<std::string, size_t> where;
  for (const auto& p : passages) {
    auto [it, fresh] = where.try_emplace(p.doc, groups.size());
    if (fresh) groups.push_back({p.doc, {}});
    groups[it->second].second.push_back(&p);
  }
  return groups;
}

// The document frequency of every query term over all passages (after any update: the weights
// depend on the whole collection).
void recount_terms(sqlite3* db, const std::string& path) {
  std::unordered_map<std::string, long long> df;
  {
    Statement q(db, "SELECT json FROM passages", path);
    while (q.step()) {
      Passage p = passage_from_json(parse_json(q.text(0), path), path);
      QueryTerms terms = query_terms(searchable_body(p), 1u << 20);
      for (const auto& w : terms.words) ++df[w];
      for (const auto& t : terms.trigrams) ++df[t];
    }
  }
  exec(db, "DELETE FROM terms", path);
  Statement add(db, "INSERT INTO terms(term, df) VALUES(?, ?)", path);
  for (const auto& [term, n] : df) add.bind(1, term).bind(2, n).run();
}

void apply_update(sqlite3* db, const std::vector<Passage>& passages, const std::map<std::string, std::string>& meta,
                  const std::string& path, IndexUpdate& update) {
  exec(db, "BEGIN IMMEDIATE", path);
  try {
    std::map<std::string, std::string> stored;  // doc -> hash
    {
      Statement q(db, "SELECT doc, hash FROM documents", path);
      while (q.step()) stored[q.text(0)] = q.text(1);
    }
    Statement rowids(db, "SELECT rowid FROM passages WHERE doc = ?", path);
    Statement del_words(db, "DELETE FROM words WHERE rowid = ?", path);
    Statement del_trigrams(db, "DELETE FROM trigrams WHERE rowid = ?", path);
    Statement del_passages(db, "DELETE FROM passages WHERE doc = ?", path);
    Statement del_doc(db, "DELETE FROM documents WHERE doc = ?", path);
    auto remove_document = [&](const std::string& doc) {
      std::vector<long long> ids;
      rowids.bind(1, doc);
      while (rowids.step()) ids.push_back(rowids.integer(0));
      rowids.reset();
      for (long long id : ids) {
        del_words.bind(1, id).run();
        del_trigrams.bind(1, id).run();
      }
      del_passages.bind(1, doc).run();
      del_doc.bind(1, doc).run();
    };
    Statement add_passage(db, "INSERT INTO passages(pid, doc, json) VALUES(?, ?, ?)", path);
    Statement add_words(db, "INSERT INTO words(rowid, body) VALUES(?, ?)", path);
    Statement add_trigrams(db, "INSERT INTO trigrams(rowid, body) VALUES(?, ?)", path);
    Statement add_doc(db, "INSERT INTO documents(doc, hash) VALUES(?, ?)", path);
    std::map<std::string, bool> present;
    for (const auto& [doc, group] : by_document(passages)) {
      std::string serialized;
      for (const Passage* p : group) serialized += passage_to_json(*p).dump() + "\n";
      const std::string hash = hex64(fnv1a64(serialized));
      present[doc] = true;
      auto it = stored.find(doc);
      if (it != stored.end() && it->second == hash) {
        ++update.documents_unchanged;
        continue;
      }
      if (it != stored.end()) {
        remove_document(doc);
        ++update.documents_updated;
      } else {
        ++update.documents_added;
      }
      for (const Passage* p : group) {
        add_passage.bind(1, p->id).bind(2, doc).bind(3, passage_to_json(*p).dump()).run();
        const long long rowid = sqlite3_last_insert_rowid(db);
        const std::string body = searchable_body(*p);
        add_words.bind(1, rowid).bind(2, body).run();
        add_trigrams.bind(1, rowid).bind(2, body).run();
      }
      add_doc.bind(1, doc).bind(2, hash).run();
    }
    for (const auto& [doc, hash] : stored)
      if (!present.count(doc)) {
        remove_document(doc);
        ++update.documents_removed;
      }
    recount_terms(db, path);
    Statement set_meta(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", path);
    set_meta.bind(1, std::string("format_version")).bind(2, std::to_string(kPassageIndexVersion)).run();
    for (const auto& [k, v] : meta) set_meta.bind(1, k).bind(2, v).run();
    Statement count(db, "SELECT count(*) FROM passages", path);
    if (count.step()) update.passages = static_cast<size_t>(count.integer(0));
    exec(db, "COMMIT", path);
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace

PassageIndex::PassageIndex(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

PassageIndex::PassageIndex(PassageIndex&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), meta_(std::move(other.meta_)) {}

PassageIndex& PassageIndex::operator=(PassageIndex&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    meta_ = std::move(other.meta_);
  }
  return *this;
}

PassageIndex::~PassageIndex() { sqlite3_close(db_); }

PassageIndex PassageIndex::open(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    fail(path, ": no passage index here; build one with gemba index build --data DATA_DIR -o ", path);
  PassageIndex index(open_db(path, SQLITE_OPEN_READONLY), path);
  index.meta_ = read_meta(index.db_, path);  // also fails on a file that is not SQLite
  check_version(index.meta_, path);
  return index;
}

IndexUpdate PassageIndex::build(const std::vector<Passage>& passages, const std::string& path,
                                const std::map<std::string, std::string>& meta) {
  IndexUpdate update;
  std::error_code ec;
  if (fs::exists(path, ec)) {
    sqlite3* db = open_db(path, SQLITE_OPEN_READWRITE);
    try {
      check_version(read_meta(db, path), path);
      apply_update(db, passages, meta, path, update);
    } catch (...) {
      sqlite3_close(db);
      throw;
    }
    sqlite3_close(db);
    return update;
  }
  // A new index: built under a temporary name, renamed into place when complete.
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  fs::remove(tmp, ec);
  sqlite3* db = open_db(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  try {
    exec(db, "PRAGMA journal_mode=DELETE", tmp);
    create_schema(db, tmp);
    apply_update(db, passages, meta, tmp, update);
  } catch (...) {
    sqlite3_close(db);
    fs::remove(tmp, ec);
    throw;
  }
  sqlite3_close(db);
  fs::rename(tmp, path, ec);
  if (ec) fail(path, ": cannot move the new index into place: ", ec.message());
  return update;
}

std::vector<long long> PassageIndex::ranked_rowids(const std::string& table, const std::string& match, size_t limit) const {
  std::vector<long long> ids;
  Statement q(db_, "SELECT rowid FROM " + table + " WHERE " + table + " MATCH ? ORDER BY rank LIMIT ?", path_);
  q.bind(1, match).bind(2, static_cast<long long>(limit));
  while (q.step()) ids.push_back(q.integer(0));
  return ids;
}

Passage PassageIndex::passage_at(long long rowid) const {
  Statement q(db_, "SELECT json FROM passages WHERE rowid = ?", path_);
  q.bind(1, rowid);
  if (!q.step()) fail(path_, ": passage ", rowid, " is missing; rebuild the index");
  return passage_from_json(parse_json(q.text(0), path_ + " passage " + std::to_string(rowid)), path_);
}

std::vector<SearchHit> PassageIndex::search(const std::string& query, size_t top_k) const {
  QueryTerms terms = query_terms(query);
  if (terms.empty() || top_k == 0) return {};
  const size_t depth = std::max<size_t>(50, 4 * top_k);
  std::unordered_map<long long, double> fused;
  auto fuse = [&](const std::vector<long long>& ranked) {
    for (size_t r = 0; r < ranked.size(); ++r) fused[ranked[r]] += 1.0 / (kReciprocalRankK + static_cast<double>(r) + 1);
  };
  if (!terms.words.empty()) {
    // The identifiers the query names ("ZCP-110", "rotation_distance") also as phrases: a passage
    // naming them as written outranks one that has their parts scattered.
    std::vector<std::string> match = terms.words;
    for (const auto& v : claim_values(query))
      if (v.kind == ClaimValueKind::kIdentifier) {
        QueryTerms parts = query_terms(v.text, 16);
        if (parts.words.size() < 2) continue;
        std::string phrase;
        for (const auto& w : parts.words) phrase += (phrase.empty() ? "" : " ") + w;
        match.push_back(phrase);
      }
    fuse(ranked_rowids("words", fts_or_query(match), depth));
  }
  if (!terms.trigrams.empty()) fuse(ranked_rowids("trigrams", fts_or_query(terms.trigrams), depth));
  std::vector<std::pair<long long, double>> ranked(fused.begin(), fused.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (ranked.size() > top_k) ranked.resize(top_k);
  std::vector<SearchHit> hits;
  for (const auto& [rowid, score] : ranked) hits.push_back({passage_at(rowid), score});
  return hits;
}

std::optional<Passage> PassageIndex::find(const std::string& id) const {
  Statement q(db_, "SELECT json FROM passages WHERE pid = ? LIMIT 1", path_);
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return passage_from_json(parse_json(q.text(0), path_ + " passage " + id), path_);
}

std::vector<Passage> PassageIndex::containing(const std::string& text, size_t limit) const {
  std::vector<Passage> out;
  if (utf8_code_points(text) < 3) return out;
  for (long long rowid : ranked_rowids("trigrams", fts_or_query({text}), limit)) out.push_back(passage_at(rowid));
  return out;
}

double PassageIndex::term_weight(const std::string& term) const {
  if (passages_ < 0) {
    passages_ = static_cast<double>(passage_count());
    Statement q(db_, "SELECT term, df FROM terms", path_);
    while (q.step()) weights_[q.text(0)] = std::log((passages_ + 1) / (static_cast<double>(q.integer(1)) + 1)) + 1;
  }
  auto it = weights_.find(term);
  return it != weights_.end() ? it->second : std::log(passages_ + 1) + 1;  // unseen: as rare as can be
}

size_t PassageIndex::passage_count() const {
  if (count_ == SIZE_MAX) {  // read once: the index does not change while it is open
    Statement q(db_, "SELECT count(*) FROM passages", path_);
    count_ = q.step() ? static_cast<size_t>(q.integer(0)) : 0;
  }
  return count_;
}

}  // namespace gemba::index
