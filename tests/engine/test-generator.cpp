// Generation: UTF-8 / stop-string streaming, same seed -> same tokens, stop conditions,
// cancellation, prompt-prefix reuse in the KV cache, and many prompts batched together.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>

#include "engine/batch-generator.h"
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

// Requests of different lengths, limits, stop strings and samplers, so that sequences finish at
// different steps and new prompts are prefilled beside others' decode steps.
std::vector<GenerationRequest> mixed_requests(const tokenizer::Tokenizer& tok) {
  std::vector<GenerationRequest> requests;
  const char* prompts[] = {"abc", "a much longer prompt than the others", "q", "xyz", "hello there", "ab", "zzz"};
  for (int i = 0; i < 7; ++i) {
    GenerationRequest r;
    r.prompt = tok.encode(prompts[i], true);
    r.options.max_new_tokens = 3 + 5 * i;
    r.options.ignore_eos = true;
    r.options.sampling.temperature = 0;
    if (i % 3 == 1) {
      r.options.sampling.temperature = 1.0f;
      r.options.sampling.seed = 100 + static_cast<uint64_t>(i);
    }
    requests.push_back(std::move(r));
  }
  return requests;
}

TEST_F(GeneratorTest, BatchGivesEachRequestsOwnResult) {
  auto requests = mixed_requests(*bundle_.tokenizer);
  // A stop string taken from request 4's own greedy output.
  const auto alone4 = generate("hello there", requests[4].options);
  ASSERT_GE(alone4.text.size(), 6u);
  // The random model writes mostly invalid UTF-8 (shown as U+FFFD): stop at one of its ASCII letters.
  size_t at = alone4.text.size() - 1;
  while (at > 0 && !std::isalpha(static_cast<unsigned char>(alone4.text[at]))) --at;
  ASSERT_GT(at, 0u);
  requests[4].options.stop = {alone4.text.substr(at, 1)};
  std::vector<GenerateResult> alone;
  for (const auto& r : requests) {
    Generator g(*bundle_.model, *bundle_.tokenizer);
    KvCache cache = bundle_.model->new_cache(0, KvType::kF16);
    alone.push_back(g.generate(cache, r.prompt, r.options));
  }
  for (int64_t n_parallel : {1, 3, 16}) {
    SCOPED_TRACE(n_parallel);
    const auto batched = generate_batch(*bundle_.model, *bundle_.tokenizer, requests, {n_parallel, KvType::kF16});
    ASSERT_EQ(batched.size(), requests.size());
    for (size_t i = 0; i < requests.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(batched[i].tokens, alone[i].tokens);
      EXPECT_EQ(batched[i].text, alone[i].text);
      EXPECT_EQ(batched[i].finish, alone[i].finish);
      EXPECT_EQ(batched[i].n_prompt, static_cast<int64_t>(requests[i].prompt.size()));
    }
  }
  EXPECT_EQ(alone[4].finish, FinishReason::kStop);
  EXPECT_EQ(alone[0].finish, FinishReason::kLength);
}

TEST_F(GeneratorTest, BatchCountsProgressAndEndsZeroTokenRequestsAtOnce) {
  auto requests = mixed_requests(*bundle_.tokenizer);
  requests[2].options.max_new_tokens = 0;
  std::vector<size_t> seen;
  const auto results = generate_batch(*bundle_.model, *bundle_.tokenizer, requests, {2, KvType::kF16},
                                      [&](size_t done, size_t total) {
                                        EXPECT_EQ(total, requests.size());
                                        seen.push_back(done);
                                      });
  ASSERT_EQ(seen.size(), requests.size());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1);
  EXPECT_TRUE(results[2].tokens.empty());
  EXPECT_EQ(results[2].finish, FinishReason::kLength);
  EXPECT_EQ(results[6].tokens.size(), 33u);
  EXPECT_TRUE(generate_batch(*bundle_.model, *bundle_.tokenizer, {}).empty());
}

TEST_F(GeneratorTest, BatchRejectsAnEmptyOrOverlongPromptByIndex) {
  auto requests = mixed_requests(*bundle_.tokenizer);
  requests[5].prompt.clear();
  try {
    generate_batch(*bundle_.model, *bundle_.tokenizer, requests);
    FAIL() << "no error for an empty prompt";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("request 5"), std::string::npos) << e.what();
  }
  requests[5].prompt.assign(static_cast<size_t>(bundle_.model->config().max_position) + 1, 1);
  try {
    generate_batch(*bundle_.model, *bundle_.tokenizer, requests);
    FAIL() << "no error for a prompt longer than the context";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("request 5"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gemba::engine
