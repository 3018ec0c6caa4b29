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
  if (japanese) return {"この記述は正しいですか、誤りですか。", "正しい", "誤り"};
  return {"Is this statement true or false?", "True", "False"};
}

std::string truefalse_question(const std::string& statement, const TrueFalseWording& wording) {
  return statement + "\n" + wording.question_suffix;
}

}  // namespace gemba::data
