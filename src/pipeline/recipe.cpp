#include "pipeline/recipe.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/error.h"

namespace gemba::pipeline {
namespace {

Json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: always a string
  if (text == "true" || text == "True") return true;
  if (text == "false" || text == "False") return false;
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  // Integers and floats as YAML 1.2 core schema reads them.
  char* end = nullptr;
  long long i = std::strtoll(text.c_str(), &end, 10);
  if (end && *end == '\0') return i;
  double d = std::strtod(text.c_str(), &end);
  if (end && *end == '\0' && std::isfinite(d)) return d;
  return text;
}

Json node_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(node_to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = node_to_json(kv.second);
      return out;
    }
    default: return nullptr;
  }
}

// `lr` → --lr, `lora_rank` → --lora-rank, a one-letter key `p` → -p (CLI short options).
std::string flag_name(const std::string& key) {
  std::string out = (key.size() == 1 ? "-" : "--") + key;
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

std::string scalar_text(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    std::ostringstream s;
    s.precision(10);
    s << v.get<double>();
    return s.str();
  }
  return v.dump();
}

}  // namespace

Json yaml_file_to_json(const std::string& path) {
  try {
    return node_to_json(YAML::LoadFile(path));
  } catch (const YAML::BadFile&) {
    fail(path, ": cannot open recipe");
  } catch (const YAML::Exception& e) {
    fail(path, ": invalid YAML at line ", e.mark.line + 1, ": ", e.msg);
  }
}

bool Recipe::has_stage(const std::string& stage) const { return stages.is_object() && stages.contains(stage); }

Json Recipe::stage_settings(const std::string& stage) const {
  if (!has_stage(stage) || stages[stage].is_null()) return Json::object();
  return stages[stage];
}

Recipe load_recipe(const std::string& path) {
  Json doc = yaml_file_to_json(path);
  if (!doc.is_object()) fail(path, ": a recipe is a YAML mapping with name, inputs and stages");
  Recipe r;
  r.path = path;
  r.name = json_require<std::string>(doc, "name", path);
  if (r.name.empty() || r.name.find('/') != std::string::npos) fail(path, ": 'name' must be a plain run name");
  r.inputs = doc.value("inputs", Json::object());
  if (!r.inputs.is_object()) fail(path, ": 'inputs' must be a mapping");
  r.stages = doc.value("stages", Json::object());
  if (!r.stages.is_object()) fail(path, ": 'stages' must be a mapping of stage name to settings");
  for (auto it = r.stages.begin(); it != r.stages.end(); ++it)
    if (!it->is_object() && !it->is_null()) fail(path, ": stages.", it.key(), " must be a mapping of settings");
  r.ablations = doc.value("ablations", Json::array());
  if (!r.ablations.is_array()) fail(path, ": 'ablations' must be a list");
  r.threads = json_optional<int>(doc, "threads", 0, path);
  r.ranks = json_optional<int>(doc, "ranks", 1, path);
  if (r.ranks < 1) fail(path, ": 'ranks' must be at least 1 (data-parallel processes per training stage)");
  for (const char* key : {"manuals", "faq"})
    if (!r.inputs.contains(key)) fail(path, ": inputs.", key, " is missing");
  if (!r.inputs.contains("test")) fail(path, ": inputs.test is missing (the true/false test set)");
  return r;
}

std::vector<std::string> settings_to_flags(const Json& settings, const std::vector<std::string>& wired) {
  std::vector<std::string> flags;
  if (!settings.is_object()) return flags;
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    if (std::find(wired.begin(), wired.end(), it.key()) != wired.end()) continue;
    const Json& v = *it;
    if (v.is_null() || (v.is_boolean() && !v.get<bool>())) continue;
    if (v.is_boolean()) {
      flags.push_back(flag_name(it.key()));
    } else if (v.is_array()) {
      for (const auto& item : v) {
        flags.push_back(flag_name(it.key()));
        flags.push_back(scalar_text(item));
      }
    } else {
      flags.push_back(flag_name(it.key()));
      flags.push_back(scalar_text(v));
    }
  }
  return flags;
}

}  // namespace gemba::pipeline
