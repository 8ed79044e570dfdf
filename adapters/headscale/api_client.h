// Headscale's REST API over HTTPS (libcurl), authenticated with an API key that never leaves
// this class: not in a log line, an error message or an output.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "adapters/headscale/node_list.h"
#include "sidecar/base/error_or.h"

namespace peerscout::headscale {

struct ApiClientOptions {
  std::string url;          // base, e.g. https://headscale.example.com
  std::string ca_file;      // empty: the system's CAs
  bool allow_http = false;  // else only https:// is spoken, so a key never travels in clear
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{15'000};
  size_t max_bytes = kMaxNodeListBytes;
};

// A response that is not 200, told so that a user knows what to do.
struct ApiError {
  long status = 0;  // 0: no HTTP response at all
  bool key_rejected = false;
  bool too_large = false;      // past max_bytes: refused, unread when Content-Length said so
  std::string message;         // ours, for a user
  std::string server_message;  // the server's, printable and bounded
};

class ApiClient {
 public:
  explicit ApiClient(ApiClientOptions options) : options_(std::move(options)) {}

  // GET <url><path> with `Authorization: Bearer <key>`: the body of a 200, else the error.
  ErrorOr<std::string> Get(std::string_view path, const std::string& key, ApiError* error) const {
    return Send("GET", path, "", key, error);
  }
  // POST or PUT a JSON body.
  ErrorOr<std::string> Send(std::string_view method, std::string_view path, const std::string& body,
                            const std::string& key, ApiError* error) const;

 private:
  ApiClientOptions options_;
};

}  // namespace peerscout::headscale
