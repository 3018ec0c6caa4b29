#include "tokenizer/train/sentencepiece-trainer.h"

#include <sentencepiece_trainer.h>

#include <filesystem>
#include <unordered_map>

#include "core/atomic-output.h"
#include "core/error.h"
#include "tokenizer/hf-tokenizer-json.h"
#include "tokenizer/sentencepiece-model.h"

namespace gemba::tokenizer {

std::string train_sentencepiece(const TrainOptions& o) {
  if (o.inputs.empty()) fail("tokenizer train: no input files (--input)");
  for (const auto& f : o.inputs)
    if (!std::filesystem::is_regular_file(f)) fail("tokenizer train: input '", f, "' is not a readable file");
  if (o.vocab_size < 300)
    fail("tokenizer train: --vocab-size ", o.vocab_size, " is too small (at least 300: 256 byte pieces + specials + text)");
  if (!(o.character_coverage > 0.0 && o.character_coverage <= 1.0))
    fail("tokenizer train: --character-coverage must be in (0, 1]");
  std::string inputs, symbols;
  for (const auto& f : o.inputs) {
    if (f.find(',') != std::string::npos) fail("tokenizer train: input path '", f, "' contains ',' (rename the file)");
    inputs += (inputs.empty() ? "" : ",") + f;
  }
  for (const auto& s : o.user_defined_symbols) {
    if (s.empty() || s.find(',') != std::string::npos) fail("tokenizer train: user-defined symbol '", s, "' is empty or contains ','");
    symbols += (symbols.empty() ? "" : ",") + s;
  }
  std::unordered_map<std::string, std::string> args = {
      {"input", inputs},
      {"model_type", o.type == TokenizerType::kBpe ? "bpe" : "unigram"},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"character_coverage", std::to_string(o.character_coverage)},
      {"byte_fallback", "true"},
      {"normalization_rule_name", "identity"},
      {"remove_extra_whitespaces", "false"},
      {"add_dummy_prefix", "true"},
      {"split_digits", "true"},
      {"unk_id", "0"},
      {"bos_id", "1"},
      {"eos_id", "2"},
      {"pad_id", "3"},
      {"unk_piece", "<unk>"},
      {"bos_piece", "<s>"},
      {"eos_piece", "</s>"},
      {"pad_piece", "<pad>"},
      {"num_threads", std::to_string(o.num_threads)},
  };
  if (!symbols.empty()) args["user_defined_symbols"] = symbols;
  if (o.input_sentence_size > 0) {
    args["input_sentence_size"] = std::to_string(o.input_sentence_size);
    args["shuffle_input_sentence"] = "true";
  }
  if (o.quiet) args["minloglevel"] = "2";
  std::string model;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, nullptr, &model);
  if (!status.ok()) fail("tokenizer train: libsentencepiece: ", status.ToString());
  if (model.empty()) fail("tokenizer train: libsentencepiece returned no model");
  return model;
}

void train_tokenizer(const TrainOptions& options, const std::string& out_dir) {
  const std::string model = train_sentencepiece(options);
  // Parse back with gemba's own reader: proves the model is one gemba can encode with.
  const TokenizerSpec spec = parse_sentencepiece_model(model, "trained tokenizer.model");
  AtomicDir dir(out_dir);
  write_file_atomic(dir.file("tokenizer.model"), model);
  write_file_atomic(dir.file("tokenizer.json"), hf_tokenizer_json(spec).dump(1) + "\n");
  write_json_file(dir.file("tokenizer_config.json"), hf_tokenizer_config_json(spec));
  dir.commit();
}

}  // namespace gemba::tokenizer
