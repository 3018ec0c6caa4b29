// The 2-choice knowledge test: JSONL, one statement per line with its truth value.
//   {"id": "...", "statement": "...", "label": true, "reference_answer": "...",
//    "fact_id": "...", "product": "...", "split": "faq"|"manual", "category": "...", "lang": "ja"}
// Only `statement` and `label` are required (label may also be "true"/"false"/"正しい"/"誤り").
#pragma once
#include <string>
#include <vector>

namespace gemba::eval {

struct TrueFalseItem {
  std::string id;
  std::string statement;
  bool label = false;
  std::string reference_answer;
  std::string fact_id, product, split, category, lang;
  std::string source;  // where the deciding sentence is: "<file>:<line>" (optional; recall@k)
};

// Throws gemba::Error "<path>:<line>: ..." for malformed lines or missing fields.
std::vector<TrueFalseItem> load_truefalse(const std::string& path);

}  // namespace gemba::eval
