// gemba: one binary, one verb per file in src/cli/ (see verb.h).
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "cli/verb.h"
#include "core/build-info.h"
#include "core/error.h"

namespace gemba::cli {

std::vector<VerbSpec>& verb_registry() {
  static std::vector<VerbSpec> registry;
  return registry;
}

namespace {

// Finds or creates the (possibly nested) subcommand for "group verb".
CLI::App* subcommand_for(CLI::App& root, const std::string& name, const std::string& description,
                         std::map<std::string, CLI::App*>& groups) {
  std::istringstream words(name);
  std::vector<std::string> parts;
  for (std::string w; words >> w;) parts.push_back(w);
  CLI::App* parent = &root;
  std::string path;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    path += parts[i] + " ";
    auto it = groups.find(path);
    if (it == groups.end()) {
      // A verb may also be the group of others ("pipeline RECIPE" and "pipeline init").
      CLI::App* group = nullptr;
      for (CLI::App* existing : parent->get_subcommands([](CLI::App*) { return true; }))
        if (existing->get_name() == parts[i]) group = existing;
      if (!group) {
        group = parent->add_subcommand(parts[i], parts[i] + " commands");
        group->require_subcommand(1);
      }
      it = groups.emplace(path, group).first;
    }
    parent = it->second;
  }
  return parent->add_subcommand(parts.back(), description);
}

}  // namespace
}  // namespace gemba::cli

int main(int argc, char** argv) {
  using namespace gemba::cli;
  CLI::App app{"gemba: adapt small language models to a factory's manuals and FAQ, and run them on the edge"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gemba " + gemba::build_id());

  auto specs = verb_registry();
  std::sort(specs.begin(), specs.end(), [](const VerbSpec& a, const VerbSpec& b) { return a.name < b.name; });
  std::map<std::string, CLI::App*> groups;
  std::vector<std::pair<CLI::App*, VerbAction>> actions;
  for (const auto& spec : specs) {
    CLI::App* sub = subcommand_for(app, spec.name, spec.description, groups);
    actions.emplace_back(sub, spec.setup(*sub));
  }
  // The deepest verb named runs ("pipeline init" before "pipeline"): later in sorted order.
  std::reverse(actions.begin(), actions.end());

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const gemba::Error& e) {
    std::fprintf(stderr, "gemba: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gemba: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
