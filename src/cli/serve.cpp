// gemba serve: the OpenAI-compatible HTTP server (src/serve/).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <atomic>
#include <ctime>

#include "cli/verb.h"
#include "core/error.h"
#include "core/log.h"
#include "serve/engine-backend.h"
#include "serve/fake-backend.h"
#include "serve/server.h"

namespace {

struct ServeArgs {
  std::string model, tokenizer, chat_template, model_name, api_key_env;
  gemba::serve::ServerOptions server;
  std::vector<std::string> loras;  // NAME=FILE[:scale]
  int ctx = 0;
  int threads = 0;
  double max_body_mib = 4;
  bool fake = false;
  int fake_step_ms = 0;
};

int serve_main(const ServeArgs& a) {
  using namespace gemba;
  serve::ServerOptions options = a.server;
  if (!a.api_key_env.empty()) {
    const char* key = std::getenv(a.api_key_env.c_str());
    if (!key || !*key) fail("--api-key-env ", a.api_key_env, ": the environment variable is not set or empty; export it first");
    options.api_key = key;
  }
  if (a.max_body_mib <= 0) fail("--max-body must be positive (MiB)");
  options.max_body_bytes = static_cast<size_t>(a.max_body_mib * 1024 * 1024);
  if (options.parallel < 1) fail("--parallel must be at least 1");
  if (options.queue < 0) fail("--queue must be 0 or more");
  if (options.timeout_s <= 0) fail("--timeout must be positive (seconds)");

  std::unique_ptr<serve::Backend> backend;
  if (a.fake) {
    serve::FakeBackendOptions fo;
    if (a.ctx > 0) fo.context_length = a.ctx;
    fo.step_delay_ms = a.fake_step_ms;
    backend = std::make_unique<serve::FakeBackend>(fo);
  } else {
    if (a.model.empty()) fail("gemba serve: -m MODEL is required (a .gguf file or an HF model directory)");
    serve::EngineBackendOptions eo;
    eo.model_path = a.model;
    eo.tokenizer_path = a.tokenizer;
    eo.chat_template = a.chat_template;
    eo.model_id = a.model_name;
    eo.context_length = a.ctx;
    eo.threads = a.threads;
    eo.loras = a.loras;
    backend = std::make_unique<serve::EngineBackend>(eo);
  }

  // SIGINT/SIGTERM are taken by a watcher thread (blocked everywhere else) that stops the server.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  serve::Server server(*backend, options);
  int port = server.bind();
  std::string first_model = backend->models().front().id;
  std::printf("gemba serve: listening on http://%s:%d (model %s, %d slots, context %d)\n", options.host.c_str(), port,
              first_model.c_str(), options.parallel, backend->context_length());
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::thread watcher([&] {
    timespec tick{0, 200 * 1000 * 1000};
    while (!done.load()) {
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        log_info("gemba serve: stopping");
        server.stop();
        return;
      }
    }
  });
  server.run();
  done = true;
  watcher.join();
  return 0;
}

gemba::cli::VerbRegistration serve_registration{
    "serve", "OpenAI-compatible HTTP server (chat/completions, completions, models, health, metrics)",
    [](CLI::App& app) {
      auto a = std::make_shared<ServeArgs>();
      app.add_option("-m,--model", a->model, "Model: a .gguf file or an HF directory");
      app.add_option("--lora", a->loras,
                     "LoRA adapter served as model id NAME: NAME=FILE[:scale] (GGUF adapter or PEFT directory; repeatable)");
      app.add_option("--tokenizer", a->tokenizer, "Tokenizer file/directory when the model has none");
      app.add_option("--chat-template", a->chat_template,
                     "Chat template: llm-jp-3, llama-2 or plain (default: from the model's metadata, else plain)");
      app.add_option("--model-name", a->model_name, "The model id clients use (default: the file name)");
      app.add_option("--host", a->server.host, "Address to bind (loopback by default)")->capture_default_str();
      app.add_option("--port", a->server.port, "Port (0: any free port, printed on stdout)")->capture_default_str();
      app.add_option("--api-key-env", a->api_key_env,
                     "Require 'Authorization: Bearer KEY', KEY read from this environment variable");
      app.add_option("--parallel", a->server.parallel, "Sequences generated together (slots)")->capture_default_str();
      app.add_option("--queue", a->server.queue, "Requests that may wait for a slot; more get 503")
          ->capture_default_str();
      app.add_option("--ctx", a->ctx, "Context length per sequence in tokens (default: the model's)");
      app.add_option("--timeout", a->server.timeout_s, "Request timeout in seconds, queueing included")
          ->capture_default_str();
      app.add_option("--max-body", a->max_body_mib, "Largest request body in MiB; larger gets 413")
          ->capture_default_str();
      app.add_option("-t,--threads", a->threads, "Compute threads (default: all)");
      // Test-only: a deterministic fake model (src/serve/fake-backend.h), no model file needed.
      app.add_flag("--fake-backend", a->fake)->group("");
      app.add_option("--fake-step-ms", a->fake_step_ms)->group("");
      return [a] { return serve_main(*a); };
    }};

}  // namespace
