// runs/NAME/manifest.json: what each stage ran, on which inputs (hashed), with which
// settings, what it produced and how long it took. A rerun skips a stage whose recorded
// key (hash of its command line and input contents) is unchanged and whose output exists.
#pragma once
#include <map>
#include <string>

#include "core/json.h"

namespace gemba::pipeline {

struct StageRecord {
  std::string status;  // "running", "done", "failed"
  std::string key;     // hash of argv + input hashes
  Json argv = Json::array();
  Json inputs = Json::object();  // path -> content hash
  std::string output;
  double wall_s = 0;
  std::string started_at, finished_at;
  std::string gemba;  // the build that made it (core/build-info.h); "" in manifests older than the field
};

class RunManifest {
 public:
  explicit RunManifest(std::string path);  // loads if present
  StageRecord* find(const std::string& stage);
  void set(const std::string& stage, const StageRecord& record);  // and saves atomically
  const std::map<std::string, StageRecord>& stages() const { return stages_; }
  Json to_json() const;

 private:
  void save() const;
  std::string path_;
  std::map<std::string, StageRecord> stages_;
};

}  // namespace gemba::pipeline
