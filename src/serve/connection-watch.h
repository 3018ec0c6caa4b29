// Notices that an HTTP client went away while its request is still being generated, so the
// generation can be cancelled. cpp-httplib 0.11 does not expose a request's socket, so the
// socket is found among this process's descriptors by its two endpoints (local port, peer
// address and port), then peeked: end-of-file or a hang-up means the client is gone.
#pragma once
#include <string>

namespace gemba::serve {

class ConnectionWatch {
 public:
  ConnectionWatch(int local_port, const std::string& remote_addr, int remote_port);
  // True once the peer has closed the connection. Never true if the socket was not found.
  bool closed() const;
  bool found() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace gemba::serve
