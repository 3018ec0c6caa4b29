#include "serve/server.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>

#include "core/log.h"
#include "serve/api-error.h"
#include "serve/connection-watch.h"
#include "serve/openai-json.h"
#include "serve/request.h"
#include "serve/scheduler.h"

#ifdef GEMBA_HAVE_HTTPLIB
#include <httplib.h>
#endif

namespace gemba::serve {

#ifdef GEMBA_HAVE_HTTPLIB

namespace {

using Clock = std::chrono::steady_clock;

// What the scheduler thread hands to the HTTP thread serving one request.
struct Exchange {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> texts;
  std::optional<TaskResult> result;
};

constexpr const char* kChatPath = "/v1/chat/completions";
constexpr const char* kCompletionPath = "/v1/completions";
constexpr auto kPollInterval = std::chrono::milliseconds(50);

// Status 499 (nginx's "client closed request") is what metrics record for an abandoned request.
constexpr int kClientClosed = 499;

ApiError result_error(const TaskResult& result, double timeout_s) {
  if (result.reason == FinishReason::kTimeout)
    return ApiError(504, "server_error",
                    cat("the request took longer than the server's timeout of ", timeout_s,
                        " s; lower max_tokens or raise gemba serve --timeout"),
                    "", "timeout");
  if (result.reason == FinishReason::kCancelled)
    return ApiError(503, "server_error", "the generation was cancelled (the server is shutting down)", "", "cancelled");
  return ApiError(500, "server_error", "generation failed: " + result.error, "", "generation_failed");
}

}  // namespace

struct Server::Impl {
  Impl(Backend& b, ServerOptions o) : backend(b), options(std::move(o)), scheduler(b, {options.parallel, options.queue}) {}

  Backend& backend;
  ServerOptions options;
  Scheduler scheduler;
  Metrics metrics;
  httplib::Server http;
  int port = -1;
  std::atomic<int> phase{0};  // 0: run() not entered, 1: serving, 2: run() returned
  std::atomic<bool> stop_requested{false};
  std::mt19937_64 seed_rng{std::random_device{}()};
  std::mutex seed_mutex;

  void send_error(httplib::Response& res, const ApiError& e) {
    res.status = e.status();
    if (e.status() == 503) res.set_header("Retry-After", "1");
    res.set_content(dump_json(error_json(e)), "application/json");
  }

  void check_auth(const httplib::Request& req) {
    if (options.api_key.empty()) return;
    std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) != 0)
      throw ApiError(401, "invalid_request_error",
                     "missing API key: send the header 'Authorization: Bearer <key>' (the key set by --api-key-env)", "",
                     "invalid_api_key");
    if (header.substr(prefix.size()) != options.api_key)
      throw ApiError(401, "invalid_request_error", "incorrect API key provided", "", "invalid_api_key");
  }

  uint64_t random_seed() {
    std::lock_guard lock(seed_mutex);
    return seed_rng();
  }

  void setup_routes();
  void handle_generate(const httplib::Request& req, httplib::Response& res, Endpoint endpoint);
};

void Server::Impl::setup_routes() {
  http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    Json body = {{"status", "ok"},
                 {"slots", scheduler.parallel()},
                 {"active_slots", scheduler.active_slots()},
                 {"queue_depth", scheduler.queue_depth()}};
    res.set_content(dump_json(body), "application/json");
  });
  http.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    try {
      check_auth(req);
    } catch (const ApiError& e) {
      send_error(res, e);
      return;
    }
    res.set_content(metrics.prometheus(scheduler.queue_depth(), scheduler.active_slots(), scheduler.parallel()),
                    "text/plain; version=0.0.4");
  });
  auto models = [this](const httplib::Request& req, httplib::Response& res) {
    auto t0 = Clock::now();
    try {
      check_auth(req);
      res.set_content(dump_json(models_json(backend.models(), unix_time_now())), "application/json");
    } catch (const ApiError& e) {
      send_error(res, e);
    }
    metrics.record_request("/v1/models", res.status == -1 ? 200 : res.status,
                           std::chrono::duration<double>(Clock::now() - t0).count());
  };
  http.Get("/v1/models", models);
  http.Get("/models", models);
  http.Post(kChatPath, [this](const httplib::Request& req, httplib::Response& res) {
    handle_generate(req, res, Endpoint::kChat);
  });
  http.Post("/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    handle_generate(req, res, Endpoint::kChat);
  });
  http.Post(kCompletionPath, [this](const httplib::Request& req, httplib::Response& res) {
    handle_generate(req, res, Endpoint::kCompletion);
  });
  http.Post("/completions", [this](const httplib::Request& req, httplib::Response& res) {
    handle_generate(req, res, Endpoint::kCompletion);
  });

  // Anything httplib answers by itself (unknown route, body too large, ...) gets an
  // OpenAI error body too.
  http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      send_error(res, ApiError(413, "invalid_request_error",
                               cat("the request body is larger than the server's limit of ", options.max_body_bytes,
                                   " bytes; shorten the prompt"),
                               "", "request_too_large"));
    } else if (res.status == 404) {
      send_error(res, ApiError(404, "invalid_request_error",
                               cat("no route ", req.method, " ", req.path,
                                   "; gemba serve has /v1/chat/completions, /v1/completions, /v1/models, /health, /metrics"),
                               "", "unknown_url"));
    } else {
      send_error(res, ApiError(res.status, res.status >= 500 ? "server_error" : "invalid_request_error",
                               cat("HTTP ", res.status, " for ", req.method, " ", req.path)));
    }
    metrics.record_request("other", res.status, 0);
  });
  http.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log_error("serve: unexpected exception: ", what);
    send_error(res, ApiError(500, "server_error", "internal error: " + what));
  });
}

void Server::Impl::handle_generate(const httplib::Request& req, httplib::Response& res, Endpoint endpoint) {
  auto t0 = Clock::now();
  const char* path = endpoint == Endpoint::kChat ? kChatPath : kCompletionPath;
  auto record = [this, path, t0](int status) {
    metrics.record_request(path, status, std::chrono::duration<double>(Clock::now() - t0).count());
  };
  std::shared_ptr<Task> task;
  std::shared_ptr<Exchange> exchange;
  CompletionRequest request;
  try {
    check_auth(req);
    Json body = parse_request_body(req.body);
    request = endpoint == Endpoint::kChat ? parse_chat_request(body) : parse_completion_request(body);
    bool known = false;
    for (const auto& m : backend.models()) known = known || m.id == request.model;
    if (!known)
      throw ApiError(404, "invalid_request_error",
                     cat("the model '", request.model, "' does not exist; GET /v1/models lists the base model and adapters"),
                     "model", "model_not_found");

    std::vector<int32_t> prompt;
    try {
      prompt = endpoint == Endpoint::kChat ? backend.encode_chat(request.messages) : backend.encode_prompt(request.prompt);
    } catch (const Error& e) {
      bad_request(endpoint == Endpoint::kChat ? "messages" : "prompt", cat("the prompt cannot be tokenized: ", e.what()));
    }
    int ctx = backend.context_length();
    int n_prompt = static_cast<int>(prompt.size());
    if (n_prompt >= ctx)
      bad_request(endpoint == Endpoint::kChat ? "messages" : "prompt",
                  cat("this model's context is ", ctx, " tokens and the prompt has ", n_prompt,
                      "; shorten the prompt (or start the server with a larger --ctx)"),
                  "context_length_exceeded");

    task = std::make_shared<Task>();
    task->model = request.model;
    task->prompt = std::move(prompt);
    task->sampling = request.sampling;
    if (!request.has_seed) task->sampling.seed = random_seed();
    task->max_tokens = std::min(request.max_tokens.value_or(ctx), ctx - n_prompt);
    task->stop = request.stop;
    task->deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.timeout_s));
    exchange = std::make_shared<Exchange>();
    task->on_text = [exchange](std::string_view text) {
      std::lock_guard lock(exchange->mutex);
      exchange->texts.emplace_back(text);
      exchange->changed.notify_all();
    };
    task->on_done = [this, exchange](const TaskResult& result) {
      metrics.add_tokens(result.prompt_tokens, result.completion_tokens);
      std::lock_guard lock(exchange->mutex);
      exchange->result = result;
      exchange->changed.notify_all();
    };
    if (!scheduler.submit(task))
      throw ApiError(503, "server_error",
                     cat("the server is busy (", scheduler.parallel(), " generating, ", options.queue,
                         " waiting); retry after a moment"),
                     "", "queue_full");
  } catch (const ApiError& e) {
    send_error(res, e);
    record(e.status());
    return;
  } catch (const std::exception& e) {
    send_error(res, ApiError(500, "server_error", cat("internal error: ", e.what())));
    record(500);
    return;
  }

  auto watch = std::make_shared<ConnectionWatch>(req.local_port, req.remote_addr, req.remote_port);
  std::string id = new_response_id(endpoint == Endpoint::kChat ? "chatcmpl" : "cmpl");
  int64_t created = unix_time_now();
  std::string model = request.model;

  if (!request.stream) {
    std::string text;
    TaskResult result;
    {
      std::unique_lock lock(exchange->mutex);
      while (!exchange->result) {
        exchange->changed.wait_for(lock, kPollInterval);
        if (!exchange->result && watch->closed()) task->cancel();
      }
      for (auto& t : exchange->texts) text += t;
      result = *exchange->result;
    }
    if (result.reason == FinishReason::kStop || result.reason == FinishReason::kLength) {
      Usage usage{result.prompt_tokens, result.completion_tokens};
      const char* finish = finish_reason_name(result.reason);
      Json body = endpoint == Endpoint::kChat ? chat_completion_json(id, model, created, text, finish, usage)
                                              : text_completion_json(id, model, created, text, finish, usage);
      res.set_content(dump_json(body), "application/json");
      record(200);
    } else if (result.reason == FinishReason::kCancelled && watch->closed()) {
      record(kClientClosed);
    } else {
      ApiError e = result_error(result, options.timeout_s);
      send_error(res, e);
      record(e.status());
    }
    return;
  }

  // Streaming: server-sent events, one chunk per piece of text as it is generated.
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  bool chat = endpoint == Endpoint::kChat;
  bool include_usage = request.include_usage;
  double timeout_s = options.timeout_s;
  auto outcome = std::make_shared<int>(kClientClosed);
  res.set_chunked_content_provider(
      "text/event-stream",
      [exchange, task, watch, id, model, created, chat, include_usage, timeout_s, outcome](size_t,
                                                                                          httplib::DataSink& sink) {
        auto send = [&](const std::string& event) {
          if (sink.write(event.data(), event.size())) return true;
          task->cancel();
          return false;
        };
        if (chat && !send(sse_event(chat_chunk_json(id, model, created, {{"role", "assistant"}, {"content", ""}}, ""))))
          return false;
        for (;;) {
          std::deque<std::string> texts;
          std::optional<TaskResult> result;
          {
            std::unique_lock lock(exchange->mutex);
            exchange->changed.wait_for(lock, kPollInterval,
                                       [&] { return !exchange->texts.empty() || exchange->result.has_value(); });
            texts.swap(exchange->texts);
            result = exchange->result;
          }
          for (const auto& t : texts) {
            Json chunk = chat ? chat_chunk_json(id, model, created, {{"content", t}}, "")
                              : text_chunk_json(id, model, created, t, "");
            if (!send(sse_event(chunk))) return false;
          }
          if (result) {
            if (result->reason == FinishReason::kStop || result->reason == FinishReason::kLength) {
              const char* finish = finish_reason_name(result->reason);
              Json last = chat ? chat_chunk_json(id, model, created, Json::object(), finish)
                               : text_chunk_json(id, model, created, "", finish);
              if (!send(sse_event(last))) return false;
              if (include_usage) {
                Usage usage{result->prompt_tokens, result->completion_tokens};
                if (!send(sse_event(usage_chunk_json(id, chat ? "chat.completion.chunk" : "text_completion", model,
                                                     created, usage))))
                  return false;
              }
              *outcome = 200;
            } else {
              ApiError e = result_error(*result, timeout_s);
              if (!send(sse_event(error_json(e)))) return false;
              *outcome = e.status();
            }
            if (!send(kSseDone)) return false;
            sink.done();
            return true;
          }
          if (texts.empty() && watch->closed()) {
            task->cancel();
            return false;
          }
        }
      },
      [task, outcome, record](bool) {
        task->cancel();  // a no-op when finished; stops the generation when the client left
        record(*outcome);
      });
}

Server::Server(Backend& backend, ServerOptions options) : impl_(std::make_unique<Impl>(backend, std::move(options))) {
  auto& o = impl_->options;
  // Enough threads that idle keep-alive connections do not starve new requests.
  int threads = o.http_threads > 0 ? o.http_threads : std::max(32, o.parallel + o.queue + 8);
  impl_->http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  impl_->http.set_payload_max_length(o.max_body_bytes);
  impl_->http.set_keep_alive_max_count(1000);
  impl_->http.set_read_timeout(30, 0);
  impl_->http.set_write_timeout(30, 0);
  impl_->setup_routes();
}

Server::~Server() {
  stop();
  impl_->scheduler.stop();
}

int Server::bind() {
  auto& o = impl_->options;
  if (o.port == 0) {
    impl_->port = impl_->http.bind_to_any_port(o.host);
    if (impl_->port <= 0) fail("gemba serve: cannot listen on ", o.host, ": check --host");
  } else {
    if (!impl_->http.bind_to_port(o.host, o.port))
      fail("gemba serve: cannot listen on ", o.host, ":", o.port, " (in use, or not an address of this machine); pick another --port/--host");
    impl_->port = o.port;
  }
  return impl_->port;
}

void Server::run() {
  if (impl_->port < 0) bind();
  impl_->phase = 1;
  if (!impl_->stop_requested) impl_->http.listen_after_bind();
  impl_->phase = 2;
  impl_->scheduler.stop();  // cancels what is still generating
}

void Server::stop() {
  impl_->stop_requested = true;
  // httplib ignores stop() until its accept loop runs: wait for it (briefly) if run() started.
  for (int i = 0; i < 2000 && impl_->phase == 1 && !impl_->http.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->http.stop();
}

const Metrics& Server::metrics() const { return impl_->metrics; }

#else  // built without cpp-httplib

struct Server::Impl {};
Server::Server(Backend&, ServerOptions) {
  fail("gemba serve: this gemba was built without cpp-httplib; install libcpp-httplib-dev and rebuild");
}
Server::~Server() = default;
int Server::bind() { return -1; }
void Server::run() {}
void Server::stop() {}
const Metrics& Server::metrics() const {
  static Metrics none;
  return none;
}

#endif

}  // namespace gemba::serve
