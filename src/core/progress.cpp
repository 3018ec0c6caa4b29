#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace gemba {

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(::isatty(STDERR_FILENO)) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  if (tty_ && !finished_ && done_ > 0) std::fputc('\n', stderr);
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(uint64_t done, const Json& extra) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? 0.1 : 5.0)) return;
  last_draw_ = now;
  draw(false, extra);
}

void Progress::finish(const Json& extra) {
  if (finished_) return;
  finished_ = true;
  draw(true, extra);
}

void Progress::draw(bool final, const Json& extra) {
  double elapsed = elapsed_seconds();
  double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  double eta = (total_ > done_ && rate > 0) ? (total_ - done_) / rate : 0.0;
  if (tty_) {
    int width = 24;
    int filled = total_ ? static_cast<int>(width * std::min(1.0, double(done_) / total_)) : 0;
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::string fields;
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      char buf[64];
      if (it->is_number_float()) std::snprintf(buf, sizeof buf, " %s=%.4g", it.key().c_str(), it->get<double>());
      else std::snprintf(buf, sizeof buf, " %s=%s", it.key().c_str(), it->dump().c_str());
      fields += buf;
    }
    std::fprintf(stderr, "\r%s [%s] %llu/%llu %s %.1f %s/s ETA %.0fs%s\033[K%s", label_.c_str(), bar.c_str(),
                 (unsigned long long)done_, (unsigned long long)total_, unit_.c_str(), rate, unit_.c_str(), eta,
                 fields.c_str(), final ? "\n" : "");
  } else {
    Json line = {{"progress", label_}, {"done", done_}, {"total", total_}, {"rate", rate},
                 {"elapsed_s", elapsed}, {"eta_s", eta}};
    for (auto it = extra.begin(); it != extra.end(); ++it) line[it.key()] = *it;
    std::fprintf(stderr, "%s\n", line.dump().c_str());
  }
  std::fflush(stderr);
}

}  // namespace gemba
