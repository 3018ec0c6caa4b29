// The grader used when no judge model is available: reads the verdict a free-form answer
// starts with. Documented rule: after trimming, the first of these markers found in the
// first 40 characters decides — true: 正しい, 正解, はい, true, yes, correct;
// false: 誤り, 間違, 正しくない, 正しくありません, 違います, いいえ, false, no, incorrect.
// Negations are checked before "正しい"/"correct"; the earliest marker wins. No marker → unparsed (scored as wrong).
#pragma once
#include <optional>
#include <string>

namespace gemba::eval {

// The answer's verdict on the statement (true = "the statement is correct"), or nullopt.
std::optional<bool> grade_answer_by_rule(const std::string& answer);

}  // namespace gemba::eval
