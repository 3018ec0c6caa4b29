// Errors. Two kinds, kept apart on purpose:
//  * gemba::Error — a problem the user can fix (bad file, bad config, bad request). The
//    message names the file/field and what to do; the CLI prints it and exits non-zero,
//    the server answers 4xx.
//  * GEMBA_ASSERT — a broken invariant inside gemba: file:line and abort.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace gemba {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Concatenates any streamable arguments: cat("tensor ", name, " has ", n, " dims").
template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

// Throws gemba::Error with the concatenated message.
template <class... Args>
[[noreturn]] void fail(const Args&... args) {
  throw Error(cat(args...));
}

[[noreturn]] void assert_failed(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace gemba

#define GEMBA_ASSERT(cond, ...)                                                        \
  do {                                                                                 \
    if (!(cond)) ::gemba::assert_failed(#cond, __FILE__, __LINE__, ::gemba::cat("" __VA_OPT__(, ) __VA_ARGS__)); \
  } while (0)
