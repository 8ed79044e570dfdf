#include "sidecar/net/zenoh_id.h"

#include <algorithm>

namespace peerscout {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Parsed<ZenohId> ZenohId::FromLittleEndian(std::span<const uint8_t> bytes) {
  if (bytes.size() != kSize) return Parsed<ZenohId>::Error("a zenoh id is 16 bytes");
  if (std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; })) {
    return Parsed<ZenohId>::Error("a zenoh id is never zero");
  }
  ZenohId id;
  std::copy(bytes.begin(), bytes.end(), id.bytes_.begin());
  return id;
}

Parsed<ZenohId> ZenohId::Parse(std::string_view text) {
  if (text.empty() || text.size() > 2 * kSize) {
    return Parsed<ZenohId>::Error("a zenoh id is 1 to 32 hex digits");
  }
  std::array<uint8_t, kSize> bytes{};
  // The last digit is the least significant nibble, so read from the end.
  for (size_t i = 0; i < text.size(); ++i) {
    const int value = HexValue(text[text.size() - 1 - i]);
    if (value < 0) return Parsed<ZenohId>::Error("a zenoh id is 1 to 32 hex digits");
    bytes[i / 2] |= static_cast<uint8_t>(value << (4 * (i % 2)));
  }
  return FromLittleEndian(bytes);
}

std::string ZenohId::ToString() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * kSize);
  for (size_t i = kSize; i-- > 0;) {
    text += kDigits[bytes_[i] >> 4];
    text += kDigits[bytes_[i] & 0xf];
  }
  const size_t first = text.find_first_not_of('0');
  return text.substr(first == std::string::npos ? text.size() - 1 : first);
}

}  // namespace peerscout
