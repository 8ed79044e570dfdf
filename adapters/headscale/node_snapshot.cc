#include "adapters/headscale/node_snapshot.h"

#include <algorithm>

#include "sidecar/core/clock_text.h"
#include "sidecar/core/tailnet_node.h"
#include "sidecar/net/app_tags.h"

namespace peerscout::headscale {
namespace {

std::string Origin(const Node& node) {
  return "node " + (node.name.empty() ? std::string("?") : node.name) + " (" + node.id + ")";
}

bool Expired(const Node& node, Clock::time_point now) {
  const std::optional<Clock::time_point> expiry = ParseTimestamp(node.expiry);
  return expiry && *expiry <= now;
}

void AddNode(const Node& node, const NodeSelection& selection, Clock::time_point now,
             Snapshot& snapshot) {
  const std::string origin = Origin(node);
  Observation observation;
  std::vector<SourceIssue> issues;
  const AppTags app =
      ReadTailnetNode({node.id, node.name, node.tags, node.ip_addresses}, selection.tag_prefix,
                      selection.app_port, origin, observation, issues);
  const bool member =
      !selection.member_tag.empty() && std::find(observation.tags.begin(), observation.tags.end(),
                                                 selection.member_tag) != observation.tags.end();
  // Nodes that are not the app's stay out, and so do their problems; a refused app tag is
  // reported, since it is why its node is missing.
  if (!app.peer_id && !app.port && !member && app.refused.empty()) return;
  snapshot.issues.insert(snapshot.issues.end(), issues.begin(), issues.end());
  if (!app.peer_id && !app.port && !member) return;
  const bool online = node.online && !Expired(node, now);
  if (selection.online_only && !online) return;
  if (observation.addresses.empty()) return;
  observation.online = online;
  snapshot.observations.push_back(std::move(observation));
}

}  // namespace

Snapshot SnapshotFromNodes(const NodeList& list, const NodeSelection& selection,
                           Clock::time_point now) {
  Snapshot snapshot;
  snapshot.details["api"] = std::string(GenerationName(list.generation));
  for (const Node& node : list.nodes) {
    if (node.id.empty()) continue;
    if (!selection.user.empty() && node.user != selection.user) continue;
    AddNode(node, selection, now, snapshot);
  }
  return snapshot;
}

}  // namespace peerscout::headscale
