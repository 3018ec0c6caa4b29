#include "data/ingest.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/atomic-output.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/utf8.h"
#include "data/document-text.h"
#include "data/readers/asciidoc-reader.h"
#include "data/readers/html-reader.h"
#include "data/readers/markdown-reader.h"
#include "data/readers/pdf-reader.h"
#include "data/readers/text-reader.h"

namespace gemba::data {
namespace fs = std::filesystem;
namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

bool is_hidden(const fs::path& p) {
  std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Does a shell pattern of `exclude` match the id ("manuals/en/FAQ.md") or the file name?
bool is_excluded(const std::string& id, const std::vector<std::string>& exclude) {
  const std::string name = fs::path(id).filename().string();
  for (const auto& pattern : exclude)
    if (::fnmatch(pattern.c_str(), id.c_str(), 0) == 0 || ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

// A document from blocks: its training text and title follow from them.
Document make_document(std::string id, const std::string& path, const std::string& type, std::vector<Block> blocks) {
  Document doc{std::move(id), path, type, document_title(blocks), std::move(blocks), ""};
  doc.text = document_text(doc.blocks);
  return doc;
}

}  // namespace

std::string manual_type(const std::string& path) {
  std::string ext = lower_extension(path);
  if (ext == ".txt" || ext == ".text") return "txt";
  if (ext == ".md" || ext == ".markdown") return "md";
  if (ext == ".adoc" || ext == ".asciidoc" || ext == ".asc") return "adoc";
  if (ext == ".html" || ext == ".htm" || ext == ".xhtml") return "html";
  if (ext == ".pdf") return "pdf";
  return "";
}

std::string_view checked_text(std::string_view bytes, const std::string& path) {
  if (bytes.size() >= 2 && ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF')))
    throw BadInput("binary", path + ": UTF-16 text; convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)");
  size_t nul = bytes.find('\0');
  if (nul != std::string_view::npos)
    throw BadInput("binary", path + ": binary file (NUL byte at offset " + std::to_string(nul) + "); only UTF-8 text is read");
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  size_t bad = 0;
  if (!utf8_valid(bytes, &bad))
    throw BadInput("invalid-utf8", path + ": invalid UTF-8 at byte " + std::to_string(bad) +
                                       "; convert the file to UTF-8 (e.g. iconv -f SHIFT_JIS -t UTF-8)");
  if (bytes.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) throw BadInput("empty", path + ": empty file (no text)");
  return bytes;
}

std::vector<Document> read_manual_file(const std::string& path, const std::string& id_base, uint64_t* pdf_lines_removed) {
  std::string type = manual_type(path);
  if (type.empty()) throw BadInput("unsupported", path + ": unsupported manual type; use .md, .adoc, .html, .pdf or .txt");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw BadInput(fs::exists(path, ec) ? "not-a-file" : "unreadable",
                   path + (fs::exists(path, ec) ? ": not a regular file (a FIFO, socket or device); copy the manual into a file"
                                                : ": cannot be read (missing, or a link to a file that no longer exists)"));
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const Error& e) {
    throw BadInput("unreadable", e.what());
  }
  std::vector<Document> docs;
  auto no_text = [&] { return BadInput("no-text", path + ": no text outside markup"); };
  if (type == "pdf") {
    if (bytes.empty()) throw BadInput("empty", path + ": empty file");
    PdfReadResult pdf = read_pdf(bytes, path);
    if (pdf_lines_removed) *pdf_lines_removed += static_cast<uint64_t>(pdf.header_footer_lines_removed);
    docs.push_back(make_document(id_base, path, type, std::move(pdf.blocks)));
    return docs;
  }
  std::string_view text = checked_text(bytes, path);
  if (type == "txt") {
    auto parts = split_text_documents(text);
    for (size_t k = 0; k < parts.size(); ++k) {
      std::string id = parts.size() == 1 ? id_base : id_base + "#" + std::to_string(k + 1);
      docs.push_back(make_document(id, path, type, read_plain_text(parts[k].text, parts[k].first_line)));
    }
    return docs;
  }
  std::vector<Block> blocks = type == "html" ? read_html(text) : type == "adoc" ? read_asciidoc(text) : read_markdown(text);
  if (blocks.empty()) throw no_text();
  docs.push_back(make_document(id_base, path, type, std::move(blocks)));
  return docs;
}

IngestResult ingest_manuals(const std::vector<std::string>& roots, const std::vector<std::string>& exclude) {
  struct Candidate {
    std::string path, id;
  };
  IngestResult result;
  std::vector<Candidate> files;
  std::set<std::string> ids;
  for (const auto& root : roots) {
    std::error_code ec;
    fs::path root_path(root);
    if (!fs::exists(root_path, ec)) fail("--manuals ", root, ": no such file or directory");
    // Ids are paths relative to the root's parent, so they start with the root's own name.
    fs::path normal = root_path.lexically_normal();
    if (!normal.has_filename()) normal = normal.parent_path();
    fs::path base = normal.parent_path();
    std::vector<std::string> found;
    if (fs::is_directory(root_path, ec)) {
      fs::recursive_directory_iterator it(root_path, fs::directory_options::skip_permission_denied, ec), end;
      if (ec) fail("--manuals ", root, ": cannot list: ", ec.message());
      for (; it != end; it.increment(ec)) {
        if (ec) {
          result.skipped.push_back({it->path().string(), "unreadable", it->path().string() + ": cannot list: " + ec.message()});
          ec.clear();
          continue;
        }
        if (is_hidden(it->path())) {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        if (it->is_directory(ec)) continue;
        // Regular files, and anything else that is not a directory (a FIFO, a dangling link):
        // read_manual_file names why those cannot be read, instead of passing them over.
        found.push_back(it->path().string());
      }
    } else {
      found.push_back(root);
    }
    std::sort(found.begin(), found.end());
    for (const auto& path : found) {
      std::string id = fs::path(path).lexically_relative(base).generic_string();
      if (id.empty() || id.rfind("..", 0) == 0) id = fs::path(path).filename().string();
      if (is_excluded(id, exclude)) {
        result.excluded.push_back(path);
        continue;
      }
      std::string unique = id;
      for (int k = 2; ids.count(unique); ++k) unique = id + "~" + std::to_string(k);
      ids.insert(unique);
      files.push_back({path, unique});
    }
  }
  Progress progress("ingest manuals", files.size(), "file");
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& file = files[i];
    std::string type = manual_type(file.path);
    if (type.empty()) {
      std::string ext = lower_extension(file.path);
      ++result.ignored_extensions[ext.empty() ? "(none)" : ext];
      log_debug("ignoring ", file.path, ": not a manual type");
      continue;
    }
    try {
      auto docs = read_manual_file(file.path, file.id, &result.pdf_header_footer_lines_removed);
      auto& stats = result.by_type[type];
      ++stats.files;
      std::error_code ec;
      stats.bytes += fs::file_size(file.path, ec);
      stats.documents += docs.size();
      for (auto& d : docs) result.documents.push_back(std::move(d));
    } catch (const BadInput& e) {
      log_warn("skipping ", e.what());
      result.skipped.push_back({file.path, e.reason(), e.what()});
    }
    progress.update(i + 1);
  }
  progress.finish();
  return result;
}

}  // namespace gemba::data
