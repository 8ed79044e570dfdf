#include "sidecar/net/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace peerscout {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton needs a NUL-terminated string; longer input cannot be an address.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, buffer, bytes.data()) == 1) {
    return V4({bytes[0], bytes[1], bytes[2], bytes[3]});
  }
  if (inet_pton(AF_INET6, buffer, bytes.data()) == 1) return V6(bytes);
  return std::nullopt;
}

IpAddress IpAddress::V4(std::array<uint8_t, 4> bytes) {
  IpAddress address;
  address.family_ = Family::kV4;
  std::memcpy(address.bytes_.data(), bytes.data(), 4);
  return address;
}

IpAddress IpAddress::V6(std::array<uint8_t, 16> bytes) {
  IpAddress address;
  address.family_ = Family::kV6;
  address.bytes_ = bytes;
  return address;
}

bool IpAddress::is_loopback() const {
  if (is_v4()) return bytes_[0] == 127;
  static constexpr std::array<uint8_t, 16> kLoopback{0, 0, 0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kLoopback;
}

bool IpAddress::is_unspecified() const {
  for (size_t i = 0; i < size(); ++i) {
    if (bytes_[i] != 0) return false;
  }
  return true;
}

bool IpAddress::is_link_local() const {
  if (is_v4()) return bytes_[0] == 169 && bytes_[1] == 254;
  return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

bool IpAddress::is_multicast() const {
  if (is_v4()) return (bytes_[0] & 0xf0) == 0xe0;
  return bytes_[0] == 0xff;
}

std::string IpAddress::ToString() const {
  if (is_v4()) {
    // Dotted quad without inet_ntop's printf: renderers print every address of every peer.
    char text[16];
    char* end = text;
    for (int i = 0; i < 4; ++i) {
      if (i > 0) *end++ = '.';
      end = std::to_chars(end, text + sizeof text, bytes_[i]).ptr;
    }
    return std::string(text, end);
  }
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer);
  return buffer;
}

std::optional<Subnet> Subnet::Parse(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto base = IpAddress::Parse(text.substr(0, slash));
  if (!base) return std::nullopt;
  const std::string_view length_text = text.substr(slash + 1);
  unsigned length = 0;
  auto [end, error] =
      std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (error != std::errc() || end != length_text.data() + length_text.size() ||
      length_text.empty() || length > base->size() * 8) {
    return std::nullopt;
  }
  return Of(*base, static_cast<uint8_t>(length));
}

Subnet Subnet::Of(const IpAddress& address, uint8_t prefix_length) {
  std::array<uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), address.bytes(), address.size());
  for (size_t bit = prefix_length; bit < address.size() * 8; ++bit) {
    bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  IpAddress base = address.is_v4() ? IpAddress::V4({bytes[0], bytes[1], bytes[2], bytes[3]})
                                   : IpAddress::V6(bytes);
  return Subnet{base, prefix_length};
}

bool Subnet::Contains(const IpAddress& address) const {
  if (address.family() != base.family()) return false;
  return Of(address, prefix_length).base == base;
}

std::string Subnet::ToString() const {
  return base.ToString() + "/" + std::to_string(prefix_length);
}

bool IsTailnetAddress(const IpAddress& address) {
  static const Subnet kCgnat = *Subnet::Parse("100.64.0.0/10");
  static const Subnet kTailnetUla = *Subnet::Parse("fd7a:115c:a1e0::/48");
  return kCgnat.Contains(address) || kTailnetUla.Contains(address);
}

}  // namespace peerscout
