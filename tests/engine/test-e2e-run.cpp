// The gemba binary end to end: model init (GGUF and HF dir), run --temp 0 on both (same
// text: checks the converter's RoPE permutation through the CLI), quantize, bench --json,
// and a readable error for a missing model.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/json.h"
#include "engine/engine-test-util.h"

namespace {

using gemba::engine::testing::ScratchDir;

struct Result {
  int status;
  std::string out;
};

// Runs the gemba binary with `args`; stdout captured, stderr to `err_file`.
Result gemba(const std::string& args, const std::string& err_file) {
  const std::string cmd = std::string(GEMBA_BINARY) + " " + args + " 2>" + err_file;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

std::string slurp(const std::string& path) {
  FILE* f = fopen(path.c_str(), "rb");
  if (!f) return "";
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  fclose(f);
  return s;
}

TEST(E2eRun, InitRunQuantizeBench) {
  ScratchDir dir;
  const std::string err = dir / "stderr.txt";
  ASSERT_EQ(gemba("model init --preset tiny-gqa --random --seed 5 --std 0.1 -o " + (dir / "m.gguf"), err).status, 0) << slurp(err);
  ASSERT_EQ(gemba("model init --preset tiny-gqa --random --seed 5 --std 0.1 -o " + (dir / "hf"), err).status, 0) << slurp(err);

  const std::string run = " -p 'Hello, gemba' -n 16 --temp 0 --kv-type f32 --ignore-eos -t 2";
  const Result a = gemba("run -m " + (dir / "m.gguf") + run, err);
  ASSERT_EQ(a.status, 0) << slurp(err);
  EXPECT_FALSE(a.out.empty());
  EXPECT_EQ(a.out.find("gemba info"), std::string::npos) << "logs must go to stderr";
  const Result b = gemba("run -m " + (dir / "hf") + run, err);
  ASSERT_EQ(b.status, 0) << slurp(err);
  EXPECT_EQ(a.out, b.out) << "GGUF and HF directory of the same weights must generate the same text";

  ASSERT_EQ(gemba("quantize " + (dir / "hf") + " " + (dir / "q8.gguf") + " q8_0", err).status, 0) << slurp(err);
  ASSERT_EQ(gemba("quantize " + (dir / "q8.gguf") + " " + (dir / "q4.gguf") + " q4_0", err).status, 0) << slurp(err);
  const Result q = gemba("run -m " + (dir / "q4.gguf") + run, err);
  ASSERT_EQ(q.status, 0) << slurp(err);

  const Result bench = gemba("bench -m " + (dir / "q8.gguf") + " -p 16 -n 4 -r 2 -t 1 --json", err);
  ASSERT_EQ(bench.status, 0) << slurp(err);
  const size_t nl = bench.out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  const auto pp = gemba::parse_json(bench.out.substr(0, nl), "bench pp line");
  const auto tg = gemba::parse_json(bench.out.substr(nl + 1), "bench tg line");
  EXPECT_EQ(pp["n_prompt"], 16);
  EXPECT_EQ(pp["n_gen"], 0);
  EXPECT_EQ(tg["n_gen"], 4);
  EXPECT_EQ(tg["n_threads"], 1);
  EXPECT_GT(pp["avg_ts"].get<double>(), 0);
  EXPECT_GT(tg["peak_rss_bytes"].get<double>(), 0);
  EXPECT_GT(pp["model_size"].get<double>(), 0);
  EXPECT_TRUE(pp.contains("ttft_ms"));
}

TEST(E2eRun, RunChatIsOneChatTurn) {
  ScratchDir dir;
  const std::string err = dir / "stderr.txt";
  ASSERT_EQ(gemba("model init --preset tiny-gqa --random --seed 7 --std 0.1 -o " + (dir / "m.gguf"), err).status, 0) << slurp(err);
  const std::string opts = " -n 12 --temp 0 --kv-type f32 --ignore-eos -t 1";
  std::ofstream(dir / "in.txt") << "Hello, gemba\n";
  const Result chat = gemba("chat -m " + (dir / "m.gguf") + opts + " < " + (dir / "in.txt"), err);
  ASSERT_EQ(chat.status, 0) << slurp(err);
  const Result run = gemba("run --chat -m " + (dir / "m.gguf") + " -p 'Hello, gemba'" + opts, err);
  ASSERT_EQ(run.status, 0) << slurp(err);
  auto trimmed = [](std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  };
  EXPECT_FALSE(trimmed(run.out).empty());
  EXPECT_EQ(trimmed(run.out), trimmed(chat.out)) << "run --chat must see the prompt `gemba chat` builds for one turn";
}

TEST(E2eRun, MissingModelIsAReadableError) {
  ScratchDir dir;
  const std::string err = dir / "stderr.txt";
  const Result r = gemba("run -m " + (dir / "nope.gguf") + " -p hi", err);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(slurp(err).find("nope.gguf"), std::string::npos) << slurp(err);
  const Result t = gemba("quantize " + (dir / "nope.gguf") + " " + (dir / "o.gguf") + " q3_x", err);
  EXPECT_NE(t.status, 0);
}

}  // namespace
