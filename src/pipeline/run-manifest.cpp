#include "pipeline/run-manifest.h"

#include <filesystem>

namespace gemba::pipeline {

RunManifest::RunManifest(std::string path) : path_(std::move(path)) {
  if (!std::filesystem::exists(path_)) return;
  Json doc = read_json_file(path_);
  const Json stages = doc.value("stages", Json::object());
  for (auto it = stages.begin(); it != stages.end(); ++it) {
    const Json& j = *it;
    StageRecord r;
    r.status = j.value("status", "");
    r.key = j.value("key", "");
    r.argv = j.value("argv", Json::array());
    r.inputs = j.value("inputs", Json::object());
    r.output = j.value("output", "");
    r.wall_s = j.value("wall_s", 0.0);
    r.started_at = j.value("started_at", "");
    r.finished_at = j.value("finished_at", "");
    r.gemba = j.value("gemba", "");
    stages_[it.key()] = r;
  }
}

StageRecord* RunManifest::find(const std::string& stage) {
  auto it = stages_.find(stage);
  return it == stages_.end() ? nullptr : &it->second;
}

void RunManifest::set(const std::string& stage, const StageRecord& record) {
  stages_[stage] = record;
  save();
}

Json RunManifest::to_json() const {
  Json stages = Json::object();
  for (const auto& [name, r] : stages_)
    stages[name] = {{"status", r.status}, {"key", r.key},       {"argv", r.argv},
                    {"inputs", r.inputs}, {"output", r.output}, {"wall_s", r.wall_s},
                    {"started_at", r.started_at}, {"finished_at", r.finished_at}, {"gemba", r.gemba}};
  return {{"stages", stages}};
}

void RunManifest::save() const { write_json_file(path_, to_json()); }

}  // namespace gemba::pipeline
