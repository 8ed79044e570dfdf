// One DNS-SD service instance as a backend resolved it, before anything in it is trusted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sidecar/net/ip_address.h"

namespace peerscout::mdns {

// Which announcement this is. A service seen on two interfaces or over IPv4 and IPv6 is two
// announcements of one instance (same name, type and domain).
struct ServiceKey {
  std::string name;  // the instance name: free UTF-8, as the publisher chose it
  std::string type;  // "_peerscout._tcp"
  std::string domain;
  auto operator<=>(const ServiceKey&) const = default;
};

struct ServiceInstance {
  ServiceKey key;
  std::string host;  // the SRV target, "lanhost1.local"
  std::vector<IpAddress> addresses;
  uint16_t port = 0;
  std::vector<std::string> txt;  // raw "key=value" strings
  bool operator==(const ServiceInstance&) const = default;
};

}  // namespace peerscout::mdns
