#include "pipeline/pipeline-runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "core/build-info.h"
#include "core/content-hash.h"
#include "core/error.h"
#include "core/log.h"
#include "pipeline/report.h"
#include "pipeline/run-manifest.h"

namespace gemba::pipeline {
namespace fs = std::filesystem;
namespace {

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Runs `binary argv...` with stdout+stderr appended to log_path; returns the exit status.
// With stdout_path, the child's stdout goes there instead (a verb's result, e.g. bench JSON).
int run_child(const std::string& binary, const std::vector<std::string>& argv, const std::string& log_path,
              const std::string& stdout_path) {
  std::vector<char*> args;
  args.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) fail("pipeline: cannot start a stage: ", std::strerror(errno));
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    if (!stdout_path.empty()) {
      int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (out >= 0) ::dup2(out, STDOUT_FILENO);
    }
    ::execv(binary.c_str(), args.data());
    std::fprintf(stderr, "pipeline: cannot run %s: %s\n", binary.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string tail_of_file(const std::string& path, size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > max_lines) lines.erase(lines.begin());
  }
  std::string out;
  for (auto& l : lines) out += "    " + l + "\n";
  return out;
}

std::string quote_argv(const std::vector<std::string>& argv) {
  std::string out = "gemba";
  for (const auto& a : argv) out += " " + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
  return out;
}

}  // namespace

int run_pipeline(const Recipe& recipe, const RunOptions& options) {
  const std::string run_dir = options.runs_dir + "/" + recipe.name;
  const std::vector<Stage> stages = plan_stages(recipe, run_dir);
  if (options.dry_run) {
    for (const auto& s : stages) std::printf("%-28s %s\n", s.name.c_str(), quote_argv(s.argv).c_str());
    return 0;
  }
  fs::create_directories(run_dir + "/logs");
  RunManifest manifest(run_dir + "/manifest.json");
  int exit_code = 0;
  for (const auto& stage : stages) {
    StageRecord record;
    record.argv = stage.argv;
    record.output = stage.output;
    uint64_t key = fnv1a64(quote_argv(stage.argv));
    for (const auto& input : stage.inputs) {
      std::string h = path_content_hash(input);
      record.inputs[input] = h;
      key = fnv1a64(input + "=" + h, key);
    }
    record.key = hex64(key);
    const bool forced = std::find(options.force.begin(), options.force.end(), stage.name) != options.force.end();
    StageRecord* previous = manifest.find(stage.name);
    record.gemba = build_id();
    if (!forced && previous && previous->status == "done" && previous->key == record.key && fs::exists(stage.output)) {
      // The key covers the command line and the inputs, not gemba's own code: say when another
      // build made this output, since a newer one may make it differently.
      if (!previous->gemba.empty() && previous->gemba != record.gemba)
        std::fprintf(stderr, "[pipeline] %-24s unchanged, skipped (made by gemba %s, this is %s: --force %s redoes it)\n",
                     stage.name.c_str(), previous->gemba.c_str(), record.gemba.c_str(), stage.name.c_str());
      else
        std::fprintf(stderr, "[pipeline] %-24s unchanged, skipped\n", stage.name.c_str());
      if (stage.name == options.until) break;
      continue;
    }
    std::vector<std::string> argv = stage.argv;
    // An interrupted training stage (same inputs, status still "running" or "failed")
    // continues from the checkpoint the trainer keeps in its run directory.
    const std::string checkpoint = stage.output + "/checkpoint";
    if (stage.resumable && previous && previous->status != "done" && previous->key == record.key && fs::exists(checkpoint)) {
      argv.insert(argv.end(), {"--resume", stage.output});
      std::fprintf(stderr, "[pipeline] %-24s resuming from %s\n", stage.name.c_str(), checkpoint.c_str());
    } else if (stage.resumable && fs::exists(checkpoint)) {
      // A fresh start: the checkpoint there belongs to a run with other settings (or a finished
      // one). Left in place, an interruption of this run would later "resume" that old run.
      fs::remove_all(checkpoint);
    }
    std::string log_name = stage.name;
    std::replace(log_name.begin(), log_name.end(), '/', '_');
    const std::string log_path = run_dir + "/logs/" + log_name + ".log";
    fs::create_directories(fs::path(stage.output).parent_path());
    record.status = "running";
    record.started_at = now_iso();
    manifest.set(stage.name, record);
    std::fprintf(stderr, "[pipeline] %-24s running: %s\n", stage.name.c_str(), quote_argv(argv).c_str());
    auto t0 = std::chrono::steady_clock::now();
    // A stage whose result is its stdout (bench) writes it to a temporary, renamed on success.
    const std::string stdout_tmp = stage.stdout_is_output ? stage.output + ".partial" : "";
    int rc = run_child(options.gemba_binary, argv, log_path, stdout_tmp);
    if (rc == 0 && stage.stdout_is_output) fs::rename(stdout_tmp, stage.output);
    record.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    record.finished_at = now_iso();
    if (rc != 0) {
      record.status = "failed";
      manifest.set(stage.name, record);
      std::fprintf(stderr, "[pipeline] %-24s FAILED (exit %d) after %.1fs; last lines of %s:\n%s", stage.name.c_str(), rc,
                   record.wall_s, log_path.c_str(), tail_of_file(log_path, 15).c_str());
      exit_code = 1;
      break;
    }
    record.status = "done";
    manifest.set(stage.name, record);
    std::fprintf(stderr, "[pipeline] %-24s done in %.1fs\n", stage.name.c_str(), record.wall_s);
    if (stage.name == options.until) break;
  }
  write_report(recipe, stages, run_dir);
  return exit_code;
}

}  // namespace gemba::pipeline
