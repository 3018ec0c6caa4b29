#include "data/prepare.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/atomic-output.h"
#include "core/utf8.h"
#include "core/log.h"
#include "core/progress.h"
#include "data/document.h"
#include "data/domain-terms.h"
#include "data/faq.h"
#include "data/ingest.h"
#include "data/normalize.h"
#include "data/shuffled-units.h"
#include "data/split.h"
#include "data/text-encoder.h"
#include "data/token-shard.h"

namespace gemba::data {
namespace fs = std::filesystem;
namespace {

size_t code_points(std::string_view s) { return utf8_code_points(s); }

const char* kind_name(DuplicateKind kind) {
  return kind == DuplicateKind::kExact ? "exact" : kind == DuplicateKind::kNear ? "near" : "unique";
}

struct PreparedDoc {
  Document doc;
  std::string text;  // normalized, then paragraph-deduplicated
  size_t paragraphs = 0;
  bool val = false;
  uint64_t tokens = 0;
};

struct PreparedFaq {
  FaqPair pair;
  bool val = false;
};

void check_options(const PrepareOptions& o) {
  if (o.manuals.empty() && o.faq.empty()) fail("nothing to prepare: pass --manuals DIR and/or --faq FILE");
  if (o.output.empty()) fail("-o DATA_DIR is required");
  if (!(o.val_fraction >= 0 && o.val_fraction < 1)) fail("--val-fraction ", o.val_fraction, " must be in [0, 1)");
  if (o.shuffled_copies < 0) fail("--shuffled-copies ", o.shuffled_copies, " must be 0 or more");
  parse_shuffle_scope(o.shuffle_scope);
  if (!(o.dedupe.near_threshold > 0 && o.dedupe.near_threshold <= 1))
    fail("--near-dup-threshold ", o.dedupe.near_threshold, " must be in (0, 1]");
  for (const auto& path : o.faq)
    if (!fs::exists(path)) fail("--faq ", path, ": no such file");
}

void log_skip(const SkippedFile& s) { log_warn("skipping ", s.detail); }

}  // namespace

Json prepare_data(const PrepareOptions& options) {
  check_options(options);
  Json report;
  report["inputs"] = {{"manuals", options.manuals}, {"faq", options.faq}};
  report["split"] = {{"seed", options.seed}, {"val_fraction", options.val_fraction}};
  report["dedupe"] = {{"near", options.dedupe.near},
                      {"near_threshold", options.dedupe.near_threshold},
                      {"ngram", options.dedupe.ngram},
                      {"num_perm", options.dedupe.num_perm},
                      {"min_paragraph_chars", options.dedupe.min_paragraph_chars}};
  Json manifest_docs = Json::array();
  Json manifest_faq = Json::array();

  // 1. Manuals: read every file; bad ones are skipped.
  IngestResult ingest = ingest_manuals(options.manuals);
  std::vector<SkippedFile> skipped = ingest.skipped;
  Json files = Json::object();
  for (const auto& [type, stats] : ingest.by_type)
    files[type] = {{"files", stats.files}, {"bytes", stats.bytes}, {"documents", stats.documents}};

  // 2. Normalize and deduplicate whole documents (first occurrence in path order wins).
  Deduplicator doc_dedupe(options.dedupe);
  std::vector<PreparedDoc> docs;
  std::map<size_t, std::string> dedupe_index_to_id;
  uint64_t docs_empty = 0, docs_exact = 0, docs_near = 0;
  {
    Progress progress("normalize + dedupe documents", ingest.documents.size(), "doc");
    for (size_t i = 0; i < ingest.documents.size(); ++i) {
      Document& doc = ingest.documents[i];
      std::string text = normalize_text(doc.text, doc.source);
      progress.update(i + 1);
      if (text.empty()) {
        ++docs_empty;
        manifest_docs.push_back({{"id", doc.id}, {"source", doc.source}, {"type", doc.type}, {"split", "dropped"}, {"reason", "empty after normalization"}});
        continue;
      }
      size_t index = doc_dedupe.size();
      DedupeVerdict verdict = doc_dedupe.add(text);
      if (verdict.kind != DuplicateKind::kUnique) {
        (verdict.kind == DuplicateKind::kExact ? docs_exact : docs_near) += 1;
        manifest_docs.push_back({{"id", doc.id}, {"source", doc.source}, {"type", doc.type}, {"split", "dropped"},
                                 {"reason", std::string(kind_name(verdict.kind)) + " duplicate"},
                                 {"duplicate_of", dedupe_index_to_id.at(verdict.duplicate_of)},
                                 {"similarity", verdict.similarity}});
        continue;
      }
      dedupe_index_to_id[index] = doc.id;
      doc.text.clear();
      docs.push_back({std::move(doc), std::move(text)});
    }
    progress.finish();
  }

  // 3. Split by document, deterministic by seed.
  {
    std::vector<std::string> keys;
    for (const auto& d : docs) keys.push_back(d.doc.id);
    auto val = choose_validation(keys, options.val_fraction, options.seed);
    for (size_t i = 0; i < docs.size(); ++i) docs[i].val = val[i];
  }

  // 4. Paragraph dedupe: training documents first, so a paragraph shared with a validation
  //    document is kept in training and removed from validation (no leak).
  uint64_t para_total = 0, para_exact = 0, para_near = 0, docs_emptied = 0;
  {
    Deduplicator para_dedupe(options.dedupe);
    std::vector<size_t> order(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) order[i] = i;
    std::stable_partition(order.begin(), order.end(), [&](size_t i) { return !docs[i].val; });
    for (size_t i : order) {
      auto paragraphs = split_paragraphs(docs[i].text);
      std::string kept;
      size_t n_kept = 0;
      for (const auto& p : paragraphs) {
        ++para_total;
        if (code_points(p) >= options.dedupe.min_paragraph_chars) {
          DedupeVerdict verdict = para_dedupe.add(p);
          if (verdict.kind == DuplicateKind::kExact) {
            ++para_exact;
            continue;
          }
          if (verdict.kind == DuplicateKind::kNear) {
            ++para_near;
            continue;
          }
        }
        if (!kept.empty()) kept.append("\n\n");
        kept.append(p);
        ++n_kept;
      }
      docs[i].text = std::move(kept);
      docs[i].paragraphs = n_kept;
      if (n_kept == 0) ++docs_emptied;
    }
  }

  // 5. FAQ: read, normalize, exact dedupe, split.
  std::vector<PreparedFaq> faq;
  uint64_t faq_files = 0, faq_bytes = 0, faq_records_skipped = 0, faq_exact = 0;
  {
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
        ++faq_files;
        faq_bytes += bytes.size();
        faq_records_skipped += file.records_skipped;
        for (const auto& w : file.warnings) log_warn("FAQ record skipped: ", w);
        if (file.records_skipped > file.warnings.size())
          log_warn(path, ": ", file.records_skipped - file.warnings.size(), " more records skipped");
        for (auto& pair : file.pairs) {
          try {
            pair.question = normalize_text(pair.question, pair.id);
            pair.answer = normalize_text(pair.answer, pair.id);
          } catch (const Error& e) {  // e.g. a JSON escape that decodes to invalid UTF-8
            log_warn("FAQ record skipped: ", e.what());
            ++faq_records_skipped;
            continue;
          }
          if (pair.question.empty() || pair.answer.empty()) {
            ++faq_records_skipped;
            continue;
          }
          std::string key = pair.question + "\n" + pair.answer;
          auto [it, inserted] = seen.emplace(key, pair.id);
          if (!inserted) {
            ++faq_exact;
            manifest_faq.push_back({{"id", pair.id}, {"split", "dropped"}, {"reason", "exact duplicate"}, {"duplicate_of", it->second}});
            continue;
          }
          faq.push_back({std::move(pair)});
        }
      } catch (const BadInput& e) {
        SkippedFile s{path, e.reason(), e.what()};
        log_skip(s);
        skipped.push_back(s);
      }
    }
    std::vector<std::string> keys;
    for (const auto& f : faq) keys.push_back(f.pair.question + "\n" + f.pair.answer);
    auto val = choose_validation(keys, options.val_fraction, options.seed);
    for (size_t i = 0; i < faq.size(); ++i) faq[i].val = val[i];
  }
  if (!options.faq.empty()) files["faq"] = {{"files", faq_files}, {"bytes", faq_bytes}, {"pairs", faq.size()}};

  size_t usable_docs = std::count_if(docs.begin(), docs.end(), [](const PreparedDoc& d) { return d.paragraphs > 0; });
  if (usable_docs == 0 && faq.empty())
    fail("no usable text: every input was skipped, empty or a duplicate (", skipped.size(), " files skipped; see the warnings above)");

  // 6. Outputs, built in a temporary directory.
  AtomicDir out(options.output);
  {
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

  // 7. Tokenizer: given, or trained on the training manuals and FAQ.
  std::unique_ptr<TextEncoder> encoder;
  Json tokenizer_report;
  if (!options.tokenizer.empty()) {
    encoder = load_text_encoder(options.tokenizer);
    tokenizer_report = {{"source", "given"}, {"path", encoder->describe()}};
  } else {
    std::string training_text = read_file(out.file("manuals-train.txt"));
    for (const auto& q : faq)
      if (!q.val) training_text += "\n" + q.pair.question + "\n" + q.pair.answer + "\n";
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
    encoder = train_text_encoder(input, out.file("tokenizer"), train_options);
    fs::remove(input);
    tokenizer_report = {{"source", "trained"}, {"path", "tokenizer"}, {"type", options.tokenizer_type}, {"whole_terms", whole_terms}};
  }
  tokenizer_report["vocab_size"] = encoder->vocab_size();
  tokenizer_report["bos_id"] = encoder->bos_id();
  tokenizer_report["eos_id"] = encoder->eos_id();

  // 8. Token shards: per document [BOS] text EOS.
  uint64_t augmented_tokens = 0;
  uint64_t train_tokens = 0, val_tokens = 0, train_chars = 0, val_chars = 0, train_paragraphs = 0, val_paragraphs = 0;
  size_t train_docs = 0, val_docs = 0;
  {
    auto document_ids = [&](const std::string& text) {  // [BOS] text EOS
      std::vector<int32_t> ids;
      if (encoder->bos_id() >= 0) ids.push_back(encoder->bos_id());
      auto body = encoder->encode(text);
      ids.insert(ids.end(), body.begin(), body.end());
      ids.push_back(encoder->eos_id());
      return ids;
    };
    TokenShardWriter train_shard(out.file("train.tok"), encoder->vocab_size());
    TokenShardWriter val_shard(out.file("val.tok"), encoder->vocab_size());
    Progress progress("tokenize documents", docs.size(), "doc");
    for (size_t i = 0; i < docs.size(); ++i) {
      PreparedDoc& d = docs[i];
      if (d.paragraphs == 0) continue;
      const std::vector<int32_t> ids = document_ids(d.text);
      d.tokens = ids.size();
      (d.val ? val_shard : train_shard).append(ids);
      (d.val ? val_tokens : train_tokens) += ids.size();
      (d.val ? val_chars : train_chars) += code_points(d.text);
      (d.val ? val_paragraphs : train_paragraphs) += d.paragraphs;
      (d.val ? val_docs : train_docs) += 1;
      progress.update(i + 1, {{"tokens", train_tokens + val_tokens}});
    }
    progress.finish({{"tokens", train_tokens + val_tokens}});
    // Knowledge augmentation: shuffled copies of the training documents (never the val ones,
    // so val perplexity still measures text the model has not seen).
    if (options.shuffled_copies > 0) {
      std::vector<std::string> train_texts;
      for (const auto& d : docs)
        if (d.paragraphs > 0 && !d.val) train_texts.push_back(d.text);
      for (const auto& copy : shuffled_unit_copies(train_texts, options.shuffled_copies, options.seed,
                                                     parse_shuffle_scope(options.shuffle_scope))) {
        const std::vector<int32_t> ids = document_ids(copy);
        train_shard.append(ids);
        augmented_tokens += ids.size();
      }
      log_info("knowledge augmentation: ", options.shuffled_copies, " shuffled copies (", options.shuffle_scope,
               " scope) of the training manuals, ",
               augmented_tokens, " tokens appended to train.tok");
    }
    train_shard.commit();
    val_shard.commit();
  }

  // 9. Manifest and report.
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
  Json manifest = {{"seed", options.seed}, {"val_fraction", options.val_fraction}, {"documents", manifest_docs}, {"faq", manifest_faq}};
  write_json_file(out.file("manifest.json"), manifest);

  Json skipped_json = Json::array();
  Json skipped_by_reason = Json::object();
  for (const auto& s : skipped) {
    skipped_json.push_back({{"path", s.path}, {"reason", s.reason}, {"detail", s.detail}});
    skipped_by_reason[s.reason] = skipped_by_reason.value(s.reason, 0) + 1;
  }
  report["files"] = files;
  report["ignored_files"] = ingest.ignored_extensions;
  report["skipped"] = skipped_json;
  report["skipped_by_reason"] = skipped_by_reason;
  report["pdf_header_footer_lines_removed"] = ingest.pdf_header_footer_lines_removed;
  report["documents"] = {{"ingested", ingest.documents.size()},
                         {"empty_after_normalization", docs_empty},
                         {"exact_duplicates", docs_exact},
                         {"near_duplicates", docs_near},
                         {"emptied_by_paragraph_dedupe", docs_emptied},
                         {"train", train_docs},
                         {"val", val_docs}};
  report["paragraphs"] = {{"total", para_total},
                          {"exact_duplicates", para_exact},
                          {"near_duplicates", para_near},
                          {"train", train_paragraphs},
                          {"val", val_paragraphs}};
  size_t faq_train = std::count_if(faq.begin(), faq.end(), [](const PreparedFaq& f) { return !f.val; });
  report["faq"] = {{"files", faq_files},
                   {"records_skipped", faq_records_skipped},
                   {"exact_duplicates", faq_exact},
                   {"train", faq_train},
                   {"val", faq.size() - faq_train}};
  report["chars"] = {{"train", train_chars}, {"val", val_chars}};
  report["tokens"] = {{"train", train_tokens}, {"val", val_tokens}};
  report["augmentation"] = {
      {"shuffled_copies", options.shuffled_copies}, {"shuffle_scope", options.shuffle_scope}, {"tokens", augmented_tokens}};
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
  out << "split (seed " << r["split"]["seed"].dump() << ", val fraction " << r["split"]["val_fraction"].dump() << ")\n";
  row("", "train", "val");
  row("documents", num(d["train"]), num(d["val"]));
  row("paragraphs", num(p["train"]), num(p["val"]));
  row("characters", num(r["chars"]["train"]), num(r["chars"]["val"]));
  row("tokens", num(r["tokens"]["train"]), num(r["tokens"]["val"]));
  if (r.contains("augmentation") && r["augmentation"]["tokens"].get<uint64_t>() > 0)
    row("shuffled-copy tokens", num(r["augmentation"]["tokens"]), "");
  row("FAQ pairs", num(r["faq"]["train"]), num(r["faq"]["val"]));
  row("FAQ duplicates / bad records", num(r["faq"]["exact_duplicates"]), num(r["faq"]["records_skipped"]));
  const Json& t = r["tokenizer"];
  out << "tokenizer: " << t.value("source", "") << " " << t.value("path", "") << " (vocab " << num(t["vocab_size"]) << ")\n";
  return out.str();
}

}  // namespace gemba::data
