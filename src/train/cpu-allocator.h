// Keeps freed activation memory in the process for the next training step.
//
// Every step allocates the same large tensors again (the logits alone are batch x seq x vocab
// floats, 32 MB for 16 x 128 x 4000). glibc serves blocks above its mmap threshold with fresh
// mmap()s and returns trimmed heap memory to the kernel, so each step pays page faults to
// zero the same pages again: ~9% of a bf16 step's CPU time on 2 vCPUs (perf), and the trainer
// ran 1.1x faster without them (bench/RESULTS.md). The cost is that peak memory stays
// reserved until the process exits, which a training process wants anyway.
#pragma once

namespace gemba::train {

// Raises glibc's mmap threshold to its 32 MiB maximum and stops heap trimming, for this
// process. Returns false where the C library is not glibc (nothing changed).
bool keep_freed_memory_for_reuse();

}  // namespace gemba::train
