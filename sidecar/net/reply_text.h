// What the sources keep of another program's reply: a body read up to a cap, and the first line
// of an error, printable and short, for a message of ours.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace peerscout {

// A body read in chunks that refuses to grow past `max_bytes`.
struct CappedBody {
  std::string text;
  size_t max_bytes;
  bool too_large = false;

  // Appends a chunk; false (and too_large) when it would pass the cap.
  bool Append(const char* data, size_t length);
  // libcurl's CURLOPT_WRITEFUNCTION, with a CappedBody as CURLOPT_WRITEDATA: a short count ends
  // the transfer.
  static size_t CurlWrite(char* data, size_t size, size_t count, void* body);
};

// The first line, at most 200 bytes, with anything but printable ASCII as '?'.
std::string FirstLine(std::string_view text);

}  // namespace peerscout
