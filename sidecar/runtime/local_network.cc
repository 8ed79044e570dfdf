#include "sidecar/runtime/local_network.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace peerscout {
namespace {

std::optional<IpAddress> FromSockaddr(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
    return IpAddress::V4(bytes);
  }
  if (address->sa_family == AF_INET6) {
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
    return IpAddress::V6(bytes);
  }
  return std::nullopt;
}

uint8_t PrefixLength(const IpAddress& mask) {
  int bits = 0;
  for (size_t i = 0; i < mask.size(); ++i) bits += std::popcount(mask.bytes()[i]);
  return static_cast<uint8_t>(bits);
}

}  // namespace

LocalNetwork ReadLocalNetwork() {
  LocalNetwork network;
  ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) != 0) return network;
  for (const ifaddrs* entry = interfaces; entry != nullptr; entry = entry->ifa_next) {
    if ((entry->ifa_flags & IFF_UP) == 0) continue;
    auto address = FromSockaddr(entry->ifa_addr);
    if (!address) continue;
    if (std::find(network.self.addresses.begin(), network.self.addresses.end(), *address) ==
        network.self.addresses.end()) {
      network.self.addresses.push_back(*address);
    }
    auto mask = FromSockaddr(entry->ifa_netmask);
    if (!mask || address->is_loopback() || address->is_link_local() || IsTailnetAddress(*address)) {
      continue;
    }
    const Subnet subnet = Subnet::Of(*address, PrefixLength(*mask));
    auto& subnets = network.view.local_subnets;
    if (std::find(subnets.begin(), subnets.end(), subnet) == subnets.end()) {
      subnets.push_back(subnet);
    }
  }
  freeifaddrs(interfaces);
  std::sort(network.self.addresses.begin(), network.self.addresses.end());
  std::sort(network.view.local_subnets.begin(), network.view.local_subnets.end());
  return network;
}

}  // namespace peerscout
