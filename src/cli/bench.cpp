// gemba bench: prompt processing (pp) and token generation (tg) speed of a model, the way
// llama-bench measures them, so the two can be compared on the same GGUF file:
//   pp N: N prompt tokens through an empty context in batches (tok/s), + time to first token;
//   tg N: N tokens decoded one at a time from an empty context (tok/s).
// One warm-up run, then -r repetitions: mean and standard deviation. --json prints one JSON
// object per line and test with llama-bench's field names plus peak_rss_bytes.
#include <time.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include "cli/verb.h"
#include "core/json.h"
#include "core/log.h"
#include "core/system-info.h"
#include "engine/lora-apply.h"
#include "engine/model-bundle.h"

namespace gemba::cli {
namespace {

struct BenchArgs {
  std::string model;
  std::vector<std::string> lora;  // FILE[:scale]
  int64_t n_prompt = 512, n_gen = 128, n_batch = 512, ctx = 0;
  int threads = 0, reps = 5;
  std::string kv_type = "f16";
  bool json = false;
};

struct Stats {
  double mean = 0, stddev = 0;
};

Stats stats(const std::vector<double>& v) {
  Stats s;
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return s;
}

// CPU time of the whole process (all threads): on a shared machine, tokens per CPU-second
// says what the cores do when they run, independent of how often they are scheduled.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

std::vector<int32_t> random_tokens(int64_t n, int64_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (auto& id : t) id = static_cast<int32_t>(rng() % static_cast<uint32_t>(vocab));
  return t;
}

int bench_verb(const BenchArgs& a) {
  engine::ModelBundle b = engine::load_model_bundle(a.model, a.threads);
  engine::LlamaModel& model = *b.model;
  const auto lora = engine::attach_lora_adapters(model, a.lora);  // outlives every forward below
  const auto& w = model.weights();
  const engine::KvType kv = engine::parse_kv_type(a.kv_type);
  const int64_t need = std::max<int64_t>(1, std::max(a.n_prompt + 1, a.n_gen));
  const int64_t ctx = a.ctx > 0 ? a.ctx : need;
  if (ctx < need) fail("gemba bench: --ctx ", ctx, " is shorter than the test needs (", need, ")");
  const int64_t V = model.vocab_size();
  const int64_t n_batch = std::max<int64_t>(1, a.n_batch);
  char params[32];
  const double n_params = static_cast<double>(model.config().n_params());
  if (n_params >= 1e9)
    std::snprintf(params, sizeof params, "%.2fB", n_params / 1e9);
  else
    std::snprintf(params, sizeof params, "%.2fM", n_params / 1e6);
  std::string type_upper = w.main_type;
  for (auto& ch : type_upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::string model_type = std::string("llama ") + params + " " + type_upper + (a.lora.empty() ? "" : " +LoRA");

  auto emit = [&](const char* test, int64_t n_prompt, int64_t n_gen, const std::vector<double>& seconds,
                  const std::vector<double>& cpu_seconds, double ttft_ms) {
    std::vector<double> ts, ts_cpu;
    for (double s : seconds) ts.push_back(static_cast<double>(n_prompt + n_gen) / s);
    for (double s : cpu_seconds) ts_cpu.push_back(static_cast<double>(n_prompt + n_gen) / s);
    const Stats t = stats(ts), ns = stats(seconds), tc = stats(ts_cpu);
    if (a.json) {
      Json j = {{"model_filename", a.model}, {"model_type", model_type}, {"model_size", w.weight_bytes},
                {"model_n_params", model.config().n_params()}, {"cpu_info", cpu_model_name()},
                {"backend", std::string("CPU ") + engine::active_kernel_set()}, {"n_batch", n_batch},
                {"n_threads", model.n_threads()}, {"type_k", a.kv_type}, {"type_v", a.kv_type},
                {"n_prompt", n_prompt}, {"n_gen", n_gen}, {"avg_ns", static_cast<uint64_t>(ns.mean * 1e9)},
                {"stddev_ns", static_cast<uint64_t>(ns.stddev * 1e9)}, {"avg_ts", t.mean}, {"stddev_ts", t.stddev},
                {"samples_ts", ts}, {"peak_rss_bytes", peak_rss_bytes()},
                {"avg_ts_per_cpu_s", tc.mean}, {"load_average", load_average()}};
      if (ttft_ms >= 0) j["ttft_ms"] = ttft_ms;
      std::printf("%s\n", j.dump().c_str());
    } else {
      char ttft[32] = "-";
      if (ttft_ms >= 0) std::snprintf(ttft, sizeof ttft, "%.0f ms", ttft_ms);
      std::printf("| %-24s | %9.3f GiB | %8s | %-16s | %7d | %10s | %10.2f ± %-7.2f | %9.2f | %11s | %8.3f GiB |\n",
                  model_type.c_str(), static_cast<double>(w.weight_bytes) / (1 << 30), params,
                  (std::string("CPU ") + engine::active_kernel_set()).c_str(), model.n_threads(), test, t.mean, t.stddev,
                  tc.mean, ttft, static_cast<double>(peak_rss_bytes()) / (1 << 30));
    }
    std::fflush(stdout);
  };
  if (!a.json) {
    std::printf("| %-24s | %13s | %8s | %-16s | %7s | %10s | %20s | %9s | %11s | %12s |\n", "model", "size", "params",
                "backend", "threads", "test", "t/s", "t/CPU-s", "ttft", "peak RSS");
    std::printf("|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(26, '-').c_str(), std::string(15, '-').c_str(),
                std::string(10, '-').c_str(), std::string(18, '-').c_str(), std::string(9, '-').c_str(),
                std::string(12, '-').c_str(), std::string(22, '-').c_str(), std::string(11, '-').c_str(),
                std::string(13, '-').c_str(), std::string(14, '-').c_str());
  }

  engine::KvCache cache = model.new_cache(ctx, kv);
  if (a.n_prompt > 0) {
    const auto prompt = random_tokens(a.n_prompt, V, 1);
    std::vector<double> seconds, cpu;
    double ttft_total = 0;
    for (int r = -1; r < a.reps; ++r) {  // r = -1: warm-up
      cache.clear();
      const double c0 = process_cpu_seconds();
      const double t0 = monotonic_seconds();
      for (int64_t at = 0; at < a.n_prompt; at += n_batch)
        model.forward(cache, std::span<const int32_t>(prompt).subspan(static_cast<size_t>(at),
                                                                      static_cast<size_t>(std::min(n_batch, a.n_prompt - at))));
      const double t1 = monotonic_seconds(), c1 = process_cpu_seconds();
      const int32_t next = prompt[0];
      model.forward(cache, std::span<const int32_t>(&next, 1));  // the first generated token
      const double t2 = monotonic_seconds();
      if (r >= 0) {
        seconds.push_back(t1 - t0);
        cpu.push_back(c1 - c0);
        ttft_total += t2 - t0;
      }
    }
    emit(("pp" + std::to_string(a.n_prompt)).c_str(), a.n_prompt, 0, seconds, cpu, 1000.0 * ttft_total / a.reps);
  }
  if (a.n_gen > 0) {
    const auto tokens = random_tokens(a.n_gen, V, 2);
    std::vector<double> seconds, cpu;
    for (int r = -1; r < a.reps; ++r) {
      cache.clear();
      const double c0 = process_cpu_seconds();
      const double t0 = monotonic_seconds();
      for (int64_t i = 0; i < a.n_gen; ++i) model.forward(cache, std::span<const int32_t>(&tokens[static_cast<size_t>(i)], 1));
      if (r >= 0) {
        seconds.push_back(monotonic_seconds() - t0);
        cpu.push_back(process_cpu_seconds() - c0);
      }
    }
    emit(("tg" + std::to_string(a.n_gen)).c_str(), 0, a.n_gen, seconds, cpu, -1);
  }
  return 0;
}

VerbRegistration bench_registration{"bench", "Measure prompt processing and generation speed (llama-bench's figures)", [](CLI::App& app) {
                       auto a = std::make_shared<BenchArgs>();
                       app.add_option("-m,--model", a->model, "GGUF file or HF model directory")->required();
                       app.add_option("--lora", a->lora, "LoRA adapter FILE[:scale], applied unmerged (repeatable)");
                       app.add_option("-p,--n-prompt", a->n_prompt, "prompt tokens (0: skip pp)")->capture_default_str();
                       app.add_option("-n,--n-gen", a->n_gen, "generated tokens (0: skip tg)")->capture_default_str();
                       app.add_option("-b,--batch-size", a->n_batch, "prompt tokens per forward pass")->capture_default_str();
                       app.add_option("-t,--threads", a->threads, "threads (0: all)")->capture_default_str();
                       app.add_option("-r,--repetitions", a->reps, "repetitions after one warm-up run")->capture_default_str()->check(CLI::PositiveNumber);
                       app.add_option("-c,--ctx", a->ctx, "context length (0: what the test needs)");
                       app.add_option("--kv-type", a->kv_type, "KV cache type: f16 or f32")->capture_default_str();
                       app.add_flag("--json", a->json, "one JSON object per test and line");
                       return [a] { return bench_verb(*a); };
                     }};

}  // namespace
}  // namespace gemba::cli
