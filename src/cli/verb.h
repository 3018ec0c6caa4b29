// How a verb plugs into the gemba binary: each src/cli/<verb>.cpp defines one static
// VerbRegistration. A name with a space ("tokenizer train") becomes a nested subcommand.
//
//   static gemba::cli::VerbRegistration inspect_registration{"inspect", "Show a model file's metadata and tensors",
//     [](CLI::App& app) {
//       auto path = std::make_shared<std::string>();
//       app.add_option("file", *path, "GGUF, safetensors or HF directory")->required();
//       return [path] { ...; return 0; };   // runs when the verb is chosen; returns the exit code
//     }};
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace gemba::cli {

using VerbAction = std::function<int()>;
using VerbSetup = std::function<VerbAction(CLI::App&)>;

struct VerbSpec {
  std::string name;         // "inspect" or "tokenizer train"
  std::string description;  // one line for --help
  VerbSetup setup;
};

std::vector<VerbSpec>& verb_registry();

struct VerbRegistration {
  VerbRegistration(std::string name, std::string description, VerbSetup setup) {
    verb_registry().push_back({std::move(name), std::move(description), std::move(setup)});
  }
};

}  // namespace gemba::cli
