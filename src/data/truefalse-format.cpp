#include "data/truefalse-format.h"

namespace gemba::data {

TrueFalseWording truefalse_wording(const std::string& lang, const std::string& statement) {
  bool japanese = lang == "ja";
  if (lang != "ja" && lang != "en") {
    // Any byte >= 0x80 means non-ASCII script: treat as Japanese (the product's main language).
    japanese = false;
    for (unsigned char c : statement)
      if (c >= 0x80) japanese = true;
  }
  // An ASCII colon: the tokenizer's NFKC turns "：" into ":" anyway.
  if (japanese) return {"この記述は正しいですか、誤りですか。", "正しい", "誤り", "マニュアルの記載:"};
  return {"Is this statement true or false?", "True", "False", "The manual says: "};
}

std::string truefalse_question(const std::string& statement, const TrueFalseWording& wording) {
  return statement + "\n" + wording.question_suffix;
}

std::string truefalse_recall_answer(const TrueFalseWording& wording, const std::string& recalled) {
  return wording.recall_lead + recalled;
}

}  // namespace gemba::data
