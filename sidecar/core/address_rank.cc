#include "sidecar/core/address_rank.h"

#include <algorithm>
#include <tuple>

namespace peerscout {

AddressKind ClassifyAddress(const Endpoint& endpoint, TailnetPath path, const NetworkView& view) {
  const IpAddress* ip = endpoint.ip();
  if (ip == nullptr) return AddressKind::kDns;
  if (IsTailnetAddress(*ip)) {
    switch (path) {
      case TailnetPath::kDirect:
        return AddressKind::kTailnetDirect;
      case TailnetPath::kRelayed:
        return AddressKind::kTailnetRelayed;
      case TailnetPath::kUnknown:
        return AddressKind::kTailnet;
    }
  }
  for (const Subnet& subnet : view.local_subnets) {
    if (subnet.Contains(*ip)) return AddressKind::kLan;
  }
  return AddressKind::kOther;
}

void RankAddresses(std::vector<PeerAddress>& addresses, const NetworkView& view) {
  auto family_rank = [&view](const Endpoint& endpoint) {
    const IpAddress* ip = endpoint.ip();
    if (ip == nullptr) return 0;
    return ip->is_v6() == view.prefer_ipv6 ? 0 : 1;
  };
  // Answered, then never tried, then tried in vain: a dial to what answered is likeliest to
  // succeed, whatever the path.
  auto reach_rank = [](const PeerAddress& address) {
    if (!address.reach) return 1;
    return address.reach->reachable ? 0 : 2;
  };
  auto key = [&](const PeerAddress& address) {
    return std::make_tuple(reach_rank(address), static_cast<int>(address.kind),
                           family_rank(address.endpoint), address.endpoint.has_port() ? 0 : 1,
                           -static_cast<long>(address.sources.size()));
  };
  std::sort(addresses.begin(), addresses.end(), [&](const PeerAddress& a, const PeerAddress& b) {
    const auto ka = key(a);
    const auto kb = key(b);
    if (ka != kb) return ka < kb;
    return a.endpoint < b.endpoint;
  });
}

}  // namespace peerscout
