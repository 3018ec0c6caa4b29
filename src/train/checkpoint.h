// Resumable training checkpoints. A checkpoint directory is an HF model directory
// (config.json, model.safetensors in f32, tokenizer files) plus
//   optimizer.pt         torch archive: the optimizer's state and the CPU RNG state
//   trainer-state.json   {"step": k, ...}: the step count (which fixes the data position,
//                        since batches are a pure function of the step) and run settings
//   lora.json            only with LoRA: {"r", "lora_alpha", "lora_dropout", "targets"}; the
//                        model.safetensors then also holds the adapters (...q_proj.lora_A.weight)
// written atomically (temp dir + rename), so an interrupted save leaves the previous one.
#pragma once
#include <torch/torch.h>

#include <string>

#include "core/json.h"
#include "train/model.h"

namespace gemba::train {

constexpr const char* kCheckpointSubdir = "checkpoint";
constexpr const char* kTrainerStateFile = "trainer-state.json";
constexpr const char* kOptimizerFile = "optimizer.pt";
constexpr const char* kLoraStateFile = "lora.json";

void write_training_checkpoint(const std::string& dir, LlamaForCausalLM& model, torch::optim::Optimizer& optimizer,
                               const Json& state, const std::string& tokenizer_dir);

// Loads model weights, optimizer and RNG state from `dir`; returns trainer-state.json.
Json read_training_checkpoint(const std::string& dir, LlamaForCausalLM& model, torch::optim::Optimizer& optimizer);

// `dir` itself when it holds trainer-state.json, else dir/checkpoint when that does; throws
// a gemba::Error naming `dir` otherwise.
std::string resolve_checkpoint_dir(const std::string& dir);

}  // namespace gemba::train
