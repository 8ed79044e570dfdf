#include "sidecar/net/endpoint.h"

#include <charconv>

namespace peerscout {

std::string_view TransportName(Transport transport) {
  switch (transport) {
    case Transport::kNone:
      return "";
    case Transport::kTcp:
      return "tcp";
    case Transport::kUdp:
      return "udp";
    case Transport::kQuicV1:
      return "quic-v1";
  }
  return "";
}

std::string Endpoint::HostText() const {
  if (const IpAddress* address = ip()) return address->ToString();
  return name()->name.ToString();
}

std::string Endpoint::ToMultiaddr() const {
  std::string text;
  if (const IpAddress* address = ip()) {
    text = (address->is_v4() ? "/ip4/" : "/ip6/") + address->ToString();
  } else {
    static constexpr std::string_view kPrefixes[] = {"/dns/", "/dns4/", "/dns6/"};
    text = std::string(kPrefixes[static_cast<int>(name()->family)]) + name()->name.ToString();
  }
  if (!has_port()) return text;
  text += transport == Transport::kTcp ? "/tcp/" : "/udp/";
  text += std::to_string(port);
  if (transport == Transport::kQuicV1) text += "/quic-v1";
  return text;
}

std::string Endpoint::ToHostPort() const {
  std::string host = HostText();
  const IpAddress* address = ip();
  if (!has_port()) return host;
  if (address && address->is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

ErrorOr<uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return ErrorOr<uint16_t>::Error("port is not a decimal number");
  }
  if (value == 0 || value > 65535) return ErrorOr<uint16_t>::Error("port out of range 1-65535");
  return static_cast<uint16_t>(value);
}

ErrorOr<Endpoint> ParseHostPort(std::string_view text) {
  std::string_view host_text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return ErrorOr<Endpoint>::Error("expected [ipv6]:port");
    }
    host_text = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    auto address = IpAddress::Parse(host_text);
    if (!address || !address->is_v6()) {
      return ErrorOr<Endpoint>::Error("not an IPv6 address inside brackets");
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return ErrorOr<Endpoint>::Error("missing :port");
    host_text = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host_text.find(':') != std::string_view::npos) {
      return ErrorOr<Endpoint>::Error("an IPv6 address needs brackets: [addr]:port");
    }
  }
  auto port = ParsePort(port_text);
  if (!port) return ErrorOr<Endpoint>::Error(port.error());
  Endpoint endpoint;
  endpoint.port = *port;
  endpoint.transport = Transport::kTcp;
  if (auto address = IpAddress::Parse(host_text)) {
    endpoint.host = *address;
    return endpoint;
  }
  auto name = DnsName::Parse(host_text);
  if (!name) return ErrorOr<Endpoint>::Error(name.error());
  endpoint.host = HostName{*name, NameFamily::kAny};
  return endpoint;
}

}  // namespace peerscout
