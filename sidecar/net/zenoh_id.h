// A zenoh id (zid): the 128-bit number that names one zenoh runtime, and so one exo instance.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"

namespace peerscout {

class ZenohId {
 public:
  static constexpr size_t kSize = 16;

  // As it travels: 16 bytes, least significant first. Zero is not an id.
  static ErrorOr<ZenohId> FromLittleEndian(std::span<const uint8_t> bytes);
  // As zenoh prints it: the number in hex, 1 to 32 digits, either case.
  static ErrorOr<ZenohId> Parse(std::string_view text);

  const std::array<uint8_t, kSize>& little_endian() const { return bytes_; }
  // Lowercase hex of the number without leading zeros, as zenoh prints it.
  std::string ToString() const;

  // As zenoh orders them (and so exo, which lets the greater id dial): the little-endian bytes
  // in turn, least significant first, which is not the numbers' order.
  auto operator<=>(const ZenohId& other) const = default;

 private:
  std::array<uint8_t, kSize> bytes_{};  // little-endian
};

}  // namespace peerscout
