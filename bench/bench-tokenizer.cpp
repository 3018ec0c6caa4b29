// Encode speed (MB/s of UTF-8 input) of gemba's tokenizer vs libsentencepiece, on the Klipper
// manual (English + Japanese), for a BPE and a Unigram model trained here (vocab 4000).
//   build/<dir>/bench/bench-tokenizer --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <sentencepiece_processor.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/atomic-output.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/train/sentencepiece-trainer.h"

namespace {

using gemba::tokenizer::TokenizerType;

std::vector<std::string> corpus_lines() {
  std::vector<std::string> lines;
  for (const char* f : {"/corpora/klipper/manual.txt", "/corpora/klipper/manual_ja.txt"}) {
    std::ifstream in(std::string(GEMBA_SHARED_DIR) + f, std::ios::binary);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

struct Models {
  std::string root;
  std::vector<std::string> lines;
  size_t bytes = 0;
  Models() {
    root = (std::filesystem::temp_directory_path() / ("gemba-bench-tok-" + std::to_string(::getpid()))).string();
    lines = corpus_lines();
    for (const auto& l : lines) bytes += l.size();
    try {
      for (auto t : {TokenizerType::kBpe, TokenizerType::kUnigram}) {
        gemba::tokenizer::TrainOptions o;
        o.inputs = {std::string(GEMBA_SHARED_DIR) + "/corpora/klipper/manual.txt",
                    std::string(GEMBA_SHARED_DIR) + "/corpora/klipper/manual_ja.txt"};
        o.type = t;
        o.vocab_size = 4000;
        gemba::tokenizer::train_tokenizer(o, dir(t));
      }
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove_all(root, ec);
      throw;
    }
  }
  ~Models() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  std::string dir(TokenizerType t) const { return root + (t == TokenizerType::kBpe ? "/bpe" : "/unigram"); }
  static Models& get() {
    static Models m;
    return m;
  }
};

void BM_GembaEncode(benchmark::State& state) {
  const auto type = static_cast<TokenizerType>(state.range(0));
  auto& m = Models::get();
  const auto tok = gemba::tokenizer::Tokenizer::load(m.dir(type) + "/tokenizer.model");
  size_t tokens = 0;
  for (auto _ : state) {
    for (const auto& line : m.lines) tokens += tok.encode(line).size();
  }
  benchmark::DoNotOptimize(tokens);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * m.bytes));
  state.SetLabel(type == TokenizerType::kBpe ? "bpe" : "unigram");
}

void BM_SentencePieceEncode(benchmark::State& state) {
  const auto type = static_cast<TokenizerType>(state.range(0));
  auto& m = Models::get();
  sentencepiece::SentencePieceProcessor sp;
  if (!sp.Load(m.dir(type) + "/tokenizer.model").ok()) {
    state.SkipWithError("cannot load the model");
    return;
  }
  size_t tokens = 0;
  std::vector<int> ids;
  for (auto _ : state) {
    for (const auto& line : m.lines) {
      ids.clear();
      (void)sp.Encode(line, &ids);
      tokens += ids.size();
    }
  }
  benchmark::DoNotOptimize(tokens);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * m.bytes));
  state.SetLabel(type == TokenizerType::kBpe ? "bpe" : "unigram");
}

void BM_GembaLoad(benchmark::State& state) {
  const auto type = static_cast<TokenizerType>(state.range(0));
  auto& m = Models::get();
  for (auto _ : state) benchmark::DoNotOptimize(gemba::tokenizer::Tokenizer::load(m.dir(type) + "/tokenizer.json").vocab_size());
  state.SetLabel(type == TokenizerType::kBpe ? "bpe tokenizer.json" : "unigram tokenizer.json");
}

BENCHMARK(BM_GembaEncode)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SentencePieceEncode)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GembaLoad)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
