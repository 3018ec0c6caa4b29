// `--nproc N`: starts N copies of this program as the ranks of one data-parallel job on this
// machine (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, MASTER_PORT = a
// free port),
// waits for them, and stops the others when one fails. No libtorch here.
#pragma once
#include <string>
#include <vector>

namespace gemba::train {

// The arguments this process was started with (from /proc/self/cmdline), argv[0] included.
std::vector<std::string> own_command_line();

// Removes "--nproc N" / "--nproc=N" from an argument list.
std::vector<std::string> without_nproc(const std::vector<std::string>& args);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_local_port();

// Runs `args` (args[0] is replaced by /proc/self/exe) as `nproc` ranks; returns 0 when all
// succeed, else the first failing rank's exit code (or 128 + signal).
int launch_ranks(int nproc, const std::vector<std::string>& args);

}  // namespace gemba::train
