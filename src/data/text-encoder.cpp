#include "data/text-encoder.h"

#include <filesystem>
#include <regex>

#include "core/error.h"
#include "core/log.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/train/sentencepiece-trainer.h"

namespace gemba::data {
namespace fs = std::filesystem;
namespace {

class GembaEncoder : public TextEncoder {
 public:
  GembaEncoder(tokenizer::Tokenizer tok, std::string path) : tok_(std::move(tok)), path_(std::move(path)) {}
  std::vector<int32_t> encode(std::string_view text) const override { return tok_.encode(text, false); }
  int32_t bos_id() const override { return tok_.bos_id(); }
  int32_t eos_id() const override { return tok_.eos_id(); }
  uint64_t vocab_size() const override { return tok_.vocab_size(); }
  std::string describe() const override { return path_; }

 private:
  tokenizer::Tokenizer tok_;
  std::string path_;
};

}  // namespace

std::unique_ptr<TextEncoder> load_text_encoder(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail("--tokenizer ", path, ": no such file or directory");
  auto encoder = std::make_unique<GembaEncoder>(tokenizer::Tokenizer::load(path), path);
  if (encoder->eos_id() < 0) fail(path, ": tokenizer has no EOS token; documents in token shards are separated by EOS");
  return encoder;
}

std::unique_ptr<TextEncoder> train_text_encoder(const std::string& text_file, const std::string& out_dir,
                                                const TokenizerTrainOptions& options) {
  if (options.type != "unigram" && options.type != "bpe") fail("--tokenizer-type ", options.type, ": use unigram or bpe");
  tokenizer::TrainOptions train;
  train.inputs = {text_file};
  train.type = options.type == "bpe" ? tokenizer::TokenizerType::kBpe : tokenizer::TokenizerType::kUnigram;
  train.vocab_size = options.vocab_size;
  train.user_defined_symbols = {"\n"};
  for (const auto& term : options.whole_terms) train.user_defined_symbols.push_back(term);
  train.num_threads = std::max(1, options.threads);
  train.input_sentence_size = 2000000;
  try {
    tokenizer::train_tokenizer(train, out_dir);
  } catch (const Error& e) {
    // libsentencepiece: "Vocabulary size is too high (8000). Please set it to a value <= 1234."
    std::smatch m;
    std::string message = e.what();
    if (!std::regex_search(message, m, std::regex("value <= ([0-9]+)"))) throw;
    int largest = std::stoi(m[1].str());
    if (largest < 300 || largest >= options.vocab_size) throw;
    log_warn("the training text is too small for --vocab-size ", options.vocab_size, "; training with ", largest, " instead");
    train.vocab_size = largest;
    tokenizer::train_tokenizer(train, out_dir);
  }
  return std::make_unique<GembaEncoder>(tokenizer::Tokenizer::load(out_dir), out_dir);
}

}  // namespace gemba::data
