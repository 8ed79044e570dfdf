#include "sidecar/net/multiaddr.h"

#include <vector>

namespace peerscout {
namespace {

using Result = ErrorOr<Multiaddr>;

std::vector<std::string_view> SplitComponents(std::string_view text) {
  std::vector<std::string_view> parts;
  text.remove_prefix(1);  // the leading '/'
  while (true) {
    const size_t slash = text.find('/');
    parts.push_back(text.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    text.remove_prefix(slash + 1);
  }
}

ErrorOr<Host> ParseHost(std::string_view protocol, std::string_view value) {
  if (protocol == "ip4" || protocol == "ip6") {
    auto address = IpAddress::Parse(value);
    if (!address || address->is_v4() != (protocol == "ip4")) {
      return ErrorOr<Host>::Error("/" + std::string(protocol) + " value is not an IPv" +
                                  (protocol == "ip4" ? "4" : "6") + " address");
    }
    return Host{*address};
  }
  NameFamily family;
  if (protocol == "dns") {
    family = NameFamily::kAny;
  } else if (protocol == "dns4") {
    family = NameFamily::kV4;
  } else if (protocol == "dns6") {
    family = NameFamily::kV6;
  } else {
    return ErrorOr<Host>::Error("unsupported protocol /" + std::string(protocol) +
                                " (expected /ip4, /ip6, /dns, /dns4 or /dns6)");
  }
  auto name = DnsName::Parse(value);
  if (!name) return ErrorOr<Host>::Error(name.error());
  return Host{HostName{*name, family}};
}

}  // namespace

Result Multiaddr::Parse(std::string_view text) {
  if (text.empty() || text.front() != '/') return Result::Error("a multiaddr starts with '/'");
  const std::vector<std::string_view> parts = SplitComponents(text);
  for (std::string_view part : parts) {
    if (part.empty()) return Result::Error("empty component (double or trailing '/')");
  }
  if (parts.size() < 2) return Result::Error("missing host value");
  auto host = ParseHost(parts[0], parts[1]);
  if (!host) return Result::Error(host.error());
  Multiaddr result;
  result.endpoint.host = *host;
  size_t next = 2;
  if (next >= parts.size() || (parts[next] != "tcp" && parts[next] != "udp")) {
    return Result::Error("missing /tcp or /udp port after the host");
  }
  if (next + 1 >= parts.size()) return Result::Error("missing port value");
  auto port = ParsePort(parts[next + 1]);
  if (!port) return Result::Error(port.error());
  result.endpoint.port = *port;
  result.endpoint.transport = parts[next] == "tcp" ? Transport::kTcp : Transport::kUdp;
  next += 2;
  if (result.endpoint.transport == Transport::kUdp && next < parts.size() &&
      parts[next] == "quic-v1") {
    result.endpoint.transport = Transport::kQuicV1;
    ++next;
  }
  if (next < parts.size() && parts[next] == "p2p") {
    if (next + 1 >= parts.size()) return Result::Error("missing peer id after /p2p");
    auto id = PeerId::Parse(parts[next + 1]);
    if (!id) return Result::Error(id.error());
    result.peer_id = *id;
    next += 2;
  }
  if (next < parts.size()) {
    return Result::Error("unexpected component /" + std::string(parts[next]));
  }
  return result;
}

std::string Multiaddr::ToString() const {
  std::string text = endpoint.ToMultiaddr();
  if (peer_id) text += "/p2p/" + peer_id->ToString();
  return text;
}

}  // namespace peerscout
