// Sentence segmentation for English and Japanese manual text (one block's text, no newlines).
//
// A sentence ends:
//  * after 。！？ (and a closing bracket or quote that follows them: 」』）"');
//  * after . ! ? that a space and a new sentence follow: an upper-case letter, a digit, an
//    opening quote or bracket, or a non-ASCII character — unless the word before the period is
//    an abbreviation (e.g. i.e. etc. Fig. No. vs. approx. ...) or a single capital initial.
// So "0.25", "v1.2.3", "motion.spindle-speed-out", "Pr.0.01" and "e.g. the fan" stay whole
// (no space after the inner periods, or a lower-case word after the abbreviation).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gemba {

struct SentenceSpan {
  size_t begin = 0, end = 0;  // byte offsets into the text, without surrounding spaces
};

std::vector<SentenceSpan> sentence_spans(std::string_view text);

// The sentences themselves.
std::vector<std::string> split_sentences(std::string_view text);

}  // namespace gemba
