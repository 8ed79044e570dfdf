// Where a peer can be reached: a host (address or name), and optionally a port and transport.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "sidecar/base/error_or.h"
#include "sidecar/net/dns_name.h"
#include "sidecar/net/ip_address.h"

namespace peerscout {

enum class Transport : uint8_t { kNone, kTcp, kUdp, kQuicV1 };
std::string_view TransportName(Transport transport);

// Which address families a name may resolve to, as /dns, /dns4 and /dns6 say.
enum class NameFamily : uint8_t { kAny, kV4, kV6 };

struct HostName {
  DnsName name;
  NameFamily family = NameFamily::kAny;
  auto operator<=>(const HostName&) const = default;
};

using Host = std::variant<IpAddress, HostName>;

struct Endpoint {
  Host host;
  // 0 with Transport::kNone: only the host is known (a tailnet node without an app port).
  uint16_t port = 0;
  Transport transport = Transport::kNone;

  bool has_port() const { return transport != Transport::kNone; }
  const IpAddress* ip() const { return std::get_if<IpAddress>(&host); }
  const HostName* name() const { return std::get_if<HostName>(&host); }

  // "/ip4/10.0.0.2/tcp/52416", "/dns4/exo-2/udp/5/quic-v1", "/ip6/::1" (no port).
  std::string ToMultiaddr() const;
  // "10.0.0.2:52416", "[fd7a::1]:52416", "exo-2:30000"; the bare host without a port.
  std::string ToHostPort() const;
  std::string HostText() const;

  auto operator<=>(const Endpoint&) const = default;
};

// "host:port" or "[v6]:port"; the transport is TCP, what bootstrap lists of this form mean.
ErrorOr<Endpoint> ParseHostPort(std::string_view text);
ErrorOr<uint16_t> ParsePort(std::string_view text);

}  // namespace peerscout
