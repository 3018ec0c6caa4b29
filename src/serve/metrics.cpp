#include "serve/metrics.h"

#include <sstream>

namespace gemba::serve {

void Metrics::record_request(const std::string& endpoint, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{endpoint, status}];
  ++latency_count_;
  latency_sum_ += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++bucket_counts_[i];
      break;
    }
  }
}

void Metrics::add_tokens(int64_t prompt, int64_t completion) {
  std::lock_guard lock(mutex_);
  prompt_tokens_ += prompt;
  completion_tokens_ += completion;
}

int64_t Metrics::requests(const std::string& endpoint, int status) const {
  std::lock_guard lock(mutex_);
  auto it = requests_.find({endpoint, status});
  return it == requests_.end() ? 0 : it->second;
}

std::string Metrics::prometheus(int queue_depth, int active_slots, int total_slots) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP gemba_requests_total HTTP requests answered, by endpoint and status.\n"
      << "# TYPE gemba_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "gemba_requests_total{endpoint=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  out << "# HELP gemba_prompt_tokens_total Prompt tokens processed.\n# TYPE gemba_prompt_tokens_total counter\n"
      << "gemba_prompt_tokens_total " << prompt_tokens_ << "\n"
      << "# HELP gemba_completion_tokens_total Tokens generated.\n# TYPE gemba_completion_tokens_total counter\n"
      << "gemba_completion_tokens_total " << completion_tokens_ << "\n"
      << "# HELP gemba_request_duration_seconds Time from request to last byte.\n"
      << "# TYPE gemba_request_duration_seconds histogram\n";
  int64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += bucket_counts_[i];
    out << "gemba_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  out << "gemba_request_duration_seconds_bucket{le=\"+Inf\"} " << latency_count_ << "\n"
      << "gemba_request_duration_seconds_sum " << latency_sum_ << "\n"
      << "gemba_request_duration_seconds_count " << latency_count_ << "\n"
      << "# HELP gemba_queue_depth Requests waiting for a slot.\n# TYPE gemba_queue_depth gauge\n"
      << "gemba_queue_depth " << queue_depth << "\n"
      << "# HELP gemba_active_slots Sequences being generated.\n# TYPE gemba_active_slots gauge\n"
      << "gemba_active_slots " << active_slots << "\n"
      << "# HELP gemba_slots Parallel generation slots (--parallel).\n# TYPE gemba_slots gauge\n"
      << "gemba_slots " << total_slots << "\n";
  return out.str();
}

}  // namespace gemba::serve
