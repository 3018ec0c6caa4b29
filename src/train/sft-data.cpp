#include "train/sft-data.h"

#include <sstream>

#include "core/error.h"
#include "core/log.h"
#include "data/chat-data.h"

namespace gemba::train {

namespace {

std::vector<std::string> split_commas(const std::string& spec) {
  std::vector<std::string> out;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

bool has_target(const SftRow& row) {
  // The first token is never predicted, so a target there carries no loss.
  for (size_t i = 1; i < row.is_target.size(); ++i)
    if (row.is_target[i]) return true;
  return false;
}

std::vector<SftRow> load_sft_rows(const std::string& spec, const tokenizer::Tokenizer& tok, const SftDataOptions& options,
                                  SftDataReport* report) {
  if (options.max_tokens < 2) fail("--seq-len ", options.max_tokens, ": must be at least 2 tokens");
  SftDataReport r;
  std::vector<SftRow> rows;
  const auto paths = split_commas(spec);
  if (paths.empty()) fail("--data is empty: give FAQ or chat JSONL/CSV files");
  for (const auto& path : paths) {
    data::ChatDataFile file = data::read_chat_data(path);
    for (const auto& w : file.warnings) log_warn(w);
    for (const auto& conv : file.conversations) {
      ++r.conversations;
      tokenizer::ChatTokens t = tokenizer::encode_chat(tok, options.chat_template, conv.messages, /*add_generation_prompt=*/false);
      SftRow row{std::move(t.ids), std::move(t.is_target)};
      if (static_cast<int64_t>(row.ids.size()) > options.max_tokens) {
        ++r.truncated;
        row.ids.resize(static_cast<size_t>(options.max_tokens));
        row.is_target.resize(static_cast<size_t>(options.max_tokens));
      }
      if (!has_target(row)) {
        ++r.dropped;
        continue;
      }
      for (size_t i = 1; i < row.is_target.size(); ++i) r.target_tokens += row.is_target[i];
      rows.push_back(std::move(row));
    }
  }
  if (rows.empty()) fail(spec, ": no conversation with an assistant answer fits in --seq-len ", options.max_tokens);
  if (r.truncated > 0)
    log_warn(spec, ": ", r.truncated, " of ", r.conversations, " conversations are longer than --seq-len ", options.max_tokens,
             " tokens and were cut", r.dropped ? " (" + std::to_string(r.dropped) + " left with no answer, dropped)" : "");
  if (options.pack) rows = pack_rows(rows, options.max_tokens);
  r.rows = rows.size();
  if (report) *report = r;
  return rows;
}

std::vector<SftRow> pack_rows(const std::vector<SftRow>& rows, int64_t max_tokens) {
  std::vector<SftRow> packed;
  SftRow current;
  for (const auto& row : rows) {
    if (!current.ids.empty() && static_cast<int64_t>(current.ids.size() + row.ids.size()) > max_tokens) {
      packed.push_back(std::move(current));
      current = {};
    }
    current.ids.insert(current.ids.end(), row.ids.begin(), row.ids.end());
    current.is_target.insert(current.is_target.end(), row.is_target.begin(), row.is_target.end());
  }
  if (!current.ids.empty()) packed.push_back(std::move(current));
  return packed;
}

}  // namespace gemba::train
