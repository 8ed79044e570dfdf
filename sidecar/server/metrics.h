// /metrics: the Prometheus text exposition format.
#pragma once

#include <string>
#include <vector>

#include "sidecar/core/peer.h"
#include "sidecar/core/source_status.h"
#include "sidecar/server/telemetry.h"

namespace peerscout {

std::string RenderMetrics(const PeerSet& peers, const std::vector<SourceStatus>& sources,
                          const Telemetry& telemetry);

}  // namespace peerscout
