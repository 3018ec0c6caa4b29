// c10d needs USE_C10D_GLOO to expose ProcessGroupGloo (its Gloo headers come from libgloo-dev).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include "train/distributed.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>

#include "core/error.h"
#include "core/log.h"
#include "train/shared-memory-reduce.h"

namespace gemba::train {

namespace {

int env_int(const char* name, int fallback, int lo, int hi) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  char* end = nullptr;
  long v = std::strtol(value, &end, 10);
  if (*end != '\0' || v < lo || v > hi) fail("environment variable ", name, "='", value, "': expected an integer in [", lo, ", ", hi, "]");
  return static_cast<int>(v);
}

// 4M floats (16 MB) per rank's slot, less with many ranks: /dev/shm is 64 MB in a default
// Docker container. Larger buffers go through in chunks.
size_t shared_slot_floats(int world_size) {
  return std::min<size_t>(size_t{4} << 20, (size_t{48} << 20) / sizeof(float) / static_cast<size_t>(world_size));
}

}  // namespace

RendezvousInfo rendezvous_from_env() {
  RendezvousInfo info;
  info.world_size = env_int("WORLD_SIZE", 1, 1, 4096);
  info.rank = env_int("RANK", 0, 0, info.world_size - 1);
  info.local_world_size = env_int("LOCAL_WORLD_SIZE", 0, 0, 4096);
  if (const char* addr = std::getenv("MASTER_ADDR"); addr && *addr) info.master_addr = addr;
  info.master_port = env_int("MASTER_PORT", 29500, 1, 65535);
  return info;
}

struct Distributed::Group {
  c10::intrusive_ptr<c10d::Store> store;
#ifdef USE_C10D_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
  std::optional<SharedMemoryReducer> shm;  // CPU ranks all on this machine

  void wait(const c10::intrusive_ptr<c10d::Work>& work) { work->wait(); }
  c10::intrusive_ptr<c10d::Work> allreduce(std::vector<torch::Tensor>& t) {
#ifdef USE_C10D_NCCL
    if (nccl) return nccl->allreduce(t);
#endif
    return gloo->allreduce(t);
  }
  c10::intrusive_ptr<c10d::Work> broadcast(std::vector<torch::Tensor>& t) {
#ifdef USE_C10D_NCCL
    if (nccl) return nccl->broadcast(t);
#endif
    return gloo->broadcast(t);
  }
};

Distributed::Distributed() = default;
Distributed::~Distributed() = default;

Distributed::Distributed(const RendezvousInfo& info, torch::Device device) : info_(info) {
  if (info_.world_size <= 1) return;
  group_ = std::make_unique<Group>();
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<uint16_t>(info_.master_port);
  opts.isServer = info_.rank == 0;
  opts.numWorkers = static_cast<size_t>(info_.world_size);
  opts.waitWorkers = true;
  opts.timeout = std::chrono::seconds(120);
  try {
    group_->store = c10::make_intrusive<c10d::TCPStore>(info_.master_addr, opts);
    if (device.is_cuda()) {
#ifdef USE_C10D_NCCL
      group_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(group_->store, info_.rank, info_.world_size);
#else
      fail("--device ", device.str(), " with several ranks needs a libtorch built with NCCL; this one is not (use --device cpu)");
#endif
    } else {
      auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(300));
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(info_.master_addr));
      group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, info_.rank, info_.world_size, options);
    }
  } catch (const gemba::Error&) {
    throw;
  } catch (const std::exception& e) {
    fail("data parallel rendezvous at ", info_.master_addr, ":", info_.master_port, " (rank ", info_.rank, " of ",
         info_.world_size, ") failed: ", e.what(), "; check MASTER_ADDR/MASTER_PORT and that every rank was started");
  }
  log_debug("rank ", info_.rank, "/", info_.world_size, " joined the process group");
  if (!device.is_cuda() && info_.local_world_size == info_.world_size) setup_shared_memory();
}

// Rank 0 creates the segment and publishes its name in the store; the others open it. Any
// rank that cannot makes every rank keep Gloo (an allreduce of "opened" flags decides).
void Distributed::setup_shared_memory() {
  const std::string key = "gemba/shared-memory-reduce";
  const size_t slot_floats = shared_slot_floats(info_.world_size);
  std::string failure;
  try {
    if (info_.rank == 0) {
      std::string name;
      try {
        group_->shm = SharedMemoryReducer::create(info_.world_size, slot_floats);
        name = group_->shm->name();
      } catch (const gemba::Error& e) {
        failure = e.what();
      }
      group_->store->set(key, std::vector<uint8_t>(name.begin(), name.end()));
    } else {
      const std::vector<uint8_t> value = group_->store->get(key);
      const std::string name(value.begin(), value.end());
      if (name.empty()) failure = "rank 0 could not create it";
      else group_->shm = SharedMemoryReducer::open(name, info_.rank, info_.world_size, slot_floats);
    }
  } catch (const gemba::Error& e) {
    failure = e.what();
  }
  auto opened = std::vector<torch::Tensor>{torch::tensor({group_->shm ? 1.0f : 0.0f})};
  group_->wait(group_->gloo->allreduce(opened));
  const bool everyone = opened[0].item<float>() == static_cast<float>(info_.world_size);
  if (info_.rank == 0 && group_->shm) group_->shm->unlink();  // every rank has it open (or gave up)
  if (!everyone) {
    group_->shm.reset();
    if (!failure.empty()) log_warn("data parallel: summing through Gloo, not shared memory: ", failure);
    else if (info_.rank == 0) log_warn("data parallel: summing through Gloo: a rank could not open the shared memory");
    return;
  }
  log_debug("rank ", info_.rank, ": gradient sums through shared memory ", group_->shm->name());
}

// A c10d call's tensor list means "one tensor per local device", all of one shape; tensors of
// different shapes therefore go one call each (allreduce_sum_coalesced flattens them into one).
void Distributed::allreduce_sum(std::vector<torch::Tensor>& tensors) {
  if (!active()) return;
  for (auto& t : tensors) {
    std::vector<torch::Tensor> one{t};
    allreduce_sum_coalesced(one);
  }
}

void Distributed::allreduce_sum_coalesced(std::vector<torch::Tensor>& tensors) {
  if (!active() || tensors.empty()) return;
  for (const auto& t : tensors) {
    GEMBA_ASSERT(t.is_contiguous(), "allreduce needs contiguous tensors");
    GEMBA_ASSERT(t.scalar_type() == tensors[0].scalar_type(), "allreduce_sum_coalesced needs one dtype");
  }
  if (group_->shm && tensors[0].scalar_type() == torch::kFloat32 && tensors[0].device().is_cpu()) {
    std::vector<FloatSpan> spans;
    for (auto& t : tensors) spans.push_back({t.data_ptr<float>(), static_cast<size_t>(t.numel())});
    group_->shm->allreduce_sum(spans);
    return;
  }
  if (tensors.size() == 1) {
    group_->wait(group_->allreduce(tensors));
    return;
  }
  std::vector<torch::Tensor> flat_views;
  for (auto& t : tensors) flat_views.push_back(t.reshape({-1}));
  std::vector<torch::Tensor> flat{torch::cat(flat_views)};
  group_->wait(group_->allreduce(flat));
  int64_t offset = 0;
  for (auto& t : tensors) {
    t.copy_(flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

void Distributed::broadcast_from_rank0(std::vector<torch::Tensor>& tensors) {
  if (!active()) return;
  for (auto& t : tensors) {
    GEMBA_ASSERT(t.is_contiguous(), "broadcast needs contiguous tensors");
    std::vector<torch::Tensor> one{t};
    group_->wait(group_->broadcast(one));
  }
}

void Distributed::barrier() {
  if (!active()) return;
  auto t = std::vector<torch::Tensor>{torch::zeros({1})};
  allreduce_sum(t);
}

}  // namespace gemba::train
