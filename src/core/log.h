// Logging to stderr (stdout is reserved for a verb's result, so scripts can use it).
// Level from the GEMBA_LOG environment variable: debug, info (default), warn, error.
#pragma once
#include <string>

#include "core/error.h"

namespace gemba {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

LogLevel log_level();
void set_log_level(LogLevel level);
void log_message(LogLevel level, const std::string& message);

template <class... Args> void log_debug(const Args&... a) { if (log_level() <= LogLevel::kDebug) log_message(LogLevel::kDebug, cat(a...)); }
template <class... Args> void log_info(const Args&... a) { if (log_level() <= LogLevel::kInfo) log_message(LogLevel::kInfo, cat(a...)); }
template <class... Args> void log_warn(const Args&... a) { if (log_level() <= LogLevel::kWarn) log_message(LogLevel::kWarn, cat(a...)); }
template <class... Args> void log_error(const Args&... a) { log_message(LogLevel::kError, cat(a...)); }

}  // namespace gemba
