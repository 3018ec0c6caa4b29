// SFT data and training: rows carry loss on the assistant's answer only; a training row
// starts with exactly the prompt inference will send; packing keeps every answer; training on
// FAQ pairs lowers the loss on held-out FAQ pairs; the row order resumes exactly; cpt --mix-sft
// takes exactly its share of the steps from the chat rows.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "fine-tune-fixtures.h"
#include "train/interleaved-batches.h"
#include "train/row-batches.h"
#include "train/sft-data.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::train;

namespace {

// Questions about numbered items and their (learnable) colours.
std::string write_faq(const std::string& path, int first, int count) {
  static const char* colours[] = {"red", "blue", "green", "black"};
  std::ofstream out(path);
  for (int i = first; i < first + count; ++i)
    out << R"({"question": "colour of item )" << i << R"(?", "answer": "item )" << i << " is " << colours[i % 4] << "\"}\n";
  return path;
}

}  // namespace

TEST(SftData, LossOnlyOnTheAnswerAndPromptIsTheInferencePrefix) {
  auto tok = test::byte_tokenizer();
  const std::string dir = test::fresh_temp_dir("sft-rows");
  const std::string path = dir + "/faq.jsonl";
  {
    std::ofstream out(path);
    out << R"({"question": "What is E-21?", "answer": "Overcurrent."})" << "\n";
    out << R"({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"},)"
        << R"( {"role": "user", "content": "E-21?"}, {"role": "assistant", "content": "Overcurrent."}]})" << "\n";
  }
  SftDataOptions o;
  SftDataReport report;
  auto rows = load_sft_rows(path, tok, o, &report);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(report.conversations, 2u);

  // Row 0: prompt tokens (no loss) = what the engine sends for generation; then the answer + EOS.
  auto prompt = tokenizer::encode_chat(tok, o.chat_template, {{"user", "What is E-21?"}}, /*add_generation_prompt=*/true);
  const auto& r = rows[0];
  ASSERT_GT(r.ids.size(), prompt.ids.size());
  EXPECT_TRUE(std::equal(prompt.ids.begin(), prompt.ids.end(), r.ids.begin()));
  for (size_t i = 0; i < prompt.ids.size(); ++i) EXPECT_EQ(r.is_target[i], 0) << i;
  for (size_t i = prompt.ids.size(); i < r.ids.size(); ++i) EXPECT_EQ(r.is_target[i], 1) << i;
  EXPECT_EQ(r.ids.back(), tok.eos_id());
  EXPECT_EQ(tok.decode(std::vector<int32_t>(r.ids.begin() + static_cast<long>(prompt.ids.size()), r.ids.end() - 1)),
            "Overcurrent.");

  // Multi-turn: both assistant turns are targets.
  size_t target_runs = 0;
  for (size_t i = 0; i < rows[1].is_target.size(); ++i)
    if (rows[1].is_target[i] && (i == 0 || !rows[1].is_target[i - 1])) ++target_runs;
  EXPECT_EQ(target_runs, 2u);

  // Batch labels: next token where it is a target, else ignored; padding ignored.
  Batch b = batch_from_rows({&rows[0], &rows[1]}, tok.pad_id());
  const int64_t T = b.input_ids.size(1);
  EXPECT_EQ(T, static_cast<int64_t>(std::max(rows[0].ids.size(), rows[1].ids.size())) - 1);
  auto lab = b.labels.accessor<int64_t, 2>();
  for (int64_t t = 0; t < T; ++t) {
    const size_t next = static_cast<size_t>(t + 1);
    const int64_t want = next < r.ids.size() && r.is_target[next] ? r.ids[next] : kIgnoreIndex;
    EXPECT_EQ(lab[0][t], want) << t;
  }
  fs::remove_all(dir);
}

TEST(SftData, TruncationPackingAndErrors) {
  auto tok = test::byte_tokenizer();
  const std::string dir = test::fresh_temp_dir("sft-pack");
  const std::string path = write_faq(dir + "/faq.jsonl", 0, 10);
  SftDataOptions o;
  o.max_tokens = 200;  // about three conversations
  auto rows = load_sft_rows(path, tok, o);
  o.pack = true;
  SftDataReport report;
  auto packed = load_sft_rows(path, tok, o, &report);
  EXPECT_LT(packed.size(), rows.size());
  size_t targets = 0, packed_targets = 0;
  for (auto& r : rows) targets += static_cast<size_t>(std::count(r.is_target.begin(), r.is_target.end(), 1));
  for (auto& r : packed) {
    EXPECT_LE(r.ids.size(), 200u);
    packed_targets += static_cast<size_t>(std::count(r.is_target.begin(), r.is_target.end(), 1));
  }
  EXPECT_EQ(targets, packed_targets);

  // A row cut before its answer is dropped; nothing left -> a clear error.
  o.pack = false;
  o.max_tokens = 8;
  EXPECT_THROW(load_sft_rows(path, tok, o), Error);
  std::ofstream(dir + "/bad.jsonl") << "{not json\n";
  o.max_tokens = 64;
  try {
    load_sft_rows(dir + "/bad.jsonl", tok, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.jsonl"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(SftTraining, LowersHeldOutFaqLoss) {
  torch::set_num_threads(1);
  torch::manual_seed(3);
  auto tok = test::byte_tokenizer();
  const std::string dir = test::fresh_temp_dir("sft-train");
  SftDataOptions o;
  o.max_tokens = 64;
  auto train_rows = std::make_shared<const std::vector<SftRow>>(load_sft_rows(write_faq(dir + "/train.jsonl", 0, 48), tok, o));
  auto val_rows = std::make_shared<const std::vector<SftRow>>(load_sft_rows(write_faq(dir + "/val.jsonl", 100, 8), tok, o));
  LlamaForCausalLM model(test::byte_model_config());
  model->init_weights();
  TrainerOptions t;
  t.steps = 30;
  t.schedule.peak = 3e-3;
  t.schedule.min_lr = 3e-4;
  t.schedule.warmup_steps = 2;
  t.eval_every = 1;
  t.eval_batches = 1;
  t.progress = false;
  t.peak_flops = 1e11;
  auto source = std::make_shared<RowBatchSource>(train_rows, 8, 1, tok.pad_id(), 1);
  auto val = std::make_shared<RowBatchSource>(val_rows, 8, 1, tok.pad_id(), 1, /*shuffle=*/false);
  Trainer trainer(model, t, source, causal_lm_loss, val);
  const double before = trainer.evaluate().loss;
  auto m = trainer.run();
  ASSERT_TRUE(m.back().val_loss.has_value());
  EXPECT_LT(*m.back().val_loss, before * 0.6) << "before " << before;
  fs::remove_all(dir);
}

TEST(SftBatches, LengthGroupingKeepsTheRowsAndCutsThePadding) {
  const uint64_t n = 200, group = 40, batch = 8;
  std::vector<uint32_t> lengths;
  for (uint64_t i = 0; i < n; ++i) lengths.push_back(static_cast<uint32_t>(i * 37 % 97 + 1));
  EpochOrder plain(n, 3, true), grouped(n, 3, true);
  grouped.group_by_length(lengths, group);
  auto padding = [&](const EpochOrder& order, uint64_t epoch) {
    uint64_t pad = 0;
    for (uint64_t b = 0; b < n / batch; ++b) {
      uint32_t longest = 0, sum = 0;
      for (uint64_t i = 0; i < batch; ++i) {
        const uint32_t len = lengths[order.at(epoch * n + b * batch + i)];
        longest = std::max(longest, len);
        sum += len;
      }
      pad += longest * batch - sum;
    }
    return pad;
  };
  for (uint64_t epoch : {0, 1}) {
    std::set<uint64_t> all;
    for (uint64_t k = 0; k < n; ++k) all.insert(grouped.at(epoch * n + k));
    EXPECT_EQ(all.size(), n) << "every row once per epoch";
    // Each group holds the same rows as the plain order's: only their order inside it changed.
    for (uint64_t g = 0; g < n; g += group) {
      std::set<uint64_t> a, b;
      for (uint64_t k = g; k < g + group; ++k) a.insert(plain.at(epoch * n + k)), b.insert(grouped.at(epoch * n + k));
      EXPECT_EQ(a, b) << "group at " << g;
    }
    EXPECT_LT(padding(grouped, epoch) * 4, padding(plain, epoch)) << "epoch " << epoch;
  }
  EpochOrder again(n, 3, true);
  again.group_by_length(lengths, group);
  EXPECT_EQ(again.at(n + 77), grouped.at(n + 77));  // a pure function of (seed, epoch): exact resume
  EXPECT_THROW(again.group_by_length({1, 2}, group), gemba::Error);
}

TEST(SftBatches, RowOrderIsAPureFunctionOfTheStep) {
  auto tok = test::byte_tokenizer();
  const std::string dir = test::fresh_temp_dir("sft-order");
  SftDataOptions o;
  auto rows = std::make_shared<const std::vector<SftRow>>(load_sft_rows(write_faq(dir + "/faq.jsonl", 0, 20), tok, o));
  RowBatchSource a(rows, 4, 2, tok.pad_id(), 7), b(rows, 4, 2, tok.pad_id(), 7);
  // b visits steps in another order (as a resumed run would); batches must still agree.
  Batch late_b = b.get(9, 1, 0, 1);
  for (int64_t s = 0; s < 9; ++s) a.get(s, 0, 0, 1);
  EXPECT_TRUE(torch::equal(a.get(9, 1, 0, 1).input_ids, late_b.input_ids));
  // Two ranks together see the one-rank batch.
  Batch whole = a.get(3, 0, 0, 1), r0 = a.get(3, 0, 0, 2), r1 = a.get(3, 0, 1, 2);
  EXPECT_EQ(r0.input_ids.size(0) + r1.input_ids.size(0), whole.input_ids.size(0));
  // Every epoch visits every row once.
  std::set<std::vector<int64_t>> seen;
  for (int64_t s = 0; s < 5; ++s)
    for (int64_t m = 0; m < 2; ++m) {
      Batch x = a.get(s, m, 0, 1);
      for (int64_t i = 0; i < x.input_ids.size(0); ++i) {
        auto row = x.input_ids[i];
        std::vector<int64_t> ids(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel());
        while (!ids.empty() && ids.back() == tok.pad_id()) ids.pop_back();  // padding depends on the batch
        seen.insert(ids);
      }
    }
  EXPECT_EQ(seen.size(), 20u);
  fs::remove_all(dir);
}

namespace {

// A batch that says which source made it and for which of that source's steps: [[tag, step]].
class TaggedSource : public BatchSource {
 public:
  explicit TaggedSource(int64_t tag) : tag_(tag) {}
  Batch get(int64_t step, int64_t, int, int) override {
    return {torch::tensor({tag_, step}, torch::kLong).view({1, 2}), torch::zeros({1, 2}, torch::kLong), {}};
  }
  int64_t tokens_per_micro_batch() const override { return 2; }

 private:
  int64_t tag_;
};

}  // namespace

TEST(SftBatches, InterleavedChatStepsTakeTheirShareInOrder) {
  InterleavedBatchSource mix(std::make_shared<TaggedSource>(0), std::make_shared<TaggedSource>(1), 0.3);
  int64_t next[2] = {0, 0};
  for (int64_t step = 0; step < 100; ++step) {
    Batch b = mix.get(step, 0, 0, 1);
    const int64_t tag = b.input_ids[0][0].item<int64_t>();
    // Each source sees its own steps 0, 1, 2... with none skipped or repeated.
    EXPECT_EQ(b.input_ids[0][1].item<int64_t>(), next[tag]++) << "step " << step;
    EXPECT_EQ(tag == 1, mix.is_side_step(step));
    if (step == 9 || step == 49) {
      EXPECT_EQ(next[1], (step + 1) * 3 / 10) << "share of the first " << step + 1;
    }
  }
  EXPECT_EQ(next[1], 30);
  EXPECT_EQ(next[0], 70);
  InterleavedBatchSource none(std::make_shared<TaggedSource>(0), nullptr, 0.0);
  for (int64_t step = 0; step < 10; ++step) EXPECT_EQ(none.get(step, 0, 0, 1).input_ids[0][1].item<int64_t>(), step);
  EXPECT_THROW(InterleavedBatchSource(std::make_shared<TaggedSource>(0), std::make_shared<TaggedSource>(1), 1.0), Error);
  EXPECT_THROW(InterleavedBatchSource(std::make_shared<TaggedSource>(0), nullptr, 0.5), Error);
}
