// Grounded prompts: a question put to the model together with excerpts of the manuals that
// retrieval found, numbered so the answer can cite them. ONE format, used by the training rows
// that teach a model to read (data/grounded-rows.h) and by every place that asks at run time
// (run, chat, serve, eval), so the model sees at run time exactly what it was trained on:
//
//   Manual excerpts:
//   [1] Config_Reference.md §Micro-controller configuration > [mcu]
//   #baud: 250000
//   #  The baud rate to use. The default is 250000.
//   [2] FAQ.md §How do I change the serial baud rate?
//   ...
//
//   Question:
//   What is the default baud rate?
//
// (Japanese questions get the labels マニュアルの抜粋 / 質問.) The answer quotes or restates an
// excerpt and ends with its number: "The default is 250000. [1]"; when no excerpt answers it,
// it says so (kNotInManuals). Each excerpt shows the pieces of its passage that are most about
// the question (index/evidence.h), in reading order, not the whole passage: a small model reads
// a short prompt better and an edge device prefills it sooner.
#pragma once
#include <string>
#include <vector>

#include "index/passage-index.h"

namespace gemba::index {

struct GroundingOptions {
  size_t passages = 4;            // excerpts shown (the best passages)
  size_t pieces_per_excerpt = 2;  // evidence pieces of a passage shown, at most
  size_t max_excerpt_chars = 300; // code points per excerpt, at most
};

struct Excerpt {
  Passage passage;
  std::string text;      // what the prompt shows of it
  std::string citation;  // passage_citation(passage)
};

struct Grounding {
  std::vector<Excerpt> excerpts;  // [1] is excerpts[0]
};

// Retrieves and cuts the excerpts for a question.
Grounding ground(const std::string& question, const PassageIndex& index, const GroundingOptions& options = {});

// The excerpts shown for already retrieved passages (for training rows that place a chosen
// passage among distractors).
Excerpt make_excerpt(const std::string& question, const Passage& passage, const PassageIndex& index, const GroundingOptions& options);

// The user message: the numbered excerpts, then the question.
std::string grounded_user_message(const std::string& question, const Grounding& grounding);

// What a grounded answer says when no excerpt answers the question, in the question's language.
std::string not_in_manuals_answer(const std::string& question);

// The citation numbers an answer names ("... [1][3]" -> {1, 3}), in order, without repeats;
// numbers outside 1..excerpts are left out.
std::vector<size_t> cited_excerpts(const std::string& answer, size_t excerpts);

// The answer without its trailing citation marks ("text. [1]" -> "text.").
std::string strip_citations(const std::string& answer);

// "ja" when the text has kana or kanji, else "en".
std::string text_language(const std::string& text);

}  // namespace gemba::index
