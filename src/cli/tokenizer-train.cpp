// gemba tokenizer train: a SentencePiece BPE or Unigram tokenizer via libsentencepiece's
// trainer; writes DIR/tokenizer.model, tokenizer.json and tokenizer_config.json.
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/error.h"
#include "tokenizer/train/sentencepiece-trainer.h"

namespace {

struct TrainArgs {
  gemba::tokenizer::TrainOptions options;
  std::string type = "unigram";
  std::string out;
  bool verbose = false;
};

gemba::cli::VerbRegistration tokenizer_train_registration{
    "tokenizer train", "Train a SentencePiece BPE/Unigram tokenizer (byte fallback, identity normalization)",
    [](CLI::App& app) {
      auto a = std::make_shared<TrainArgs>();
      app.add_option("--input", a->options.inputs, "UTF-8 text files, one sentence per line")->required()->expected(1, -1);
      app.add_option("--type", a->type, "bpe or unigram")->check(CLI::IsMember({"bpe", "unigram"}));
      app.add_option("--vocab-size", a->options.vocab_size, "vocabulary size")->required();
      app.add_option("-o,--output", a->out, "output directory")->required();
      app.add_option("--character-coverage", a->options.character_coverage,
                     "fraction of characters covered by pieces (rest: byte fallback)");
      app.add_option("--user-defined-symbols", a->options.user_defined_symbols, "symbols always kept whole")
          ->delimiter(',');
      app.add_option("--input-sentence-size", a->options.input_sentence_size, "sample this many lines (0 = all)");
      app.add_option("--threads", a->options.num_threads, "trainer threads");
      app.add_flag("--verbose", a->verbose, "show libsentencepiece's log");
      return [a]() -> int {
        a->options.type = a->type == "bpe" ? gemba::tokenizer::TokenizerType::kBpe : gemba::tokenizer::TokenizerType::kUnigram;
        a->options.quiet = !a->verbose;
        gemba::tokenizer::train_tokenizer(a->options, a->out);
        std::printf("wrote %s/tokenizer.model, tokenizer.json, tokenizer_config.json (%s, vocab %d)\n", a->out.c_str(),
                    a->type.c_str(), a->options.vocab_size);
        return 0;
      };
    }};

}  // namespace
