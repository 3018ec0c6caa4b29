// Generation: UTF-8 / stop-string streaming, same seed -> same tokens, stop conditions,
// cancellation, and prompt-prefix reuse in the KV cache.
#include <gtest/gtest.h>

#include <atomic>

#include "engine/engine-test-util.h"
#include "engine/generator.h"
#include "engine/model-bundle.h"
#include "engine/random-model.h"
#include "engine/text-stream.h"
#include "core/utf8.h"

namespace gemba::engine {
namespace {

using testing::ScratchDir;

TEST(TextStream, EmitsOnlyCompleteUtf8) {
  TextStream s;
  const std::string ja = "現場";  // 3 bytes each
  EXPECT_EQ(s.push(ja.substr(0, 1)), "");
  EXPECT_EQ(s.push(ja.substr(1, 1)), "");
  EXPECT_EQ(s.push(ja.substr(2, 2)), "現");
  EXPECT_EQ(s.push(ja.substr(4, 2) + "!"), "場!");
  EXPECT_EQ(s.flush(), "");
}

TEST(TextStream, InvalidBytesBecomeReplacementCharacters) {
  TextStream s;
  EXPECT_EQ(s.push("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(s.push("\xE7\x8F"), "");  // incomplete at the end
  EXPECT_EQ(s.flush(), "\xEF\xBF\xBD");
}

TEST(TextStream, StopsBeforeAStopStringAcrossPieces) {
  TextStream s({"###", "END"});
  EXPECT_EQ(s.push("Hello #"), "Hello ");  // '#' could start "###": held back
  EXPECT_EQ(s.push("# x"), "## x");         // it did not
  EXPECT_FALSE(s.stopped());
  EXPECT_EQ(s.push(" E"), " ");
  EXPECT_EQ(s.push("NDmore"), "");
  EXPECT_TRUE(s.stopped());
  EXPECT_EQ(s.push("after"), "");
  EXPECT_EQ(s.flush(), "");
}

TEST(TextStream, FlushReleasesHeldBackText) {
  TextStream s({"###"});
  EXPECT_EQ(s.push("a ##"), "a ");
  EXPECT_EQ(s.flush(), "##");
}

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RandomModelOptions opt;
    opt.seed = 3;
    opt.init_std = 0.1f;
    write_random_model(testing::tiny_config(4, 2, false), dir_ / "m.gguf", opt);
    bundle_ = load_model_bundle(dir_ / "m.gguf", 2);
  }
  GenerateResult generate(const std::string& prompt, GenerateOptions o, const PieceCallback& cb = {}) {
    KvCache cache = bundle_.model->new_cache(0, KvType::kF16);
    Generator g(*bundle_.model, *bundle_.tokenizer);
    return g.generate(cache, bundle_.tokenizer->encode(prompt, true), o, cb);
  }
  ScratchDir dir_;
  ModelBundle bundle_;
};

TEST_F(GeneratorTest, SameSeedSameTokens) {
  GenerateOptions o;
  o.max_new_tokens = 24;
  o.ignore_eos = true;
  o.sampling.temperature = 1.0f;
  o.sampling.top_k = 0;
  o.sampling.top_p = 1.0f;
  o.sampling.min_p = 0;
  o.sampling.seed = 42;
  const auto a = generate("hello", o), b = generate("hello", o);
  ASSERT_EQ(a.tokens.size(), 24u);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.text, b.text);
  o.sampling.seed = 43;
  EXPECT_NE(generate("hello", o).tokens, a.tokens);
  EXPECT_EQ(a.finish, FinishReason::kLength);
}

TEST_F(GeneratorTest, StreamedPiecesConcatenateToTheText) {
  GenerateOptions o;
  o.max_new_tokens = 30;
  o.ignore_eos = true;
  o.sampling.temperature = 0;
  std::string streamed;
  const auto r = generate("abc", o, [&](std::string_view piece) {
    EXPECT_TRUE(utf8_valid(piece));
    streamed += piece;
    return true;
  });
  EXPECT_EQ(streamed, r.text);
  // Greedy is deterministic regardless of seed.
  o.sampling.seed = 777;
  EXPECT_EQ(generate("abc", o).tokens, r.tokens);
}

TEST_F(GeneratorTest, StopStringEndsGenerationAndIsNotEmitted) {
  GenerateOptions o;
  o.max_new_tokens = 40;
  o.ignore_eos = true;
  o.sampling.temperature = 0;
  const auto full = generate("xyz", o);
  ASSERT_GE(full.text.size(), 4u);
  // Use a piece of the greedy output as the stop string.
  const std::string stop = full.text.substr(full.text.size() / 2, 2);
  o.stop = {stop};
  const auto r = generate("xyz", o);
  EXPECT_EQ(r.finish, FinishReason::kStop);
  EXPECT_EQ(r.text, full.text.substr(0, full.text.find(stop)));
}

TEST_F(GeneratorTest, CancellationAndCallbackStop) {
  GenerateOptions o;
  o.max_new_tokens = 40;
  o.ignore_eos = true;
  o.sampling.temperature = 0;
  std::atomic<bool> cancel{true};
  o.cancel = &cancel;
  const auto r = generate("q", o);
  EXPECT_EQ(r.finish, FinishReason::kCancelled);
  EXPECT_TRUE(r.tokens.empty());
  o.cancel = nullptr;
  int calls = 0;
  const auto r2 = generate("q", o, [&](std::string_view) { return ++calls < 2; });
  EXPECT_EQ(r2.finish, FinishReason::kCancelled);
  EXPECT_EQ(calls, 2);
}

TEST_F(GeneratorTest, ReusesTheCachedPrefixWithSameResult) {
  GenerateOptions o;
  o.max_new_tokens = 8;
  o.ignore_eos = true;
  o.sampling.temperature = 0;
  Generator g(*bundle_.model, *bundle_.tokenizer);
  KvCache cache = bundle_.model->new_cache(0, KvType::kF32);
  const auto p1 = bundle_.tokenizer->encode("first turn", true);
  g.generate(cache, p1, o);
  auto p2 = p1;
  for (int32_t id : bundle_.tokenizer->encode(" and more", false)) p2.push_back(id);
  const auto reused = g.generate(cache, p2, o);
  EXPECT_EQ(reused.n_prompt_reused, static_cast<int64_t>(p1.size()));
  KvCache fresh = bundle_.model->new_cache(0, KvType::kF32);
  EXPECT_EQ(g.generate(fresh, p2, o).tokens, reused.tokens);
}

TEST_F(GeneratorTest, ContextFullAndOverlongPrompt) {
  GenerateOptions o;
  o.max_new_tokens = -1;
  o.ignore_eos = true;
  o.sampling.temperature = 0;
  Generator g(*bundle_.model, *bundle_.tokenizer);
  KvCache small = bundle_.model->new_cache(10, KvType::kF16);
  const auto r = g.generate(small, bundle_.tokenizer->encode("ab", true), o);
  EXPECT_EQ(r.finish, FinishReason::kContextFull);
  EXPECT_EQ(small.n_past(), 10);
  KvCache tiny = bundle_.model->new_cache(3, KvType::kF16);
  EXPECT_THROW(g.generate(tiny, bundle_.tokenizer->encode("too long a prompt", true), o), Error);
}

}  // namespace
}  // namespace gemba::engine
