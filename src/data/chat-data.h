// SFT conversations from JSONL/CSV: {"question", "answer"} records become one user turn and
// one assistant turn; OpenAI/TRL {"messages": [...]} records keep every turn (system, user,
// assistant, multi-turn). CSV files go through the FAQ reader (data/faq.h).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "data/faq.h"
#include "tokenizer/chat-template.h"

namespace gemba::data {

struct Conversation {
  std::string id;  // "<file>:<line>"
  std::vector<tokenizer::ChatMessage> messages;
};

struct ChatDataFile {
  std::vector<Conversation> conversations;
  std::vector<std::string> warnings;  // one per skipped record ("sft.jsonl:12: ...")
  size_t records_skipped = 0;
};

// A record that is malformed (bad JSON, unknown role, no assistant turn, non-string
// content) is skipped with a warning; a file with no usable record throws gemba::Error
// naming the file and the expected format. Text must be valid UTF-8.
ChatDataFile parse_chat_data(std::string_view content, const std::string& path, const FaqReadOptions& options);

// Reads and parses a file (see parse_chat_data).
ChatDataFile read_chat_data(const std::string& path, const FaqReadOptions& options = {});

}  // namespace gemba::data
