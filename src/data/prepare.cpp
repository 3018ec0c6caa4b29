#include "data/prepare.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/atomic-output.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/utf8.h"
#include "data/document-text.h"
#include "data/domain-terms.h"
#include "data/entities.h"
#include "data/faq.h"
#include "data/ingest.h"
#include "data/normalize.h"
#include "data/passages.h"
#include "data/shuffled-units.h"
#include "data/split.h"
#include "data/statement-mining.h"
#include "data/text-encoder.h"
#include "data/token-shard.h"

namespace gemba::data {
namespace fs = std::filesystem;
namespace prepare_steps {  // named: the data layer is a unity build

size_t code_points(std::string_view s) { return utf8_code_points(s); }

const char* kind_name(DuplicateKind kind) {
  return kind == DuplicateKind::kExact ? "exact" : kind == DuplicateKind::kNear ? "near" : "unique";
}

// Below this many documents, holding whole documents out is refused: each one is a large share
// of what the manuals say (a two-manual corpus once lost its only Japanese manual that way).
constexpr size_t kMinDocumentsForDocumentSplit = 20;

struct PreparedDoc {
  Document doc;          // blocks normalized; doc.text is their training text
  std::string text;      // the training text after paragraph dedupe
  std::string lang;      // "ja" when it has Japanese text, else "en"
  size_t paragraphs = 0;
  bool val = false;
  uint64_t tokens = 0;
};

struct PreparedFaq {
  FaqPair pair;
  std::string file;
  int line = 0;
  bool val = false;
};

struct Counts {
  uint64_t docs_empty = 0, docs_exact = 0, docs_near = 0;
  uint64_t para_total = 0, para_exact = 0, para_near = 0, docs_emptied = 0;
  uint64_t faq_files = 0, faq_bytes = 0, faq_records_skipped = 0, faq_exact = 0;
  uint64_t train_tokens = 0, val_tokens = 0, train_chars = 0, val_chars = 0, train_paragraphs = 0, val_paragraphs = 0;
  uint64_t val_faq_tokens = 0, augmented_tokens = 0;
  size_t train_docs = 0, val_docs = 0;
};

void check_options(const PrepareOptions& o) {
  if (o.manuals.empty() && o.faq.empty()) fail("nothing to prepare: pass --manuals DIR and/or --faq FILE");
  if (o.output.empty()) fail("-o DATA_DIR is required");
  if (!(o.val_fraction >= 0 && o.val_fraction < 1)) fail("--val-fraction ", o.val_fraction, " must be in [0, 1)");
  if (!(o.val_documents >= 0 && o.val_documents < 1)) fail("--val-documents ", o.val_documents, " must be in [0, 1)");
  if (o.shuffled_copies < 0) fail("--shuffled-copies ", o.shuffled_copies, " must be 0 or more");
  parse_shuffle_scope(o.shuffle_scope);
  if (!(o.dedupe.near_threshold > 0 && o.dedupe.near_threshold <= 1))
    fail("--near-dup-threshold ", o.dedupe.near_threshold, " must be in (0, 1]");
  for (const auto& path : o.faq)
    if (!fs::exists(path)) fail("--faq ", path, ": no such file");
}

// Step 2: normalize, then drop whole documents that repeat an earlier one.
std::vector<PreparedDoc> normalize_and_dedupe_documents(IngestResult& ingest, const DedupeOptions& options, Counts& n,
                                                        Json& manifest) {
  Deduplicator dedupe(options);
  std::vector<PreparedDoc> docs;
  std::map<size_t, std::string> id_of_index;
  Progress progress("normalize + dedupe documents", ingest.documents.size(), "doc");
  for (size_t i = 0; i < ingest.documents.size(); ++i) {
    Document& doc = ingest.documents[i];
    normalize_document(doc);
    progress.update(i + 1);
    if (doc.text.empty()) {
      ++n.docs_empty;
      manifest.push_back({{"id", doc.id}, {"source", doc.source}, {"type", doc.type}, {"split", "dropped"}, {"reason", "empty after normalization"}});
      continue;
    }
    size_t index = dedupe.size();
    DedupeVerdict verdict = dedupe.add(doc.text);
    if (verdict.kind != DuplicateKind::kUnique) {
      (verdict.kind == DuplicateKind::kExact ? n.docs_exact : n.docs_near) += 1;
      manifest.push_back({{"id", doc.id}, {"source", doc.source}, {"type", doc.type}, {"split", "dropped"},
                          {"reason", std::string(kind_name(verdict.kind)) + " duplicate"},
                          {"duplicate_of", id_of_index.at(verdict.duplicate_of)}, {"similarity", verdict.similarity}});
      continue;
    }
    id_of_index[index] = doc.id;
    PreparedDoc d;
    d.lang = statement_language(doc.text);
    d.doc = std::move(doc);
    docs.push_back(std::move(d));
  }
  progress.finish();
  return docs;
}

// Step 3: which documents are held out. By default none: a manual states most facts once, and a
// held-out document takes its facts out of training (validation text then comes from the FAQ).
// --val-documents F holds out whole documents, refused for small corpora and never taking every
// document of a language.
std::vector<std::string> choose_validation_documents(std::vector<PreparedDoc>& docs, const PrepareOptions& options) {
  std::vector<std::string> warnings;
  if (options.val_documents <= 0) return warnings;
  if (docs.size() < kMinDocumentsForDocumentSplit) {
    warnings.push_back(cat("--val-documents ", options.val_documents, " ignored: ", docs.size(), " documents are fewer than ",
                           kMinDocumentsForDocumentSplit, ", and holding one out removes the only statement of its facts; "
                           "validation uses the FAQ split (--val-fraction)"));
    log_warn(warnings.back());
    return warnings;
  }
  std::vector<std::string> keys;
  for (const auto& d : docs) keys.push_back(d.doc.id);
  auto val = choose_validation(keys, options.val_documents, options.seed);
  for (size_t i = 0; i < docs.size(); ++i) docs[i].val = val[i];
  // A language whose every document went to validation keeps them all in training.
  std::map<std::string, std::pair<size_t, size_t>> by_lang;  // lang -> (documents, held out)
  for (const auto& d : docs) {
    by_lang[d.lang].first += 1;
    by_lang[d.lang].second += d.val;
  }
  for (auto& [lang, count] : by_lang)
    if (count.first == count.second) {
      for (auto& d : docs)
        if (d.lang == lang) d.val = false;
      warnings.push_back(cat("every ", lang, " document would have been held out; they stay in training"));
      log_warn(warnings.back());
    }
  return warnings;
}

// Step 4: paragraph dedupe of the training text, training documents first, so a paragraph
// shared with a validation document stays in training (no leak).
void dedupe_paragraphs(std::vector<PreparedDoc>& docs, const DedupeOptions& options, Counts& n) {
  Deduplicator dedupe(options);
  std::vector<size_t> order(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) order[i] = i;
  std::stable_partition(order.begin(), order.end(), [&](size_t i) { return !docs[i].val; });
  for (size_t i : order) {
    std::string kept;
    size_t n_kept = 0;
    for (const auto& p : split_paragraphs(docs[i].doc.text)) {
      ++n.para_total;
      if (code_points(p) >= options.min_paragraph_chars) {
        DedupeVerdict verdict = dedupe.add(p);
        if (verdict.kind == DuplicateKind::kExact) {
          ++n.para_exact;
          continue;
        }
        if (verdict.kind == DuplicateKind::kNear) {
          ++n.para_near;
          continue;
        }
      }
      if (!kept.empty()) kept.append("\n\n");
      kept.append(p);
      ++n_kept;
    }
    docs[i].text = std::move(kept);
    docs[i].paragraphs = n_kept;
    if (n_kept == 0) ++n.docs_emptied;
  }
}

// "faq.jsonl:12" -> 12; 0 when the id names no line.
int line_of_faq_id(const std::string& id) {
  size_t colon = id.rfind(':');
  if (colon == std::string::npos) return 0;
  try {
    return std::stoi(id.substr(colon + 1));
  } catch (...) {
    return 0;
  }
}

// Step 5: FAQ read, normalized, exact duplicates dropped, split.
std::vector<PreparedFaq> read_faq(const PrepareOptions& options, Counts& n, std::vector<SkippedFile>& skipped, Json& manifest) {
  std::vector<PreparedFaq> faq;
  FaqReadOptions read_options{options.faq_question_column, options.faq_answer_column};
  std::map<std::string, std::string> seen;  // question \n answer -> id
  for (const auto& path : options.faq) {
    try {
      std::string bytes;
      try {
        bytes = read_file(path);
      } catch (const Error& e) {
        throw BadInput("unreadable", e.what());
      }
      FaqFile file = parse_faq(checked_text(bytes, path), path, read_options);
      ++n.faq_files;
      n.faq_bytes += bytes.size();
      n.faq_records_skipped += file.records_skipped;
      for (const auto& w : file.warnings) log_warn("FAQ record skipped: ", w);
      if (file.records_skipped > file.warnings.size())
        log_warn(path, ": ", file.records_skipped - file.warnings.size(), " more records skipped");
      for (auto& pair : file.pairs) {
        try {
          pair.question = normalize_text(pair.question, pair.id);
          pair.answer = normalize_text(pair.answer, pair.id);
        } catch (const Error& e) {  // e.g. a JSON escape that decodes to invalid UTF-8
          log_warn("FAQ record skipped: ", e.what());
          ++n.faq_records_skipped;
          continue;
        }
        if (pair.question.empty() || pair.answer.empty()) {
          ++n.faq_records_skipped;
          continue;
        }
        auto [it, inserted] = seen.emplace(pair.question + "\n" + pair.answer, pair.id);
        if (!inserted) {
          ++n.faq_exact;
          manifest.push_back({{"id", pair.id}, {"split", "dropped"}, {"reason", "exact duplicate"}, {"duplicate_of", it->second}});
          continue;
        }
        int line = line_of_faq_id(pair.id);
        faq.push_back({std::move(pair), path, line});
      }
    } catch (const BadInput& e) {
      SkippedFile s{path, e.reason(), e.what()};
      log_warn("skipping ", s.detail);
      skipped.push_back(s);
    }
  }
  std::vector<std::string> keys;
  for (const auto& f : faq) keys.push_back(f.pair.question + "\n" + f.pair.answer);
  auto val = choose_validation(keys, options.val_fraction, options.seed);
  for (size_t i = 0; i < faq.size(); ++i) faq[i].val = val[i];
  return faq;
}

std::string faq_text(const FaqPair& p) { return p.question + "\n" + p.answer; }

// Step 6: the text files a person (and the tokenizer trainer) reads.
void write_text_outputs(AtomicDir& out, const std::vector<PreparedDoc>& docs, const std::vector<PreparedFaq>& faq) {
  AtomicFile train_txt(out.file("manuals-train.txt")), val_txt(out.file("manuals-val.txt"));
  for (const auto& d : docs) {
    if (d.paragraphs == 0) continue;
    AtomicFile& f = d.val ? val_txt : train_txt;
    if (f.bytes_written()) f.write("\n\n\n");
    f.write(d.text);
  }
  if (train_txt.bytes_written()) train_txt.write("\n");
  if (val_txt.bytes_written()) val_txt.write("\n");
  train_txt.commit();
  val_txt.commit();
  AtomicFile faq_train(out.file("faq-train.jsonl")), faq_val(out.file("faq-val.jsonl"));
  for (const auto& f : faq) {
    Json line = {{"id", f.pair.id}, {"question", f.pair.question}, {"answer", f.pair.answer}};
    (f.val ? faq_val : faq_train).write(line.dump() + "\n");
  }
  faq_train.commit();
  faq_val.commit();
}

// Step 7: the passages the index serves: every kept document (its blocks, not the deduplicated
// training text: a citation points at the manual as written) and every FAQ pair. Passages of
// exactly the same text are kept once.
size_t write_passages(AtomicDir& out, const std::vector<PreparedDoc>& docs, const std::vector<PreparedFaq>& faq) {
  AtomicFile file(out.file("passages.jsonl"));
  std::map<std::string, bool> seen;
  size_t written = 0;
  auto write = [&](const Passage& p) {
    if (!seen.emplace(p.text, true).second) return;
    file.write(passage_to_json(p).dump() + "\n");
    ++written;
  };
  for (const auto& d : docs)
    for (const auto& p : document_passages(d.doc)) write(p);
  for (const auto& f : faq) write(faq_passage(f.pair, f.file, f.line));
  file.commit();
  return written;
}

// Step 8: the identifiers the manuals' facts are about (entities.h), all in entities.jsonl.
Json write_entities(AtomicDir& out, const std::vector<PreparedDoc>& docs) {
  std::vector<Document> documents;
  for (const auto& d : docs) documents.push_back(d.doc);
  std::vector<EntityCount> entities = discover_entities(documents);
  AtomicFile file(out.file("entities.jsonl"));
  Json top = Json::array();
  for (const auto& e : entities) {
    Json j = {{"name", e.name}, {"mentions", e.mentions}, {"subjects", e.subjects}, {"documents", e.documents}};
    file.write(j.dump() + "\n");
    if (top.size() < 30) top.push_back(j);
  }
  file.commit();
  return {{"discovered", entities.size()}, {"top", top}};
}

// Step 9: the tokenizer: given, or trained on the training manuals and FAQ.
std::unique_ptr<TextEncoder> make_tokenizer(AtomicDir& out, const PrepareOptions& options, const std::vector<PreparedFaq>& faq,
                                            Json& report) {
  if (!options.tokenizer.empty()) {
    auto encoder = load_text_encoder(options.tokenizer);
    report = {{"source", "given"}, {"path", encoder->describe()}};
    return encoder;
  }
  std::string training_text = read_file(out.file("manuals-train.txt"));
  for (const auto& q : faq)
    if (!q.val) training_text += "\n" + faq_text(q.pair) + "\n";
  const std::string input = out.file("tokenizer-input.txt.tmp");
  write_file_atomic(input, training_text);
  DomainTermOptions term_options;
  term_options.pattern = options.keep_whole;
  term_options.max_terms = static_cast<size_t>(std::max(0, options.vocab_size / 8));
  std::vector<std::string> whole_terms = collect_domain_terms(training_text, term_options);
  if (!options.keep_whole.empty() && whole_terms.empty())
    log_warn("--keep-whole '", options.keep_whole, "' matched no term twice in the training text; no term is kept whole");
  log_info("training a ", options.tokenizer_type, " tokenizer (vocab ", options.vocab_size, ", ", whole_terms.size(),
           " terms kept whole) on the training text");
  TokenizerTrainOptions train_options{options.tokenizer_type, options.vocab_size, options.threads, whole_terms};
  auto encoder = train_text_encoder(input, out.file("tokenizer"), train_options);
  fs::remove(input);
  report = {{"source", "trained"}, {"path", "tokenizer"}, {"type", options.tokenizer_type}, {"whole_terms", whole_terms}};
  return encoder;
}

// Step 10: token shards: per document [BOS] text EOS; val.tok also holds the validation FAQ
// pairs, which are what validation has when no document is held out.
void write_shards(AtomicDir& out, TextEncoder& encoder, std::vector<PreparedDoc>& docs, const std::vector<PreparedFaq>& faq,
                  const PrepareOptions& options, Counts& n) {
  auto document_ids = [&](const std::string& text) {
    std::vector<int32_t> ids;
    if (encoder.bos_id() >= 0) ids.push_back(encoder.bos_id());
    auto body = encoder.encode(text);
    ids.insert(ids.end(), body.begin(), body.end());
    ids.push_back(encoder.eos_id());
    return ids;
  };
  TokenShardWriter train_shard(out.file("train.tok"), encoder.vocab_size());
  TokenShardWriter val_shard(out.file("val.tok"), encoder.vocab_size());
  Progress progress("tokenize documents", docs.size(), "doc");
  for (size_t i = 0; i < docs.size(); ++i) {
    PreparedDoc& d = docs[i];
    if (d.paragraphs == 0) continue;
    const std::vector<int32_t> ids = document_ids(d.text);
    d.tokens = ids.size();
    (d.val ? val_shard : train_shard).append(ids);
    (d.val ? n.val_tokens : n.train_tokens) += ids.size();
    (d.val ? n.val_chars : n.train_chars) += code_points(d.text);
    (d.val ? n.val_paragraphs : n.train_paragraphs) += d.paragraphs;
    (d.val ? n.val_docs : n.train_docs) += 1;
    progress.update(i + 1, {{"tokens", n.train_tokens + n.val_tokens}});
  }
  progress.finish({{"tokens", n.train_tokens + n.val_tokens}});
  for (const auto& f : faq) {
    if (!f.val) continue;
    const std::vector<int32_t> ids = document_ids(faq_text(f.pair));
    val_shard.append(ids);
    n.val_faq_tokens += ids.size();
  }
  // Knowledge augmentation: shuffled copies of the training documents (never the val ones).
  if (options.shuffled_copies > 0) {
    std::vector<std::string> train_texts;
    for (const auto& d : docs)
      if (d.paragraphs > 0 && !d.val) train_texts.push_back(d.text);
    for (const auto& copy :
         shuffled_unit_copies(train_texts, options.shuffled_copies, options.seed, parse_shuffle_scope(options.shuffle_scope))) {
      const std::vector<int32_t> ids = document_ids(copy);
      train_shard.append(ids);
      n.augmented_tokens += ids.size();
    }
    log_info("knowledge augmentation: ", options.shuffled_copies, " shuffled copies (", options.shuffle_scope,
             " scope) of the training manuals, ", n.augmented_tokens, " tokens appended to train.tok");
  }
  train_shard.commit();
  val_shard.commit();
}

Json manifest_json(const std::vector<PreparedDoc>& docs, const std::vector<PreparedFaq>& faq, Json manifest_docs,
                   Json manifest_faq, const PrepareOptions& options) {
  for (const auto& d : docs) {
    Json entry = {{"id", d.doc.id}, {"source", d.doc.source}, {"type", d.doc.type}};
    if (d.paragraphs == 0) {
      entry["split"] = "dropped";
      entry["reason"] = "every paragraph duplicated elsewhere";
    } else {
      entry["split"] = d.val ? "val" : "train";
      entry["paragraphs"] = d.paragraphs;
      entry["chars"] = code_points(d.text);
      entry["tokens"] = d.tokens;
    }
    manifest_docs.push_back(entry);
  }
  std::sort(manifest_docs.begin(), manifest_docs.end(), [](const Json& a, const Json& b) { return a["id"] < b["id"]; });
  for (const auto& f : faq) manifest_faq.push_back({{"id", f.pair.id}, {"split", f.val ? "val" : "train"}});
  return {{"seed", options.seed}, {"val_fraction", options.val_fraction}, {"val_documents", options.val_documents},
          {"documents", manifest_docs}, {"faq", manifest_faq}};
}

}  // namespace prepare_steps

Json prepare_data(const PrepareOptions& options) {
  using namespace prepare_steps;
  check_options(options);
  Counts n;
  Json manifest_docs = Json::array(), manifest_faq = Json::array();

  // 1. Manuals: every file through its reader; bad ones are skipped and named.
  IngestResult ingest = ingest_manuals(options.manuals, options.exclude);
  std::vector<SkippedFile> skipped = ingest.skipped;
  // 2-4. Normalized, deduplicated, split, paragraph-deduplicated.
  std::vector<PreparedDoc> docs = normalize_and_dedupe_documents(ingest, options.dedupe, n, manifest_docs);
  std::vector<std::string> split_warnings = choose_validation_documents(docs, options);
  dedupe_paragraphs(docs, options.dedupe, n);
  // 5. FAQ.
  std::vector<PreparedFaq> faq = read_faq(options, n, skipped, manifest_faq);

  size_t usable_docs = std::count_if(docs.begin(), docs.end(), [](const PreparedDoc& d) { return d.paragraphs > 0; });
  if (usable_docs == 0 && faq.empty())
    fail("no usable text: every input was skipped, empty or a duplicate (", skipped.size(), " files skipped; see the warnings above)");
  if (!options.faq.empty() && faq.empty())
    fail("0 FAQ pairs read from ", options.faq.size(), " --faq file(s) (", skipped.size(), " files skipped; see the warnings above); "
         "check the column names (--faq-question-column, --faq-answer-column)");

  // 6-10. Outputs, built in a temporary directory and renamed into place when complete.
  AtomicDir out(options.output);
  write_text_outputs(out, docs, faq);
  const size_t passages = write_passages(out, docs, faq);
  Json entities = write_entities(out, docs);
  Json tokenizer_report;
  std::unique_ptr<TextEncoder> encoder = make_tokenizer(out, options, faq, tokenizer_report);
  tokenizer_report["vocab_size"] = encoder->vocab_size();
  tokenizer_report["bos_id"] = encoder->bos_id();
  tokenizer_report["eos_id"] = encoder->eos_id();
  write_shards(out, *encoder, docs, faq, options, n);
  write_json_file(out.file("manifest.json"), manifest_json(docs, faq, manifest_docs, manifest_faq, options));

  // 11. The report.
  Json report;
  report["inputs"] = {{"manuals", options.manuals}, {"faq", options.faq}};
  report["split"] = {{"seed", options.seed}, {"val_fraction", options.val_fraction}, {"val_documents", options.val_documents},
                     {"warnings", split_warnings}};
  report["dedupe"] = {{"near", options.dedupe.near}, {"near_threshold", options.dedupe.near_threshold}, {"ngram", options.dedupe.ngram},
                      {"num_perm", options.dedupe.num_perm}, {"min_paragraph_chars", options.dedupe.min_paragraph_chars}};
  Json files = Json::object();
  for (const auto& [type, stats] : ingest.by_type)
    files[type] = {{"files", stats.files}, {"bytes", stats.bytes}, {"documents", stats.documents}};
  if (!options.faq.empty()) files["faq"] = {{"files", n.faq_files}, {"bytes", n.faq_bytes}, {"pairs", faq.size()}};
  Json skipped_json = Json::array(), skipped_by_reason = Json::object();
  for (const auto& s : skipped) {
    skipped_json.push_back({{"path", s.path}, {"reason", s.reason}, {"detail", s.detail}});
    skipped_by_reason[s.reason] = skipped_by_reason.value(s.reason, 0) + 1;
  }
  report["files"] = files;
  report["ignored_files"] = ingest.ignored_extensions;
  report["excluded_files"] = ingest.excluded;
  report["skipped"] = skipped_json;
  report["skipped_by_reason"] = skipped_by_reason;
  report["pdf_header_footer_lines_removed"] = ingest.pdf_header_footer_lines_removed;
  report["documents"] = {{"ingested", ingest.documents.size()}, {"empty_after_normalization", n.docs_empty},
                         {"exact_duplicates", n.docs_exact},   {"near_duplicates", n.docs_near},
                         {"emptied_by_paragraph_dedupe", n.docs_emptied}, {"train", n.train_docs}, {"val", n.val_docs}};
  report["paragraphs"] = {{"total", n.para_total}, {"exact_duplicates", n.para_exact}, {"near_duplicates", n.para_near},
                          {"train", n.train_paragraphs}, {"val", n.val_paragraphs}};
  size_t faq_train = std::count_if(faq.begin(), faq.end(), [](const PreparedFaq& f) { return !f.val; });
  report["faq"] = {{"files", n.faq_files}, {"records_skipped", n.faq_records_skipped}, {"exact_duplicates", n.faq_exact},
                   {"train", faq_train}, {"val", faq.size() - faq_train}};
  report["chars"] = {{"train", n.train_chars}, {"val", n.val_chars}};
  report["tokens"] = {{"train", n.train_tokens}, {"val", n.val_tokens + n.val_faq_tokens}, {"val_faq", n.val_faq_tokens}};
  report["augmentation"] = {{"shuffled_copies", options.shuffled_copies}, {"shuffle_scope", options.shuffle_scope}, {"tokens", n.augmented_tokens}};
  report["passages"] = passages;
  report["entities"] = entities;
  report["tokenizer"] = tokenizer_report;
  write_json_file(out.file("report.json"), report);
  out.commit();
  return report;
}

std::string format_report_table(const Json& r) {
  std::ostringstream out;
  char line[256];
  auto row = [&](const std::string& name, const std::string& a, const std::string& b = "", const std::string& c = "") {
    std::snprintf(line, sizeof line, "  %-30s %14s %14s %14s\n", name.c_str(), a.c_str(), b.c_str(), c.c_str());
    out << line;
  };
  auto num = [](const Json& j) { return j.is_number() ? std::to_string(j.get<uint64_t>()) : std::string("-"); };
  out << "inputs\n";
  row("type", "files", "bytes", "documents");
  for (auto it = r["files"].begin(); it != r["files"].end(); ++it) {
    const Json& s = *it;
    row(it.key(), num(s["files"]), num(s["bytes"]), it.key() == "faq" ? num(s["pairs"]) + " pairs" : num(s["documents"]));
  }
  for (auto it = r["ignored_files"].begin(); it != r["ignored_files"].end(); ++it) row("ignored " + it.key(), num(*it));
  if (r.contains("excluded_files") && !r["excluded_files"].empty()) row("excluded (--exclude)", std::to_string(r["excluded_files"].size()));
  out << "skipped files: " << r["skipped"].size() << "\n";
  for (const auto& s : r["skipped"]) out << "  [" << s["reason"].get<std::string>() << "] " << s["detail"].get<std::string>() << "\n";
  out << "cleaning\n";
  const Json& d = r["documents"];
  const Json& p = r["paragraphs"];
  row("", "documents", "paragraphs");
  row("ingested", num(d["ingested"]), num(p["total"]));
  row("empty after normalization", num(d["empty_after_normalization"]), "");
  row("exact duplicates removed", num(d["exact_duplicates"]), num(p["exact_duplicates"]));
  row("near duplicates removed", num(d["near_duplicates"]), num(p["near_duplicates"]));
  row("PDF header/footer lines", num(r["pdf_header_footer_lines_removed"]));
  out << "split (seed " << r["split"]["seed"].dump() << ", FAQ val fraction " << r["split"]["val_fraction"].dump()
      << ", documents held out " << r["split"].value("val_documents", 0.0) << ")\n";
  for (const auto& w : r["split"].value("warnings", Json::array())) out << "  note: " << w.get<std::string>() << "\n";
  row("", "train", "val");
  row("documents", num(d["train"]), num(d["val"]));
  row("paragraphs", num(p["train"]), num(p["val"]));
  row("characters", num(r["chars"]["train"]), num(r["chars"]["val"]));
  row("tokens (val: + FAQ val)", num(r["tokens"]["train"]), num(r["tokens"]["val"]));
  if (r.contains("augmentation") && r["augmentation"]["tokens"].get<uint64_t>() > 0)
    row("shuffled-copy tokens", num(r["augmentation"]["tokens"]), "");
  row("FAQ pairs", num(r["faq"]["train"]), num(r["faq"]["val"]));
  row("FAQ duplicates / bad records", num(r["faq"]["exact_duplicates"]), num(r["faq"]["records_skipped"]));
  out << "passages for the index: " << num(r["passages"]) << " (passages.jsonl; gemba index build --data DIR)\n";
  const Json& e = r["entities"];
  out << "entities (what the facts are about; entities.jsonl): " << num(e["discovered"]) << ", top:";
  size_t shown = 0;
  for (const auto& t : e["top"]) {
    if (shown++ == 15) break;
    out << " " << t["name"].get<std::string>() << " (" << t["mentions"].get<uint64_t>() << ")";
  }
  out << "\n";
  const Json& t = r["tokenizer"];
  out << "tokenizer: " << t.value("source", "") << " " << t.value("path", "") << " (vocab " << num(t["vocab_size"]) << ")\n";
  return out.str();
}

}  // namespace gemba::data
