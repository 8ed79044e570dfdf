#include "sidecar/core/reachability.h"

namespace peerscout {

std::string_view ProbeKindName(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kTcpConnect:
      return "tcp-connect";
    case ProbeKind::kExoDiscovery:
      return "exo-discovery";
  }
  return "tcp-connect";
}

}  // namespace peerscout
