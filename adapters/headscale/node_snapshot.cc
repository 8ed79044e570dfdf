#include "adapters/headscale/node_snapshot.h"

#include <algorithm>

#include "sidecar/core/clock_text.h"
#include "sidecar/tailnet/app_tags.h"
#include "sidecar/tailnet/tailnet_node.h"

namespace peerscout::headscale {
namespace {

std::string Origin(const Node& node) {
  return "node " + (node.name.empty() ? std::string("?") : node.name) + " (" + node.id + ")";
}

bool Expired(const Node& node, Clock::time_point now) {
  const std::optional<Clock::time_point> expiry = ParseTimestamp(node.expiry);
  return expiry && *expiry <= now;
}

// What the parser left out of a node for its size, one issue per field.
void ReportOversized(const Node& node, std::vector<SourceIssue>& issues) {
  for (const std::string& field : node.oversized) {
    issues.push_back({field, Origin(node), "longer than the parser keeps (1024 bytes); left out"});
  }
}

// A tag too long to read may be the app tag that would have listed the node.
bool TagLeftOut(const Node& node) {
  return std::any_of(node.oversized.begin(), node.oversized.end(), [](const std::string& field) {
    return field == "tags" || field == "forcedTags" || field == "validTags";
  });
}

void AddNode(const Node& node, const NodeSelection& selection, Clock::time_point now,
             Snapshot& snapshot) {
  const std::string origin = Origin(node);
  Observation observation;
  std::vector<SourceIssue> issues;
  ReportOversized(node, issues);
  const AppTags app =
      ReadTailnetNode({node.id, node.name, node.tags, node.ip_addresses}, selection.tag_prefix,
                      selection.app_port, origin, observation, issues);
  const bool member =
      !selection.member_tag.empty() && std::find(observation.tags.begin(), observation.tags.end(),
                                                 selection.member_tag) != observation.tags.end();
  // Nodes that are not the app's stay out, and so do their problems; a refused app tag is
  // reported, since it is why its node is missing, and so is a tag too long to read.
  if (!app.peer_id && !app.port && !member && app.refused.empty() && !TagLeftOut(node)) return;
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
    if (node.id.empty()) {
      ReportOversized(node, snapshot.issues);  // an id too long to keep: the node is missing
      continue;
    }
    if (!selection.user.empty() && node.user != selection.user) continue;
    AddNode(node, selection, now, snapshot);
  }
  return snapshot;
}

}  // namespace peerscout::headscale
