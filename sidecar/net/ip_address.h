// An IPv4 or IPv6 address, and the subnets they belong to.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerscout {

class IpAddress {
 public:
  enum class Family : uint8_t { kV4, kV6 };

  // Accepts only canonical literal forms inet_pton accepts; no zones, no brackets.
  static std::optional<IpAddress> Parse(std::string_view text);
  static IpAddress V4(std::array<uint8_t, 4> bytes);
  static IpAddress V6(std::array<uint8_t, 16> bytes);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  bool is_v6() const { return family_ == Family::kV6; }
  // 4 bytes for IPv4, 16 for IPv6.
  const uint8_t* bytes() const { return bytes_.data(); }
  size_t size() const { return is_v4() ? 4 : 16; }

  bool is_loopback() const;
  bool is_unspecified() const;
  bool is_link_local() const;
  bool is_multicast() const;

  // inet_ntop's canonical form ("::ffff:1.2.3.4" style for mapped v6).
  std::string ToString() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::kV4;
  std::array<uint8_t, 16> bytes_{};
};

struct Subnet {
  IpAddress base;
  uint8_t prefix_length = 0;

  // "10.0.0.0/8", "fd7a:115c:a1e0::/48"; host bits are cleared.
  static std::optional<Subnet> Parse(std::string_view text);
  static Subnet Of(const IpAddress& address, uint8_t prefix_length);
  bool Contains(const IpAddress& address) const;
  std::string ToString() const;

  auto operator<=>(const Subnet&) const = default;
};

// Tailscale assigns node addresses from these ranges (Headscale's defaults are the same).
bool IsTailnetAddress(const IpAddress& address);

}  // namespace peerscout
