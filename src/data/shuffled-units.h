// Knowledge augmentation for continual pre-training: the manuals cut into units (a prose
// sentence, a table row, a list item, a heading) and put back together in a new random order,
// several times over.
//
// Why: a manual states each fact at one fixed place. Trained on the text as written, a small
// model learns to predict a value from the exact words before it (where it stands in the
// manual) rather than from the product it belongs to; asked from a fresh prompt, it then has
// nothing to recall. Measured (docs/knowledge-experiments.md): 600 product/attribute/value
// sentences, demo-small, 300 steps — in one fixed order the model prefers the true value over
// another product's 66% of the time, in shuffled orders 77%. Allen-Zhu & Li ("Physics of
// Language Models 3.1", 2023) report the same: knowledge becomes extractable once the order and
// wording around each fact vary. On whole manuals at the demo's budget it did not help (61% as
// written, 55% with shuffled copies added): a manual's own context names its product.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gemba::data {

struct UnitOptions {
  size_t min_chars = 8;  // shorter units (code points) carry nothing on their own; dropped
};

// The units of one normalized document, in document order: every non-empty line; a prose line
// or list item (its "- " dropped) is cut after each sentence end (。！？, or . ! ? followed by
// a space). Markdown table rows and headings stay whole; table rules (|---|) and short units
// are dropped.
std::vector<std::string> text_units(std::string_view document, const UnitOptions& options = {});

// Where units move. corpus: a copy is one document holding every unit of every input document,
// so each fact lands among other products' facts (the strongest change of context).
// document: a copy keeps the documents apart (in a new order) and shuffles each one's units, so a
// fact moves within its own manual, among the same product's facts.
enum class ShuffleScope { corpus, document };

// `copies` rounds of shuffled documents, each unit on its own line; the order is a pure function
// of (documents, copies, seed, scope). No units: no output.
std::vector<std::string> shuffled_unit_copies(const std::vector<std::string>& documents, int copies, uint64_t seed,
                                              ShuffleScope scope, const UnitOptions& options = {});

// "corpus" / "document"; anything else is a gemba::Error naming the flag.
ShuffleScope parse_shuffle_scope(const std::string& name);

}  // namespace gemba::data
