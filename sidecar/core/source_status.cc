#include "sidecar/core/source_status.h"

#include <algorithm>

namespace peerscout {

bool AllReported(const std::vector<SourceStatus>& sources) {
  return std::all_of(sources.begin(), sources.end(), [](const SourceStatus& source) {
    return !source.enabled || source.reported();
  });
}

std::map<std::string, size_t> PeersPerSource(const std::vector<Peer>& peers) {
  std::map<std::string, size_t> counts;
  for (const Peer& peer : peers) {
    for (const std::string& source : peer.sources) ++counts[source];
  }
  return counts;
}

}  // namespace peerscout
