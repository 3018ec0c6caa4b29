// The HTTP transport: OpenAI-compatible routes over cpp-httplib, in front of the scheduler.
//   POST /v1/chat/completions   POST /v1/completions   (JSON, or SSE with "stream": true)
//   GET  /v1/models             GET  /health           GET /metrics (Prometheus text)
// Errors are OpenAI error JSON: 400 bad JSON/field/prompt too long, 401 API key, 404 unknown
// model or route, 413 body too large, 503 + Retry-After queue full, 504 request timeout.
#pragma once
#include <memory>
#include <string>

#include "serve/backend.h"
#include "serve/metrics.h"

namespace gemba::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                     // 0: any free port (see Server::bind)
  std::string api_key;                 // empty: no authentication
  int parallel = 4;                    // sequences decoded together
  int queue = 16;                      // requests that may wait for a slot
  double timeout_s = 600;              // per request, queueing included
  size_t max_body_bytes = 4u << 20;    // larger bodies get 413
  int http_threads = 0;                // 0: max(32, parallel + queue + 8)
};

class Server {
 public:
  Server(Backend& backend, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port. Throws gemba::Error naming host:port.
  int bind();
  // Serves until stop() (from any thread). Generations in flight are cancelled on stop.
  void run();
  void stop();

  const Metrics& metrics() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gemba::serve
