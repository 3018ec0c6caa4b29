// Sentence templates with named slots: fill("{P}の{A}は{V}です。", {{"P", ...}, ...}).
#pragma once
#include <map>
#include <string>

namespace gemba::tools {

// Replaces every {NAME} with vars.at(NAME); an unknown slot is a bug in the generator.
std::string fill(const std::string& pattern, const std::map<std::string, std::string>& vars);

}  // namespace gemba::tools
