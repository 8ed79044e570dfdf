#include "sidecar/net/reply_text.h"

#include <algorithm>

namespace peerscout {

bool CappedBody::Append(const char* data, size_t length) {
  if (text.size() + length > max_bytes) {
    too_large = true;
    return false;
  }
  text.append(data, length);
  return true;
}

size_t CappedBody::CurlWrite(char* data, size_t size, size_t count, void* body) {
  return static_cast<CappedBody*>(body)->Append(data, size * count) ? size * count : 0;
}

std::string FirstLine(std::string_view text) {
  text = text.substr(0, std::min(text.find('\n'), size_t{200}));
  std::string line;
  line.reserve(text.size());
  for (char c : text) line += (c >= ' ' && c <= '~') ? c : '?';
  return line;
}

}  // namespace peerscout
