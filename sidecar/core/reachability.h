// Whether an app answers at an endpoint: what a probe found, kept per endpoint and shown on
// each of a peer's addresses. Ranking and the `reachable` filters read it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include "sidecar/net/endpoint.h"

namespace peerscout {

// How the answer was had: a TCP connect to the app port ([liveness]), or the app's own
// discovery protocol (exo's WhatsUp, by the exo source).
enum class ProbeKind : uint8_t { kTcpConnect, kExoDiscovery };
std::string_view ProbeKindName(ProbeKind kind);

struct Reachability {
  bool reachable = false;
  // The probe that first found it so: it changes only when the answer does, so a steady
  // endpoint makes no new version of the list on every probe.
  std::chrono::system_clock::time_point since{};
  std::chrono::microseconds round_trip{0};  // of that probe; zero when unreachable
  ProbeKind probe = ProbeKind::kTcpConnect;

  bool operator==(const Reachability&) const = default;
};

// The prober's view, by endpoint (with port): what the merge puts on each address.
using ReachabilityMap = std::map<Endpoint, Reachability>;

}  // namespace peerscout
