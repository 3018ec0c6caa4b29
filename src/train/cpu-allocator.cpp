#include "train/cpu-allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace gemba::train {

bool keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  const int max_mmap_threshold = 32 * 1024 * 1024;  // glibc refuses larger values (HEAP_MAX_SIZE / 2)
  const bool threshold = mallopt(M_MMAP_THRESHOLD, max_mmap_threshold) == 1;
  const bool trim = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;  // int: 1 GiB is "never" for freed steps
  return threshold && trim;
#else
  return false;
#endif
}

}  // namespace gemba::train
