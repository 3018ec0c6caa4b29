// Kernel micro-benchmarks (google-benchmark): matmul GB/s (weight bytes streamed) and
// GFLOP/s for every weight type and kernel set, decode (1 token) and prefill (64, 512 tokens),
// plus the machine's memory read bandwidth to compare decode against.
//
//   bench-kernels [--benchmark_filter=...]  (GEMBA_BENCH_THREADS=1,2 picks the thread counts)
//
// Names: matmul/<type>/<kernel set>/<rows>x<cols>/tokens:<n>/threads:<t>
//        decode-stream/<type>/<set>/threads:<t> : 1-token matmuls over >= 256 MiB of
//          distinct weights, so every byte comes from DRAM (what decode of a model does)
//        mem-read/threads:<t>                   : reading a 256 MiB buffer
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/thread-pool.h"
#include "engine/cpu/cpu-features.h"
#include "engine/cpu/matmul.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

using gemba::ThreadPool;
using gemba::engine::GgmlType;
using gemba::engine::WeightMatrix;

struct TypeInfo {
  GgmlType type;
  const char* name;
  int64_t block;
  size_t block_bytes;
};
const TypeInfo kTypes[] = {{GgmlType::F32, "f32", 1, 4},      {GgmlType::F16, "f16", 1, 2},
                           {GgmlType::BF16, "bf16", 1, 2},    {GgmlType::Q8_0, "q8_0", 32, 34},
                           {GgmlType::Q4_0, "q4_0", 32, 18},  {GgmlType::Q4_K, "q4_k", 256, 144},
                           {GgmlType::Q6_K, "q6_k", 256, 210}};

size_t row_bytes(const TypeInfo& t, int64_t cols) { return cols / t.block * t.block_bytes; }

std::vector<uint8_t> random_matrix(const TypeInfo& t, int64_t rows, int64_t cols) {
  std::mt19937 rng(42);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> row(cols);
  std::vector<uint8_t> bytes(row_bytes(t, cols) * rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (auto& v : row) v = dist(rng);
    gemba::engine::quantize_row(t.type, row.data(), bytes.data() + r * row_bytes(t, cols), cols);
  }
  return bytes;
}

std::vector<float> random_floats(size_t n) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

ThreadPool& pool_of(int threads) {
  static std::unique_ptr<ThreadPool> pools[65];
  if (!pools[threads]) pools[threads] = std::make_unique<ThreadPool>(threads);
  return *pools[threads];
}

void bench_matmul(benchmark::State& state, TypeInfo t, std::string set, int64_t rows, int64_t cols, int64_t tokens,
                  int threads) {
  const auto bytes = random_matrix(t, rows, cols);
  const WeightMatrix w{t.type, bytes.data(), rows, cols, row_bytes(t, cols)};
  const auto x = random_floats(tokens * cols);
  std::vector<float> y(tokens * rows);
  ThreadPool& pool = pool_of(threads);
  for (auto _ : state) {
    gemba::engine::matmul_with_kernels(set, w, x.data(), tokens, y.data(), pool);
    benchmark::DoNotOptimize(y.data());
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["GB/s"] = benchmark::Counter(bytes.size() * iters / 1e9, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * rows * cols * tokens * iters / 1e9, benchmark::Counter::kIsRate);
}

// Decode over a model-sized working set: many distinct 7168x2048 matrices, one token each.
void bench_decode_stream(benchmark::State& state, TypeInfo t, std::string set, int threads) {
  const int64_t rows = 7168, cols = 2048;
  const auto one = random_matrix(t, rows, cols);
  const size_t want = size_t{256} << 20;
  const size_t copies = (want + one.size() - 1) / one.size();
  std::vector<uint8_t> all(one.size() * copies);
  for (size_t i = 0; i < copies; ++i) std::memcpy(all.data() + i * one.size(), one.data(), one.size());
  const auto x = random_floats(cols);
  std::vector<float> y(rows);
  ThreadPool& pool = pool_of(threads);
  for (auto _ : state) {
    for (size_t i = 0; i < copies; ++i) {
      const WeightMatrix w{t.type, all.data() + i * one.size(), rows, cols, row_bytes(t, cols)};
      gemba::engine::matmul_with_kernels(set, w, x.data(), 1, y.data(), pool);
    }
    benchmark::DoNotOptimize(y.data());
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["GB/s"] = benchmark::Counter(all.size() * iters / 1e9, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * rows * cols * copies * iters / 1e9, benchmark::Counter::kIsRate);
}

// Memory read bandwidth: sum a 256 MiB buffer (split over threads), the bound decode meets.
void bench_mem_read(benchmark::State& state, int threads) {
  const size_t n = (size_t{256} << 20) / sizeof(float);
  std::vector<float> buf(n, 1.0f);
  ThreadPool& pool = pool_of(threads);
  std::vector<float> sums(threads);
  for (auto _ : state) {
    pool.parallel_for(n / 64, [&](size_t b, size_t e, int i) {
      const float* p = buf.data() + b * 64;
      const float* end = buf.data() + e * 64;
#if defined(__AVX2__)
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      for (; p < end; p += 64) {
        a0 = _mm256_add_ps(a0, _mm256_add_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)));
        a1 = _mm256_add_ps(a1, _mm256_add_ps(_mm256_loadu_ps(p + 16), _mm256_loadu_ps(p + 24)));
        a2 = _mm256_add_ps(a2, _mm256_add_ps(_mm256_loadu_ps(p + 32), _mm256_loadu_ps(p + 40)));
        a3 = _mm256_add_ps(a3, _mm256_add_ps(_mm256_loadu_ps(p + 48), _mm256_loadu_ps(p + 56)));
      }
      float tmp[8];
      _mm256_storeu_ps(tmp, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
      float s = 0;
      for (float v : tmp) s += v;
#else
      float s = 0;
      for (; p < end; ++p) s += *p;
#endif
      sums[i] = s;
    });
    benchmark::DoNotOptimize(sums.data());
  }
  state.counters["GB/s"] =
      benchmark::Counter(n * sizeof(float) * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

void bench_memcpy(benchmark::State& state) {
  const size_t n = size_t{256} << 20;
  std::vector<uint8_t> a(n, 1), b(n, 2);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), n);
    benchmark::DoNotOptimize(b.data());
  }
  // Read + write traffic.
  state.counters["GB/s"] =
      benchmark::Counter(2.0 * n * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

std::vector<int> thread_counts() {
  std::vector<int> out;
  const char* env = std::getenv("GEMBA_BENCH_THREADS");
  std::stringstream ss(env && *env ? env : "1,2");
  std::string item;
  while (std::getline(ss, item, ','))
    if (int v = std::atoi(item.c_str()); v >= 1 && v <= 64) out.push_back(v);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const auto sets = gemba::engine::available_kernel_sets();
  for (int threads : thread_counts()) {
    benchmark::RegisterBenchmark(("mem-read/threads:" + std::to_string(threads)).c_str(), bench_mem_read, threads)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  benchmark::RegisterBenchmark("memcpy-256MiB", bench_memcpy)->Unit(benchmark::kMillisecond)->UseRealTime();
  for (const auto& t : kTypes) {
    for (const auto& set : sets) {
      for (int threads : thread_counts()) {
        // llm-jp-3-1.8b's attention, FFN up/gate and FFN down shapes; 512 tokens is pp512.
        for (auto [rows, cols] : {std::pair<int64_t, int64_t>{2048, 2048}, {7168, 2048}, {2048, 7168}}) {
          for (int64_t tokens : {1, 32, 64, 128, 256, 512}) {
            const std::string name = std::string("matmul/") + t.name + "/" + set + "/" + std::to_string(rows) + "x" +
                                     std::to_string(cols) + "/tokens:" + std::to_string(tokens) +
                                     "/threads:" + std::to_string(threads);
            benchmark::RegisterBenchmark(name.c_str(), bench_matmul, t, set, rows, cols, tokens, threads)
                ->Unit(benchmark::kMicrosecond)->UseRealTime();
          }
        }
        const std::string name =
            std::string("decode-stream/") + t.name + "/" + set + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), bench_decode_stream, t, set, threads)
            ->Unit(benchmark::kMillisecond)->UseRealTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("cpu_features", gemba::engine::cpu_features_string());
  benchmark::AddCustomContext("default_kernel_set", gemba::engine::active_kernel_set());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
