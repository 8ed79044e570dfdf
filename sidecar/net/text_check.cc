#include "sidecar/net/text_check.h"

#include <rapidjson/encodings.h>
#include <rapidjson/memorystream.h>

namespace peerscout {
namespace {

// Swallows the validated characters: only the verdict matters.
struct NullOutput {
  using Ch = char;
  void Put(char /*unused*/) {}
};

}  // namespace

bool IsValidUtf8(std::string_view text) {
  rapidjson::MemoryStream bytes(text.data(), text.size());
  NullOutput discard;
  while (bytes.Tell() < text.size()) {
    if (!rapidjson::UTF8<>::Validate(bytes, discard)) return false;
  }
  return true;
}

std::string Excerpt(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  return std::string(text.substr(0, limit)) + "...";
}

}  // namespace peerscout
