// Command-line options shared by `gemba run` and `gemba chat`: model, LoRA adapters, threads,
// context, KV cache type and the sampling parameters (engine/sampler.h).
#pragma once
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/log.h"
#include "engine/generator.h"
#include "engine/kv-cache.h"

namespace gemba::cli {

struct GenerationFlags {
  std::string model;
  std::vector<std::string> lora;  // FILE[:scale], applied unmerged (engine/lora-apply.h)
  int threads = 0;
  int64_t ctx = 0;
  std::string kv_type = "f16";
  int64_t n_predict = -2;  // -2: the verb's default
  float temperature = 0.8f;
  int top_k = 40;
  float top_p = 0.95f;
  float min_p = 0.05f;
  float repeat_penalty = 1.0f;
  int repeat_last_n = 64;
  float presence_penalty = 0;
  float frequency_penalty = 0;
  int64_t seed = -1;
  std::vector<std::string> stop;
  bool ignore_eos = false;

  void add_to(CLI::App& app, int64_t default_n) {
    n_predict = default_n;
    app.add_option("-m,--model", model, "GGUF file or HF model directory")->required();
    app.add_option("--lora", lora, "LoRA adapter FILE[:scale] (GGUF adapter or PEFT directory; repeatable; scale default 1)");
    app.add_option("-n,--n-predict", n_predict, "tokens to generate at most (-1: until the context is full)")->capture_default_str();
    app.add_option("-t,--threads", threads, "threads (0: all hardware threads)")->capture_default_str();
    app.add_option("-c,--ctx", ctx, "context length cap (0: the model's)")->capture_default_str();
    app.add_option("--kv-type", kv_type, "KV cache type: f16 or f32")->capture_default_str();
    app.add_option("--temp", temperature, "temperature (0: greedy)")->capture_default_str();
    app.add_option("--top-k", top_k, "top-k (0: off)")->capture_default_str();
    app.add_option("--top-p", top_p, "top-p / nucleus (1: off)")->capture_default_str();
    app.add_option("--min-p", min_p, "min-p (0: off)")->capture_default_str();
    app.add_option("--repeat-penalty", repeat_penalty, "repetition penalty (1: off)")->capture_default_str();
    app.add_option("--repeat-last-n", repeat_last_n, "tokens the penalties look back (-1: all)")->capture_default_str();
    app.add_option("--presence-penalty", presence_penalty, "presence penalty")->capture_default_str();
    app.add_option("--frequency-penalty", frequency_penalty, "frequency penalty")->capture_default_str();
    app.add_option("-s,--seed", seed, "random seed (-1: from the clock, logged)")->capture_default_str();
    app.add_option("--stop", stop, "stop string (repeatable); generation ends before it");
    app.add_flag("--ignore-eos", ignore_eos, "keep generating after the end-of-sequence token");
  }

  engine::GenerateOptions options() const {
    engine::GenerateOptions o;
    o.max_new_tokens = n_predict;
    o.sampling.temperature = temperature;
    o.sampling.top_k = top_k;
    o.sampling.top_p = top_p;
    o.sampling.min_p = min_p;
    o.sampling.repeat_penalty = repeat_penalty;
    o.sampling.repeat_last_n = repeat_last_n;
    o.sampling.presence_penalty = presence_penalty;
    o.sampling.frequency_penalty = frequency_penalty;
    if (seed >= 0) {
      o.sampling.seed = static_cast<uint64_t>(seed);
    } else {
      o.sampling.seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
      if (temperature > 0) log_info("seed ", o.sampling.seed);
    }
    o.stop = stop;
    o.ignore_eos = ignore_eos;
    return o;
  }
};

}  // namespace gemba::cli
