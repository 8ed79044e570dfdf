#include "sidecar/net/zenoh_id.h"

#include <algorithm>

#include "sidecar/net/base_encoding.h"

namespace peerscout {

ErrorOr<ZenohId> ZenohId::FromLittleEndian(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) return ErrorOr<ZenohId>::Error("a zenoh id is 16 bytes");
  if (std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; })) {
    return ErrorOr<ZenohId>::Error("a zenoh id is never zero");
  }
  ZenohId id;
  std::copy(bytes.begin(), bytes.end(), id.bytes_.begin());
  return id;
}

ErrorOr<ZenohId> ZenohId::Parse(std::string_view text) {
  if (text.empty() || text.size() > 2 * kSize) {
    return ErrorOr<ZenohId>::Error("a zenoh id is 1 to 32 hex digits");
  }
  auto bytes = DecodeHex(std::string(2 * kSize - text.size(), '0') + std::string(text));
  if (!bytes) return ErrorOr<ZenohId>::Error("a zenoh id is 1 to 32 hex digits");
  std::reverse(bytes->begin(), bytes->end());  // the number is written most significant first
  return FromLittleEndian(*bytes);
}

std::string ZenohId::ToString() const {
  std::array<uint8_t, kSize> number = bytes_;
  std::reverse(number.begin(), number.end());
  const std::string text = EncodeHex(number);
  return text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));
}

}  // namespace peerscout
