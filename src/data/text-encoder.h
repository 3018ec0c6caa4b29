// The tokenizer data preparation encodes with: trained on the training text (through the
// tokenizer library's trainer, src/tokenizer/train/), or given by --tokenizer (anything
// gemba::tokenizer::Tokenizer::load reads: a directory with tokenizer.json/tokenizer.model,
// a .model, a tokenizer.json or a .gguf).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gemba::data {

class TextEncoder {
 public:
  virtual ~TextEncoder() = default;
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;  // no BOS/EOS added
  virtual int32_t bos_id() const = 0;                                    // -1 if none
  virtual int32_t eos_id() const = 0;
  virtual uint64_t vocab_size() const = 0;
  virtual std::string describe() const = 0;  // for the report
};

struct TokenizerTrainOptions {
  std::string type = "unigram";  // "unigram" or "bpe"
  int vocab_size = 8000;
  int threads = 2;
  std::vector<std::string> whole_terms;  // user-defined symbols: always one token each
};

// Loads an existing tokenizer. Throws gemba::Error naming the path.
std::unique_ptr<TextEncoder> load_text_encoder(const std::string& path);

// Trains on `text_file` (one sentence per line) and writes `out_dir`/tokenizer.model,
// tokenizer.json, tokenizer_config.json (byte fallback, digits split, identity normalization,
// unk 0 / bos 1 / eos 2 / pad 3, "\n" a piece of its own). When the text is too small for
// the requested vocabulary, retries once with the largest size libsentencepiece accepts.
std::unique_ptr<TextEncoder> train_text_encoder(const std::string& text_file, const std::string& out_dir,
                                                const TokenizerTrainOptions& options);

}  // namespace gemba::data
