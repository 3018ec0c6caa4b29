// gemba tokenize: encode text (or decode ids) with a tokenizer file, model directory or GGUF.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/verb.h"
#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace {

struct TokenizeArgs {
  std::string model, text, file, decode;
  bool ids_only = false, bos = false;
  bool text_set = false;
};

std::vector<int32_t> parse_ids(const std::string& s) {
  std::vector<int32_t> ids;
  std::string token;
  std::istringstream in(s);
  for (std::string word; in >> word;) {
    std::istringstream parts(word);
    for (std::string part; std::getline(parts, part, ',');) {
      if (part.empty()) continue;
      if (part.front() == '[') part.erase(0, 1);
      if (!part.empty() && part.back() == ']') part.pop_back();
      if (part.empty()) continue;
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(part, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != part.size() || v < 0 || v > INT32_MAX)
        gemba::fail("--decode: '", part, "' is not a token id (give ids separated by spaces or commas)");
      ids.push_back(static_cast<int32_t>(v));
    }
  }
  return ids;
}

void print_encoding(const gemba::tokenizer::Tokenizer& tok, const std::vector<int32_t>& ids, bool ids_only) {
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
  std::printf("%s\n", line.c_str());
  if (ids_only) return;
  line.clear();
  for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + tok.entry(ids[i]).piece;
  std::printf("%s\n", line.c_str());
}

gemba::cli::VerbRegistration tokenize_registration{
    "tokenize", "Encode text to token ids and pieces, or decode ids, with a tokenizer or model",
    [](CLI::App& app) {
      auto a = std::make_shared<TokenizeArgs>();
      app.add_option("-m,--model", a->model, "tokenizer.json, .model, .gguf or a model directory")->required();
      app.add_option("--text", a->text, "text to encode")->each([a](const std::string&) { a->text_set = true; });
      app.add_option("--file", a->file, "encode each line of this UTF-8 file");
      app.add_option("--decode", a->decode, "decode these ids (separated by spaces or commas)");
      app.add_flag("--ids", a->ids_only, "print only the ids (one line per input)");
      app.add_flag("--bos", a->bos, "prepend the BOS token");
      return [a]() -> int {
        const int modes = (a->text_set ? 1 : 0) + (a->file.empty() ? 0 : 1) + (a->decode.empty() ? 0 : 1);
        if (modes != 1) gemba::fail("tokenize: give exactly one of --text, --file or --decode");
        const auto tok = gemba::tokenizer::Tokenizer::load(a->model);
        if (!a->decode.empty()) {
          std::printf("%s\n", tok.decode(parse_ids(a->decode)).c_str());
          return 0;
        }
        if (a->text_set) {
          print_encoding(tok, tok.encode(a->text, a->bos), a->ids_only);
          return 0;
        }
        std::ifstream in(a->file, std::ios::binary);
        if (!in) gemba::fail(a->file, ": cannot open the input file");
        size_t line_no = 0;
        for (std::string line; std::getline(in, line);) {
          ++line_no;
          try {
            print_encoding(tok, tok.encode(line, a->bos), a->ids_only);
          } catch (const gemba::Error& e) {
            gemba::fail(a->file, ":", line_no, ": ", e.what());
          }
        }
        return 0;
      };
    }};

}  // namespace
