#include "sidecar/core/peer.h"

namespace peerscout {

std::string_view AddressKindName(AddressKind kind) {
  switch (kind) {
    case AddressKind::kLan:
      return "lan";
    case AddressKind::kTailnetDirect:
      return "tailnet-direct";
    case AddressKind::kTailnet:
      return "tailnet";
    case AddressKind::kTailnetRelayed:
      return "tailnet-relayed";
    case AddressKind::kOther:
      return "other";
    case AddressKind::kDns:
      return "dns";
  }
  return "other";
}

}  // namespace peerscout
