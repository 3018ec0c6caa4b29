// Packing, deterministic shuffling, replay mixing and the LR schedule (no libtorch here).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "data/token-shard.h"
#include "train/launcher.h"
#include "train/lr-schedule.h"
#include "train/packed-sequences.h"

namespace fs = std::filesystem;
using namespace gemba::train;

namespace {

class PackedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("gemba-test-packed-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string shard(const std::string& name, const std::vector<int32_t>& tokens) {
    gemba::data::TokenShardWriter w(dir_ + "/" + name, 1000);
    w.append(tokens);
    w.commit();
    return dir_ + "/" + name;
  }
  std::string dir_;
};

std::vector<int32_t> range(int32_t from, int32_t to) {
  std::vector<int32_t> v;
  for (int32_t i = from; i < to; ++i) v.push_back(i);
  return v;
}

}  // namespace

TEST_F(PackedTest, WindowsCoverTheStreamWithEosBetweenShards) {
  // Shard 1 ends with EOS (2); shard 2 does not, so an EOS is inserted after it.
  auto s1 = shard("a.tok", {10, 11, 12, 2});
  auto s2 = shard("b.tok", {20, 21, 22});
  auto s3 = shard("c.tok", {30, 31, 32, 33, 34});
  PackedSequences seqs(s1 + "," + s2 + "," + s3, 4, /*eos=*/2, /*seed=*/1, /*shuffle=*/false);
  // stream: 10 11 12 2 20 21 22 2 30 31 32 33 34 2 -> 14 tokens; windows of 5 step 4 -> 3
  EXPECT_EQ(seqs.n_tokens(), 14u);
  ASSERT_EQ(seqs.n_windows(), 3u);
  std::vector<int32_t> w(5);
  seqs.window(0, w.data());
  EXPECT_EQ(w, (std::vector<int32_t>{10, 11, 12, 2, 20}));
  seqs.window(1, w.data());
  EXPECT_EQ(w, (std::vector<int32_t>{20, 21, 22, 2, 30}));
  seqs.window(2, w.data());
  EXPECT_EQ(w, (std::vector<int32_t>{30, 31, 32, 33, 34}));
}

TEST_F(PackedTest, BosWindowsStartWithBosAndStillCoverTheStream) {
  auto s1 = shard("a.tok", {10, 11, 12, 2});
  auto s2 = shard("b.tok", {20, 21, 22, 23, 24, 25, 26, 27, 28, 2});
  // stream: 10 11 12 2 20 ... 28 2 -> 14 tokens; windows of BOS + 4 stream tokens, step 3 -> 4
  PackedSequences seqs(s1 + "," + s2, 4, /*eos=*/2, /*seed=*/1, /*shuffle=*/false, /*bos=*/1);
  ASSERT_EQ(seqs.n_windows(), 4u);
  std::vector<int32_t> w(5);
  std::vector<int32_t> targets;  // what each window's inputs predict
  for (uint64_t i = 0; i < seqs.n_windows(); ++i) {
    seqs.window(i, w.data());
    EXPECT_EQ(w[0], 1) << "window " << i << " starts with BOS";
    targets.insert(targets.end(), w.begin() + 1, w.end());
  }
  seqs.window(1, w.data());
  EXPECT_EQ(w, (std::vector<int32_t>{1, 2, 20, 21, 22}));
  // Every stream token but the last (which no full window reaches) is a target.
  for (int32_t t : {10, 11, 12, 20, 21, 22, 23, 24, 25, 26, 27})
    EXPECT_NE(std::find(targets.begin(), targets.end(), t), targets.end()) << t;
  // Shuffled runs see the same windows.
  PackedSequences shuffled(s1 + "," + s2, 4, 2, 1, /*shuffle=*/true, /*bos=*/1);
  shuffled.sequence(0, w.data());
  EXPECT_EQ(w[0], 1);
  EXPECT_THROW(PackedSequences(s1, 1, 2, 1, true, 1), gemba::Error) << "BOS + 0 stream tokens is no window";
}

TEST_F(PackedTest, ShuffledEpochsVisitEveryWindowOnce) {
  auto s = shard("a.tok", range(3, 403));
  PackedSequences seqs(s, 8, 2, 5);
  const uint64_t n = seqs.n_windows();
  ASSERT_EQ(n, (400u + 1 - 1) / 8);  // 400 tokens + inserted EOS
  std::vector<int32_t> w(9);
  for (uint64_t epoch = 0; epoch < 2; ++epoch) {
    std::set<int32_t> firsts;
    std::vector<int32_t> order;
    for (uint64_t k = epoch * n; k < (epoch + 1) * n; ++k) {
      seqs.sequence(k, w.data());
      firsts.insert(w[0]);
      order.push_back(w[0]);
      for (int i = 1; i < 9; ++i)  // windows are contiguous; the stream ends with an inserted EOS
        if (!(w[i] == 2 && w[0] + i == 403)) {
          EXPECT_EQ(w[i], w[0] + i);
        }
    }
    EXPECT_EQ(firsts.size(), n);
    EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));
  }
  // Same seed: same sequence k; another seed: another order.
  PackedSequences again(s, 8, 2, 5), other(s, 8, 2, 6);
  std::vector<int32_t> a(9), b(9), c(9);
  int differ = 0;
  for (uint64_t k = 0; k < n; ++k) {
    seqs.sequence(k, a.data());
    again.sequence(k, b.data());
    other.sequence(k, c.data());
    EXPECT_EQ(a, b);
    differ += a != c;
  }
  EXPECT_GT(differ, 0);
}

TEST_F(PackedTest, TooLittleDataIsAUserError) {
  auto s = shard("small.tok", {5, 6, 2});
  try {
    PackedSequences seqs(s, 16, 2, 0);
    FAIL() << "expected an error";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--seq-len"), std::string::npos) << e.what();
  }
}

TEST_F(PackedTest, ReplayMixHasTheRequestedShare) {
  auto domain = std::make_shared<PackedSequences>(shard("d.tok", range(100, 300)), 4, 2, 1);
  auto replay = std::make_shared<PackedSequences>(shard("r.tok", range(500, 700)), 4, 2, 1);
  MixedSequences mix(domain, replay, 0.2);
  std::vector<int32_t> w(5);
  int from_replay = 0;
  for (uint64_t k = 0; k < 100; ++k) {
    mix.sequence(k, w.data());
    const bool is_replay = w[0] >= 500;
    EXPECT_EQ(is_replay, mix.is_replay(k)) << k;
    from_replay += is_replay;
  }
  EXPECT_EQ(from_replay, 20);
  MixedSequences none(domain);
  for (uint64_t k = 0; k < 20; ++k) {
    none.sequence(k, w.data());
    EXPECT_LT(w[0], 500);
  }
}

TEST(ReplaySpec, Parses) {
  auto [path, ratio] = parse_share_spec("--replay", "dir/general.tok:0.25");
  EXPECT_EQ(path, "dir/general.tok");
  EXPECT_DOUBLE_EQ(ratio, 0.25);
  EXPECT_THROW(parse_share_spec("--replay", "general.tok"), gemba::Error);
  EXPECT_THROW(parse_share_spec("--replay", "general.tok:x"), gemba::Error);
  EXPECT_THROW(parse_share_spec("--replay", "general.tok:1.5"), gemba::Error);
  EXPECT_THROW(parse_share_spec("--replay", "general.tok:0.2x"), gemba::Error);
}

TEST(LrSchedule, WarmupThenCosine) {
  LrSchedule s;
  s.peak = 1.0;
  s.min_lr = 0.1;
  s.warmup_steps = 4;
  s.total_steps = 14;
  EXPECT_DOUBLE_EQ(s.at(0), 0.25);
  EXPECT_DOUBLE_EQ(s.at(3), 1.0);
  EXPECT_DOUBLE_EQ(s.at(4), 1.0);                   // start of the decay
  EXPECT_NEAR(s.at(9), 0.1 + 0.45, 1e-12);          // half way: (peak + min) / 2
  EXPECT_NEAR(s.at(14), 0.1, 1e-12);
  EXPECT_NEAR(s.at(100), 0.1, 1e-12);               // stays at the floor
  for (int64_t i = 4; i < 14; ++i) EXPECT_GE(s.at(i), s.at(i + 1));
  s.warmup_start = 0.1;  // re-warming from the floor
  EXPECT_DOUBLE_EQ(s.at(0), 0.1 + 0.9 * 0.25);
}

TEST(Launcher, DropsNproc) {
  EXPECT_EQ(without_nproc({"gemba", "pretrain", "--nproc", "2", "--steps", "3"}),
            (std::vector<std::string>{"gemba", "pretrain", "--steps", "3"}));
  EXPECT_EQ(without_nproc({"gemba", "--nproc=4", "x"}), (std::vector<std::string>{"gemba", "x"}));
  EXPECT_GT(free_local_port(), 0);
  EXPECT_FALSE(own_command_line().empty());
}
