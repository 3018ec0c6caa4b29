// Data parallel across processes: torch's c10d process group (Gloo on CPU, NCCL on CUDA when
// this libtorch has it) over a TCPStore rendezvous. Each rank holds a full model replica,
// reads its slice of the global batch, and the trainer sums gradients across ranks. When every
// rank runs on this machine (LOCAL_WORLD_SIZE = WORLD_SIZE, as `--nproc` sets it) and on the CPU,
// f32 sums go through shared memory instead of Gloo (train/shared-memory-reduce.h).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace gemba::train {

struct RendezvousInfo {
  int rank = 0;
  int world_size = 1;
  int local_world_size = 0;  // ranks on this machine (LOCAL_WORLD_SIZE; 0: not said)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
};

// RANK / WORLD_SIZE / LOCAL_WORLD_SIZE / MASTER_ADDR / MASTER_PORT from the environment; world
// size 1 when unset.
// Malformed values are a gemba::Error naming the variable.
RendezvousInfo rendezvous_from_env();

class Distributed {
 public:
  // A single process: every collective is the identity.
  Distributed();
  // Joins the group (rank 0 hosts the TCPStore). Blocks until every rank has joined.
  Distributed(const RendezvousInfo& info, torch::Device device);
  ~Distributed();

  int rank() const { return info_.rank; }
  int world_size() const { return info_.world_size; }
  bool active() const { return info_.world_size > 1; }

  // In-place sum over ranks of each tensor (same shapes on every rank).
  void allreduce_sum(std::vector<torch::Tensor>& tensors);
  // The same sums as one collective over the tensors' concatenation (e.g. all gradients): one
  // round trip instead of one per tensor. All of one dtype, contiguous.
  void allreduce_sum_coalesced(std::vector<torch::Tensor>& tensors);
  // In-place copy of rank 0's values to every rank.
  void broadcast_from_rank0(std::vector<torch::Tensor>& tensors);
  void barrier();

 private:
  struct Group;
  void setup_shared_memory();
  RendezvousInfo info_;
  std::unique_ptr<Group> group_;
};

}  // namespace gemba::train
