// Server metrics in Prometheus' text exposition format (GET /metrics): requests by endpoint
// and status, prompt/completion tokens, a request latency histogram, queue depth, slots.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace gemba::serve {

class Metrics {
 public:
  // Latency histogram bucket upper bounds, seconds.
  static constexpr std::array<double, 11> kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

  void record_request(const std::string& endpoint, int status, double seconds);
  void add_tokens(int64_t prompt, int64_t completion);

  // The whole exposition; gauges are passed in by the server.
  std::string prometheus(int queue_depth, int active_slots, int total_slots) const;

  int64_t requests(const std::string& endpoint, int status) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, int64_t> requests_;
  int64_t prompt_tokens_ = 0, completion_tokens_ = 0;
  std::array<int64_t, kBuckets.size()> bucket_counts_{};  // non-cumulative
  int64_t latency_count_ = 0;
  double latency_sum_ = 0;
};

}  // namespace gemba::serve
