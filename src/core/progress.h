// Progress of long work: a bar with rate and ETA on a terminal, JSON lines on stderr
// otherwise (at most one every few seconds), so logs of CI and pipelines stay readable.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "core/json.h"

namespace gemba {

class Progress {
 public:
  // `total` units of work (0 if unknown); `unit` names them ("step", "file", "tok").
  Progress(std::string label, uint64_t total, std::string unit = "it");
  ~Progress();

  // Records `done` units finished so far; `extra` adds fields (loss, lr, ...).
  void update(uint64_t done, const Json& extra = Json::object());
  void finish(const Json& extra = Json::object());

  double elapsed_seconds() const;

 private:
  void draw(bool final, const Json& extra);

  std::string label_, unit_;
  uint64_t total_, done_ = 0;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace gemba
