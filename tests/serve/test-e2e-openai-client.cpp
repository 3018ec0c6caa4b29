// serve, end to end: `gemba serve` as a child process on a free loopback port, driven by the
// official openai npm client (tests/serve/openai-client/client.mjs): chat (plain and
// streaming), completions, the model list, adapter selection, 8 concurrent clients against one
// at a time, overload 503s, each bad request's status, health afterwards. Once against the
// fake backend (deterministic, has an adapter), once against a tiny random model, where
// greedy completions must equal `gemba run` for the same prompt.
// The npm packages are installed into the build directory on first use; without node/npm or
// registry access the test is skipped, saying why.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/json.h"
#include "serve/fake-backend.h"

namespace fs = std::filesystem;
using gemba::Json;
using namespace std::chrono_literals;

extern char** environ;

namespace {

const std::vector<std::string> kPrompts = {
    "E-21 on the servo amplifier, what now?", "How do I reset alarm 310?", "Torque limit for the M6 bolts?",
    "What does the blinking LED mean?",       "Coolant level is low.",      "Spindle overheats after an hour.",
    "How often do I grease the rail?",        "Encoder cable replacement steps?"};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command, returns its stdout; *rc gets the exit status.
std::string capture(const std::string& command, int* rc) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) {
    *rc = -1;
    return out;
  }
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// `gemba serve ... --port 0` as a child; the port is read from its first stdout line. The
// destructor stops it (SIGTERM, then SIGKILL after 5 s).
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args) {
    args.insert(args.begin(), {GEMBA_BINARY, "serve", "--host", "127.0.0.1", "--port", "0"});
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, GEMBA_BINARY, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[512];
    if (pid_ > 0 && out_ && fgets(line, sizeof line, out_)) {
      std::string s = line;
      auto colon = s.find("127.0.0.1:");
      if (colon != std::string::npos) port_ = std::atoi(s.c_str() + colon + 10);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 50; ++i) {
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(100ms);
      }
      if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        ADD_FAILURE() << "gemba serve did not stop on SIGTERM within 5 s";
      }
    }
    if (out_) fclose(out_);
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  int port_ = 0;
};

// Prepares tests/serve/openai-client in the build directory; returns "" or why it cannot.
std::string prepare_client(fs::path& dir) {
  int rc = 0;
  capture("command -v node && command -v npm", &rc);
  if (rc != 0) return "node and npm are not installed (apt-get install nodejs npm)";
  dir = fs::current_path() / "openai-client";
  fs::create_directories(dir);
  for (const char* f : {"package.json", "package-lock.json", "client.mjs"})
    fs::copy_file(fs::path(GEMBA_SOURCE_DIR) / "tests/serve/openai-client" / f, dir / f,
                  fs::copy_options::overwrite_existing);
  if (!fs::exists(dir / "node_modules/openai/package.json")) {
    capture("cd " + shell_quote(dir.string()) +
                " && timeout 300 npm install --no-audit --no-fund --loglevel=error > npm-install.log 2>&1",
            &rc);
    if (rc != 0) return "npm install of the openai client failed (no registry access?); see " + (dir / "npm-install.log").string();
  }
  return "";
}

struct ClientRun {
  std::string model, adapter, key = "test-key";
  int max_tokens = 16;
  std::string completion_prompt = "Alarm 21 means";
  std::string long_prompt;
  size_t big_body = 200000;
};

Json run_client(const fs::path& dir, int port, const ClientRun& r) {
  std::string env = "GEMBA_URL=" + shell_quote("http://127.0.0.1:" + std::to_string(port) + "/v1") +
                    " GEMBA_KEY=" + shell_quote(r.key) + " GEMBA_MODEL=" + shell_quote(r.model) +
                    " GEMBA_ADAPTER=" + shell_quote(r.adapter) + " GEMBA_PROMPTS=" + shell_quote(Json(kPrompts).dump()) +
                    " GEMBA_MAX_TOKENS=" + std::to_string(r.max_tokens) +
                    " GEMBA_COMPLETION_PROMPT=" + shell_quote(r.completion_prompt) +
                    " GEMBA_LONG_PROMPT=" + shell_quote(r.long_prompt) +
                    " GEMBA_BIG_BODY_BYTES=" + std::to_string(r.big_body);
  int rc = 0;
  std::string out = capture("cd " + shell_quote(dir.string()) + " && " + env + " timeout 240 node client.mjs", &rc);
  EXPECT_EQ(rc, 0) << "client.mjs failed: " << out;
  try {
    return Json::parse(out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "client.mjs printed no JSON: " << out;
    return Json::object();
  }
}

// The checks shared by both backends; `expect_chat`/`expect_completion` give the greedy text.
void check_common(const Json& out, const std::vector<std::string>& expect_chat, const std::string& expect_completion) {
  ASSERT_TRUE(out.contains("sequential")) << out.dump();
  ASSERT_EQ(out["sequential"].size(), kPrompts.size());
  for (size_t i = 0; i < kPrompts.size(); ++i) {
    EXPECT_EQ(out["sequential"][i]["object"], "chat.completion");
    if (!expect_chat.empty()) EXPECT_EQ(out["sequential"][i]["content"], expect_chat[i]) << kPrompts[i];
    EXPECT_EQ(out["concurrent"][i]["content"], out["sequential"][i]["content"]) << "concurrent != sequential for " << i;
    EXPECT_GT(out["sequential"][i]["usage"]["prompt_tokens"].get<int>(), 0);
  }
  EXPECT_EQ(out["stream"]["content"], out["sequential"][0]["content"]);
  EXPECT_EQ(out["stream"]["role"], "assistant");
  EXPECT_EQ(out["stream"]["finish_reason"], out["sequential"][0]["finish_reason"]);
  EXPECT_EQ(out["stream"]["usage"]["completion_tokens"], out["sequential"][0]["usage"]["completion_tokens"]);
  EXPECT_EQ(out["completion"]["text"], expect_completion);
  EXPECT_EQ(out["completion_stream"]["text"], expect_completion);

  int n503 = 0, n200 = 0;
  for (const auto& s : out["overload"]) {
    if (s == 503) ++n503;
    else if (s == 200) ++n200;
    else ADD_FAILURE() << "overload request ended with " << s.dump();
  }
  EXPECT_GT(n503, 0) << "24 requests at once should overflow --parallel 4 --queue 4";
  EXPECT_GT(n200, 0);

  const Json& e = out["errors"];
  EXPECT_EQ(e["unknown_model"], 404);
  EXPECT_EQ(e["wrong_type"], 400);
  EXPECT_EQ(e["too_long"], 400);
  EXPECT_EQ(e["wrong_key"], 401);
  EXPECT_EQ(e["malformed"]["status"], 400);
  EXPECT_EQ(e["no_key"]["status"], 401);
  EXPECT_EQ(e["too_large"]["status"], 413) << e["too_large"].dump();
  for (const char* k : {"malformed", "no_key", "too_large"}) EXPECT_TRUE(e[k]["error"].is_object()) << k;
  EXPECT_EQ(out["health"], 200);
  EXPECT_EQ(out["after"]["content"], out["sequential"][0]["content"]);
}

}  // namespace

TEST(OpenAiClient, FakeBackend) {
  fs::path dir;
  if (std::string why = prepare_client(dir); !why.empty()) GTEST_SKIP() << why;
  setenv("GEMBA_TEST_API_KEY", "test-key", 1);
  ServeProcess server({"--fake-backend", "--fake-step-ms", "2", "--ctx", "256", "--parallel", "4", "--queue", "4",
                       "--api-key-env", "GEMBA_TEST_API_KEY", "--max-body", "0.1"});
  ASSERT_GT(server.port(), 0) << "gemba serve did not report its port";

  gemba::serve::FakeBackend fake({"fake", 256, 0});
  std::vector<std::string> expect;
  for (const auto& p : kPrompts) expect.push_back(fake.greedy_answer(fake.encode_chat({{"user", p}}), false).substr(0, 16));
  ClientRun run;
  run.model = "fake";
  run.adapter = "fake-upper";
  run.long_prompt = std::string(300, 'x');
  Json out = run_client(dir, server.port(), run);
  ASSERT_TRUE(out.contains("models")) << out.dump();
  EXPECT_EQ(out["models"], Json({"fake", "fake-upper"}));
  check_common(out, expect, fake.greedy_answer(fake.encode_prompt(run.completion_prompt), false).substr(0, 16));
  std::string upper = expect[0];
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(out["adapter"]["content"], upper);
}

TEST(OpenAiClient, TinyModelMatchesGembaRun) {
  fs::path dir;
  if (std::string why = prepare_client(dir); !why.empty()) GTEST_SKIP() << why;
  int rc = 0;
  fs::path model = fs::current_path() / "e2e-tiny.gguf";
  if (!fs::exists(model)) {
    std::string log = capture(std::string(GEMBA_BINARY) + " model init --preset tiny --random --seed 7 -o " +
                                  shell_quote(model.string()) + " 2>&1",
                              &rc);
    ASSERT_EQ(rc, 0) << log;
  }
  ClientRun run;
  run.model = "e2e-tiny";
  run.completion_prompt = "The servo amplifier shows E-21";
  run.long_prompt = std::string(2000, 'x');
  std::string expect_completion = capture(std::string(GEMBA_BINARY) + " run -m " + shell_quote(model.string()) +
                                              " --temp 0 -n 16 -c 256 -p " + shell_quote(run.completion_prompt) +
                                              " 2>/dev/null",
                                          &rc);
  ASSERT_EQ(rc, 0);

  setenv("GEMBA_TEST_API_KEY", "test-key", 1);
  ServeProcess server({"-m", model.string(), "--ctx", "256", "--parallel", "4", "--queue", "4", "--api-key-env",
                       "GEMBA_TEST_API_KEY", "--max-body", "0.1", "-t", "1"});
  ASSERT_GT(server.port(), 0) << "gemba serve did not report its port";
  Json out = run_client(dir, server.port(), run);
  ASSERT_TRUE(out.contains("models")) << out.dump();
  EXPECT_EQ(out["models"], Json({"e2e-tiny"}));
  // Everything but the `gemba run` comparison: streaming == non-streaming, 8 concurrent ==
  // one at a time, errors, overload, health.
  check_common(out, {}, out["completion"].value("text", ""));
  // Greedy output equals `gemba run` (both sample only the tokenizer's rows of the logits).
  EXPECT_EQ(out["completion"].value("text", ""), expect_completion) << out["completion"].dump();
}
