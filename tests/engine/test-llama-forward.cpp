// The engine's forward pass against a double-precision reference, KV-cache decode against
// full recompute, GGUF (permuted q/k, adjacent-pairs RoPE) against HF (rotate-half), batched
// decode against one sequence at a time, quantized weights within measured bounds, and
// named errors for unsupported tensor types.
#include <gtest/gtest.h>

#include "engine/convert-hf-to-gguf.h"
#include "engine/engine-test-util.h"
#include "engine/llama-model.h"
#include "engine/quantize-gguf.h"
#include "engine/random-model.h"
#include "format/gguf.h"
#include "tokenizer/tokenizer.h"

namespace gemba::engine {
namespace {

using testing::ReferenceModel;
using testing::relative_error;
using testing::ScratchDir;
using testing::tiny_config;

const std::vector<int32_t> kPrompt = {1, 77, 5, 260, 130, 42, 299, 9};

struct Shape {
  const char* name;
  int64_t n_heads, n_kv_heads;
  bool tied;
};
const Shape kShapes[] = {{"mha-untied", 4, 4, false}, {"mha-tied", 4, 4, true}, {"gqa-untied", 4, 2, false}, {"gqa-tied", 8, 2, true}};

std::string write_hf(const ScratchDir& dir, const Shape& s, uint64_t seed = 7) {
  RandomModelOptions opt;
  opt.seed = seed;
  opt.init_std = 0.1f;  // large enough that attention is far from uniform
  const std::string path = dir / s.name;
  write_random_model(tiny_config(s.n_heads, s.n_kv_heads, s.tied), path, opt);
  return path;
}

std::vector<float> all_logits(const std::string& path, int threads, KvType kv = KvType::kF32) {
  LlamaModel model(ModelWeights::load(path), threads);
  KvCache cache = model.new_cache(0, kv);
  return model.forward(cache, kPrompt, true);
}

TEST(LlamaForward, MatchesDoublePrecisionReference) {
  ScratchDir dir;
  for (const auto& s : kShapes) {
    SCOPED_TRACE(s.name);
    const std::string hf = write_hf(dir, s);
    const std::vector<double> ref = ReferenceModel(hf).forward(kPrompt);
    for (int threads : {1, 2}) {
      const auto got = all_logits(hf, threads);
      ASSERT_EQ(got.size(), ref.size());
      EXPECT_LT(relative_error(got, ref), 1e-5) << "threads " << threads;
    }
    // The same weights through GGUF: q/k rows permuted, adjacent-pairs RoPE.
    const std::string gguf = dir / (std::string(s.name) + ".gguf");
    convert_hf_to_gguf(hf, gguf, GgmlType::F32, 1);
    EXPECT_LT(relative_error(all_logits(gguf, 2), ref), 1e-5);
  }
}

TEST(LlamaForward, RandomGgufEqualsConvertedHfDir) {
  // model init straight to GGUF must equal HF dir + converter (same seed).
  ScratchDir dir;
  const Shape s = kShapes[2];
  const std::string hf = write_hf(dir, s, 11);
  RandomModelOptions opt;
  opt.seed = 11;
  opt.init_std = 0.1f;
  write_random_model(tiny_config(s.n_heads, s.n_kv_heads, s.tied), dir / "direct.gguf", opt);
  const auto ref = ReferenceModel(hf).forward(kPrompt);
  EXPECT_LT(relative_error(all_logits(dir / "direct.gguf", 1), ref), 1e-5);
}

TEST(LlamaForward, WrongRopeLayoutIsDetected) {
  // Guards the test itself: an HF model run with the GGUF RoPE layout must NOT match.
  ScratchDir dir;
  const std::string hf = write_hf(dir, kShapes[0]);
  auto weights = ModelWeights::load(hf);
  weights.rope_style = RopeStyle::kAdjacentPairs;
  LlamaModel model(std::move(weights), 1);
  KvCache cache = model.new_cache(0, KvType::kF32);
  EXPECT_GT(relative_error(model.forward(cache, kPrompt, true), ReferenceModel(hf).forward(kPrompt)), 1e-3);
}

TEST(LlamaForward, IncrementalDecodeEqualsFullRecompute) {
  ScratchDir dir;
  for (const auto& s : {kShapes[0], kShapes[3]}) {
    SCOPED_TRACE(s.name);
    const std::string hf = write_hf(dir, s);
    const auto full = all_logits(hf, 2);
    for (KvType kv : {KvType::kF32, KvType::kF16}) {
      LlamaModel model(ModelWeights::load(hf), 2);
      KvCache cache = model.new_cache(0, kv);
      const std::span<const int32_t> prompt(kPrompt);
      auto logits = model.forward(cache, prompt.first(3));  // prefill 3, then one at a time
      const int64_t V = model.vocab_size();
      const double bound = kv == KvType::kF32 ? 1e-5 : 2e-3;
      EXPECT_LT(relative_error(logits, std::vector<float>(full.begin() + 2 * V, full.begin() + 3 * V)), bound);
      for (size_t t = 3; t < kPrompt.size(); ++t) {
        logits = model.forward(cache, prompt.subspan(t, 1));
        EXPECT_LT(relative_error(logits, std::vector<float>(full.begin() + t * V, full.begin() + (t + 1) * V)), bound)
            << "position " << t;
      }
      EXPECT_EQ(cache.n_past(), static_cast<int64_t>(kPrompt.size()));
    }
  }
}

// Attention takes prefill queries in chunks of 32 against the keys up to each chunk's end:
// a 60-token prompt (chunks 32 + 28; the tiny model's context is 64), whole and as 37 + 23
// tokens (the second part with 37 positions already cached), must still equal the
// double-precision reference.
TEST(LlamaForward, LongPromptAcrossAttentionChunksMatchesReference) {
  ScratchDir dir;
  std::vector<int32_t> prompt(60);
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int32_t>((i * 37 + 11) % 290 + 1);
  for (const auto& s : {kShapes[0], kShapes[3]}) {
    SCOPED_TRACE(s.name);
    const std::string hf = write_hf(dir, s);
    const std::vector<double> ref = ReferenceModel(hf).forward(prompt);
    LlamaModel model(ModelWeights::load(hf), 2);
    KvCache whole = model.new_cache(0, KvType::kF32);
    EXPECT_LT(relative_error(model.forward(whole, prompt, true), ref), 1e-5);
    KvCache split = model.new_cache(0, KvType::kF32);
    const std::span<const int32_t> p(prompt);
    auto first = model.forward(split, p.first(37), true);
    const auto second = model.forward(split, p.subspan(37), true);
    first.insert(first.end(), second.begin(), second.end());
    EXPECT_LT(relative_error(first, ref), 1e-5);
  }
}

TEST(LlamaForward, BatchedDecodeEqualsOneAtATime) {
  ScratchDir dir;
  const std::string hf = write_hf(dir, kShapes[2]);
  LlamaModel model(ModelWeights::load(hf), 2);
  const std::vector<std::vector<int32_t>> prompts = {{1, 5, 9}, {1, 200, 201, 202, 203}, {1, 42}};
  const std::vector<int32_t> next = {17, 18, 19};
  // One at a time.
  std::vector<std::vector<float>> expected;
  for (size_t i = 0; i < prompts.size(); ++i) {
    KvCache cache = model.new_cache(0, KvType::kF32);
    model.forward(cache, prompts[i]);
    expected.push_back(model.forward(cache, std::span<const int32_t>(&next[i], 1)));
  }
  // Together: batched prefill of all three, then one batched decode step.
  std::vector<KvCache> caches;
  for (size_t i = 0; i < prompts.size(); ++i) caches.push_back(model.new_cache(0, KvType::kF32));
  std::vector<SequenceInput> inputs;
  for (size_t i = 0; i < prompts.size(); ++i) inputs.push_back({&caches[i], prompts[i], false});
  std::vector<float> prefill_logits;
  model.forward(inputs, prefill_logits);
  ASSERT_EQ(prefill_logits.size(), prompts.size() * static_cast<size_t>(model.vocab_size()));
  std::vector<KvCache*> ptrs = {&caches[0], &caches[1], &caches[2]};
  const auto batched = model.decode_batch(ptrs, next);
  const size_t V = static_cast<size_t>(model.vocab_size());
  for (size_t i = 0; i < prompts.size(); ++i)
    EXPECT_LT(relative_error(std::vector<float>(batched.begin() + i * V, batched.begin() + (i + 1) * V), expected[i]), 1e-5)
        << "sequence " << i;
  // The same cache twice in one batch is refused.
  std::vector<KvCache*> twice = {&caches[0], &caches[0]};
  const std::vector<int32_t> two = {1, 2};
  EXPECT_THROW(model.decode_batch(twice, two), Error);
}

TEST(LlamaForward, QuantizedLogitsWithinMeasuredBounds) {
  ScratchDir dir;
  const std::string hf = write_hf(dir, kShapes[0]);
  const auto ref = all_logits(hf, 2);
  // Bounds: measured max|diff|/max|logit| on this random model (std 0.1 weights; weights and,
  // for q8_0/q4_0, activations quantized): f16 1.1e-3, q8_0 0.029, q4_0 0.27. The bounds leave
  // about 2x headroom; q4_0 must also be worse than q8_0.
  const struct {
    GgmlType type;
    double bound;
  } cases[] = {{GgmlType::F16, 2.5e-3}, {GgmlType::Q8_0, 0.06}, {GgmlType::Q4_0, 0.5}};
  std::vector<double> errors;
  for (const auto& c : cases) {
    const std::string path = dir / (format::ggml_type_name(c.type) + ".gguf");
    convert_hf_to_gguf(hf, path, c.type, 2);
    const double err = relative_error(all_logits(path, 2), ref);
    std::printf("%s: relative logit error %.3g\n", format::ggml_type_name(c.type).c_str(), err);
    EXPECT_LT(err, c.bound) << format::ggml_type_name(c.type);
    EXPECT_GT(err, 0.0) << "quantization should change something";
    errors.push_back(err);
  }
  EXPECT_LT(errors[0], errors[1]);
  EXPECT_LT(errors[1], errors[2]);
  // GGUF -> GGUF re-quantization gives the same logits as converting the HF dir directly.
  convert_hf_to_gguf(hf, dir / "all-f32.gguf", GgmlType::F32, 1);
  quantize_gguf(dir / "all-f32.gguf", dir / "requantized-q8_0.gguf", GgmlType::Q8_0, 2);
  EXPECT_EQ(all_logits(dir / "requantized-q8_0.gguf", 1), all_logits(dir / "q8_0.gguf", 1));
}

TEST(LlamaForward, GgufTokenListHasOneEntryPerEmbeddingRow) {
  // llama.cpp takes n_vocab from tokenizer.ggml.tokens and requires token_embd to have exactly
  // that many rows; gemba pads the embedding (300 rows here, 261 tokenizer pieces), so the
  // token list is padded with unused entries, which gemba drops again when it reads the file.
  ScratchDir dir;
  const std::string hf = write_hf(dir, kShapes[0]);
  const auto hf_tok = tokenizer::Tokenizer::load(hf);
  ASSERT_LT(hf_tok.vocab_size(), 300);
  for (const std::string name : {"converted.gguf", "random.gguf"}) {
    SCOPED_TRACE(name);
    if (name == "converted.gguf") {
      convert_hf_to_gguf(hf, dir / name, GgmlType::F32, 1);
    } else {
      RandomModelOptions opt;
      write_random_model(tiny_config(4, 4, false), dir / name, opt);
    }
    const auto file = format::GgufFile::open(dir / name);
    const auto tokens = file.get("tokenizer.ggml.tokens").as_strings("tokens");
    const auto types = file.get("tokenizer.ggml.token_type").as_ints("types");
    const format::GgufTensorInfo* embd = nullptr;
    for (const auto& t : file.tensors())
      if (t.name == "token_embd.weight") embd = &t;
    ASSERT_NE(embd, nullptr);
    EXPECT_EQ(tokens.size(), embd->dims[1]);
    EXPECT_EQ(tokens.back(), "[PAD299]");
    EXPECT_EQ(types.back(), static_cast<int64_t>(tokenizer::TokenKind::kUnused));
    const auto back = tokenizer::Tokenizer::from_gguf(file);
    EXPECT_EQ(back.vocab_size(), hf_tok.vocab_size()) << "the pads are not tokens: never sampled, never decoded";
    for (const std::string text : {"E-21 サーボ [PAD299]", "hello world"})
      EXPECT_EQ(back.encode(text, true), hf_tok.encode(text, true)) << text;
  }
  // A tokenizer larger than the embedding cannot be stored.
  format::GgufWriter writer;
  EXPECT_THROW(hf_tok.to_gguf(writer, 100), Error);
}

TEST(LlamaForward, UnsupportedTensorTypeIsANamedError) {
  ScratchDir dir;
  const std::string hf = write_hf(dir, kShapes[0]);
  convert_hf_to_gguf(hf, dir / "ok.gguf", GgmlType::F32, 1);
  const auto ok = format::GgufFile::open(dir / "ok.gguf");
  // Rewrite the file with blk.1.ffn_up.weight declared as q5_1 (a type the engine lacks).
  format::GgufWriter writer;
  for (const auto& [k, v] : ok.metadata()) writer.set(k, v);
  std::vector<uint8_t> filler;
  for (const auto& t : ok.tensors()) {
    if (t.name == "blk.1.ffn_up.weight") {
      filler.assign(format::ggml_row_bytes(GgmlType::Q5_1, t.dims[0]) * t.dims[1], 0);
      writer.add_tensor(t.name, t.dims, GgmlType::Q5_1, filler.data(), filler.size());
    } else {
      writer.add_tensor(t.name, t.dims, t.type, t.data, t.n_bytes);
    }
  }
  writer.write(dir / "bad.gguf");
  try {
    ModelWeights::load(dir / "bad.gguf");
    FAIL() << "loading a q5_1 tensor should fail";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("blk.1.ffn_up.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("q5_1"), std::string::npos) << msg;
  }
}

TEST(LlamaForward, BadInputsAreErrorsNotCrashes) {
  ScratchDir dir;
  const std::string hf = write_hf(dir, kShapes[0]);
  LlamaModel model(ModelWeights::load(hf), 1);
  KvCache cache = model.new_cache(4, KvType::kF32);
  const std::vector<int32_t> out_of_vocab = {1, 300};
  EXPECT_THROW(model.forward(cache, out_of_vocab), Error);
  EXPECT_EQ(cache.n_past(), 0);
  const std::vector<int32_t> too_long = {1, 2, 3, 4, 5};
  EXPECT_THROW(model.forward(cache, too_long), Error);
  EXPECT_THROW(ModelWeights::load(dir / "missing.gguf"), Error);
}

}  // namespace
}  // namespace gemba::engine
