// fa-sample-gen -o DIR [--seed N]: writes the sample domain (manuals, faq.jsonl,
// truefalse.jsonl, general.txt, knowledge.json, README.md) into DIR, atomically.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/atomic-output.h"
#include "core/error.h"
#include "fa-sample.h"

namespace {

constexpr uint64_t kDefaultSeed = 20240605;

const char* const kUsage =
    "usage: fa-sample-gen -o DIR [--seed N]\n"
    "Writes the fictional factory-automation sample domain into DIR (replaced as a whole):\n"
    "  manuals/{ja,en}/*.md, faq.jsonl, truefalse.jsonl, truefalse-paraphrased.jsonl, general.txt, knowledge.json,\n"
    "  README.md\n"
    "The output is a deterministic function of the seed (default 20240605).\n";

uint64_t parse_seed(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 19)
    gemba::fail("--seed: '", s, "' is not a non-negative integer (e.g. --seed 20240605)");
  return std::stoull(s);
}

int run(int argc, char** argv) {
  std::string out_dir;
  uint64_t seed = kDefaultSeed;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) gemba::fail(a, ": missing value\n", kUsage);
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "-o" || a == "--output") {
      out_dir = value();
    } else if (a == "--seed") {
      seed = parse_seed(value());
    } else {
      gemba::fail("unknown argument '", a, "'\n", kUsage);
    }
  }
  if (out_dir.empty()) gemba::fail("missing -o DIR\n", kUsage);

  using namespace gemba::tools;
  KnowledgeBase kb = build_knowledge_base(seed);
  std::map<std::string, std::string> files = write_manuals(kb);
  ReadmeInputs in;
  for (const auto& [path, text] : files) {
    ++in.manual_files;
    (path.rfind("manuals/ja/", 0) == 0 ? in.manual_bytes_ja : in.manual_bytes_en) += text.size();
  }
  files["faq.jsonl"] = write_faq(kb, in.faq);
  files["truefalse.jsonl"] = write_truefalse(kb, in.truefalse);
  files["truefalse-paraphrased.jsonl"] = write_truefalse(kb, in.truefalse_paraphrased, TestWording::kParaphrased);
  files["general.txt"] = write_general_text(kb);
  in.general_bytes = files["general.txt"].size();
  files["knowledge.json"] = write_knowledge(kb);
  files["README.md"] = write_readme(kb, in);

  gemba::AtomicDir dir(out_dir);
  for (const auto& [path, text] : files) {
    std::filesystem::path full = std::filesystem::path(dir.temp_path()) / path;
    std::filesystem::create_directories(full.parent_path());
    // Plain writes: the directory as a whole is atomic, and commit() fsyncs every file.
    std::FILE* file = std::fopen(full.c_str(), "wb");
    if (!file) gemba::fail(full.string(), ": cannot create: ", std::strerror(errno));
    bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
    ok = (std::fclose(file) == 0) && ok;
    if (!ok) gemba::fail(full.string(), ": write failed (disk full?)");
  }
  dir.commit();
  std::fprintf(stderr, "fa-sample-gen: wrote %zu files to %s (seed %llu, %zu facts, %zu test statements, %zu FAQ pairs)\n",
               files.size(), out_dir.c_str(), static_cast<unsigned long long>(seed), kb.facts.size(), in.truefalse.total,
               in.faq.entries);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const gemba::Error& e) {
    std::fprintf(stderr, "fa-sample-gen: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fa-sample-gen: error: %s\n", e.what());
    return 1;
  }
}
