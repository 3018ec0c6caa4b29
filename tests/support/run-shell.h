// Runs a shell command line and captures its stdout (append " 2>&1" for stderr too): the
// end-to-end tests drive the built gemba binary this way.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace gemba::test {

struct ShellResult {
  int code = -1;    // exit status; -1 when it could not run or died of a signal
  std::string out;
};

inline ShellResult run_shell(const std::string& command) {
  ShellResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace gemba::test
