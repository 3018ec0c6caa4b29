// What the manuals' facts are about, found without a hand-written regular expression.
//
// An identifier is a run of ASCII letters, digits and underscores, joined by inner '.', '-' or
// ':' ("ZHP-310", "AL.16", "G28", "rotation_distance", "motion.spindle-speed-out",
// "SET_VELOCITY_LIMIT", "TMC2209") that has a digit, an underscore, an inner '.' between
// letters, or three or more capitals; a name in square brackets ("[mcu]", "[stepper_x]") is one
// too. Pure numbers ("0.25", "250000") are values, never entities.
//
// Entities are the identifiers the corpus treats as subjects: they name a section (a heading), a
// table row (its first cell) or a config key (a listing line "key: value"), or recur across
// documents. Ranked by mentions, with subject positions weighing more; the prepare report lists
// the top ones with counts, and the statement miner uses them when no --entity-pattern is given.
#pragma once
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "data/document.h"

namespace gemba::data {

struct ByteSpan {
  size_t begin = 0, length = 0;
};

// The identifiers of a text (the rule above), in order.
std::vector<ByteSpan> identifier_spans(std::string_view text);

struct EntityCount {
  std::string name;
  size_t mentions = 0;   // occurrences in all text
  size_t subjects = 0;   // as a heading, a table row's first cell or a listing key
  size_t documents = 0;  // documents naming it
  double score() const { return static_cast<double>(mentions) + 3.0 * static_cast<double>(subjects); }
};

struct EntityOptions {
  size_t max_entities = 2000;  // kept, best first
  size_t min_mentions = 2;     // or named as a subject at least once
};

// Ranks the identifiers of the documents, best first.
std::vector<EntityCount> discover_entities(const std::vector<Document>& documents, const EntityOptions& options = {});

// Finds the mentions of a known set of entities in text: the identifiers that are in the set.
class EntitySet {
 public:
  explicit EntitySet(const std::vector<EntityCount>& entities);
  explicit EntitySet(std::unordered_set<std::string> names) : names_(std::move(names)) {}
  std::vector<ByteSpan> find(std::string_view text) const;
  bool contains(const std::string& name) const { return names_.count(name) > 0; }
  size_t size() const { return names_.size(); }

 private:
  std::unordered_set<std::string> names_;
};

}  // namespace gemba::data
