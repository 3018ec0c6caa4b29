// Shared by the tokenizer tests: trains small SentencePiece models once per test binary on
// the Klipper corpus (English + Japanese) plus mixed strings, in a temporary directory.
#pragma once
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <map>
#include <string>
#include <vector>

#include "core/atomic-output.h"
#include "tokenizer/train/sentencepiece-trainer.h"

namespace gemba::tokenizer::test {

inline std::string shared_path(const std::string& rel) { return std::string(GEMBA_SHARED_DIR) + "/" + rel; }

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Mixed Japanese/English strings written for these tests (spacing, digits, symbols, rare
// characters that force byte fallback).
inline std::vector<std::string> mixed_strings() {
  return {
      "E-21 on the servo amplifier, what now?",
      "サーボアンプのE-21アラームが出ました。対処方法は？",
      "Set stepper_x の rotation_distance を 40 mm にする",
      "  leading spaces and trailing  ",
      "multiple    spaces\tand\ttabs",
      "温度センサー (thermistor) が 250°C を超えたら停止する",
      "絵文字 🙂🔧 and 𠮷野家 (rare CJK) 鱻 龘",
      "１２３ full-width digits and ＡＢＣ",
      "G28 X0 Y0\nM104 S200\n",
      "",
      " ",
      "a",
      "日本語だけの文です。",
      "x=3.14159, y=-2.71828e+10; z=[1,2,3]",
      "[printer]\nkinematics: corexy\nmax_velocity: 300",
  };
}

class TrainedModels {
 public:
  static const TrainedModels& get() {
    static TrainedModels models;
    return models;
  }
  std::string dir(TokenizerType t) const { return root_ + (t == TokenizerType::kBpe ? "/bpe" : "/unigram"); }
  ~TrainedModels() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

 private:
  TrainedModels() {
    try {
      train();
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove_all(root_, ec);
      throw;
    }
  }
  void train() {
    root_ = (std::filesystem::temp_directory_path() / ("gemba-tokenizer-test-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(root_);
    // Training text: the Japanese manual, the mixed strings and a slice of the English one
    // (small, so the test stays fast; the parity check then runs on the whole files).
    std::string text = read_file(shared_path("corpora/klipper/manual_ja.txt"));
    for (const auto& s : mixed_strings()) text += s + "\n";
    const auto en = read_lines(shared_path("corpora/klipper/manual.txt"));
    for (size_t i = 0; i < en.size() && i < 4000; ++i) text += en[i] + "\n";
    const std::string input = root_ + "/train.txt";
    write_file_atomic(input, text);
    for (auto t : {TokenizerType::kBpe, TokenizerType::kUnigram}) {
      TrainOptions o;
      o.inputs = {input};
      o.type = t;
      o.vocab_size = 1200;
      o.user_defined_symbols = {"<sep>", "E-21"};
      train_tokenizer(o, dir(t));
    }
  }
  std::string root_;
};

}  // namespace gemba::tokenizer::test
