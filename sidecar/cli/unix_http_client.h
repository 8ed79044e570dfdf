// A small HTTP client for a local Unix socket (libcurl): the CLI's way to the sidecar.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "sidecar/base/error_or.h"

namespace peerscout {

struct HttpReply {
  long status = 0;
  std::string body;
  std::optional<uint64_t> index;  // X-Peerscout-Index
};

// GET http://localhost<target> over `socket`. An error (no socket, refused, timeout) is the
// reason; any HTTP status is a reply.
ErrorOr<HttpReply> GetOverUnixSocket(const std::string& socket, const std::string& target,
                                     std::chrono::milliseconds timeout);

// Percent-encodes a query value (libcurl's escaping).
std::string EscapeQueryValue(const std::string& value);

}  // namespace peerscout
