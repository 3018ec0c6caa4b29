// Facts about this process and machine for benchmarks and reports.
#pragma once
#include <cstdint>
#include <string>

namespace gemba {

uint64_t peak_rss_bytes();     // high-water mark of resident memory (VmHWM)
uint64_t current_rss_bytes();  // resident memory now (VmRSS)
std::string cpu_model_name();  // e.g. "AMD EPYC"
double monotonic_seconds();

}  // namespace gemba
