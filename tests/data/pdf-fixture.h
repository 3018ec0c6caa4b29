// Tiny hand-written PDFs for the data tests: one Helvetica text line per entry, top to
// bottom, with a correct xref table. Optionally "encrypted" with the standard security
// handler and a user password that is not empty, so a reader without the password sees a
// locked document.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

namespace gemba::test {

inline std::string pdf_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '(' || c == ')' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// One run of text at a position (points from the bottom-left corner, as PDF places it).
struct PdfRun {
  double x = 72, y = 760, size = 11;
  std::string text;  // ASCII
};

// pages[i] = the runs of page i.
inline std::string make_positioned_pdf(const std::vector<std::vector<PdfRun>>& pages, bool encrypted = false) {
  std::vector<std::string> objects;  // object k+1 = objects[k]
  const int n = static_cast<int>(pages.size());
  // 1 catalog, 2 pages, 3 font, then per page: page object, content stream; then encrypt dict.
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (int i = 0; i < n; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (int i = 0; i < n; ++i) {
    std::string content;
    for (const auto& run : pages[i]) {
      char place[96];
      std::snprintf(place, sizeof place, "BT /F1 %.1f Tf %.1f %.1f Td (", run.size, run.x, run.y);
      content += place + pdf_escape(run.text) + ") Tj ET\n";
    }
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents " +
                      std::to_string(5 + 2 * i) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
  }
  int encrypt_obj = 0;
  if (encrypted) {
    std::string o(64, 'a'), u(64, 'b');  // 32-byte /O and /U in hex: no password opens it
    objects.push_back("<< /Filter /Standard /V 1 /R 2 /O <" + o + "> /U <" + u + "> /P -44 >>");
    encrypt_obj = static_cast<int>(objects.size());
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t k = 0; k < objects.size(); ++k) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(k + 1) + " 0 obj\n" + objects[k] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", off);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R";
  if (encrypted)
    pdf += " /Encrypt " + std::to_string(encrypt_obj) + " 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]";
  pdf += " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// pages[i] = the lines of page i (ASCII), one line every 24 points from the top.
inline std::string make_pdf(const std::vector<std::vector<std::string>>& pages, bool encrypted = false) {
  std::vector<std::vector<PdfRun>> runs;
  for (const auto& page : pages) {
    runs.emplace_back();
    double y = 760;
    for (const auto& line : page) {
      runs.back().push_back({72, y, 11, line});
      y -= 24;
    }
  }
  return make_positioned_pdf(runs, encrypted);
}

}  // namespace gemba::test
