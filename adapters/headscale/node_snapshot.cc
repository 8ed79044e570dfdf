#include "adapters/headscale/node_snapshot.h"

#include <algorithm>

#include "sidecar/core/clock_text.h"
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

std::vector<std::string> CheckedTags(const Node& node, const std::string& origin,
                                     Snapshot& snapshot) {
  std::vector<std::string> tags;
  for (const std::string& tag : node.tags) {
    auto checked = CheckTag(tag);
    if (checked) {
      tags.push_back(*checked);
    } else {
      snapshot.issues.push_back({tag, origin, checked.error()});
    }
  }
  return tags;
}

void AddNode(const Node& node, const NodeSelection& selection, Clock::time_point now,
             Snapshot& snapshot) {
  const std::string origin = Origin(node);
  Observation observation;
  observation.tags = CheckedTags(node, origin, snapshot);
  const AppTags app = ReadAppTags(observation.tags, selection.tag_prefix);
  for (const RefusedTag& refused : app.refused) {
    snapshot.issues.push_back({refused.tag, origin, refused.reason});
  }
  const bool member =
      !selection.member_tag.empty() && std::find(observation.tags.begin(), observation.tags.end(),
                                                 selection.member_tag) != observation.tags.end();
  if (!app.peer_id && !app.port && !member) return;
  const bool online = node.online && !Expired(node, now);
  if (selection.online_only && !online) return;
  observation.online = online;
  observation.identity.peer_id = app.peer_id;
  observation.identity.tailnet_node = node.id;
  observation.identity.hostname = node.name;
  const std::optional<uint16_t> port = app.port ? app.port : selection.app_port;
  for (const std::string& text : node.ip_addresses) {
    auto ip = IpAddress::Parse(text);
    if (!ip) {
      snapshot.issues.push_back({text, origin, "not an IP address"});
      continue;
    }
    Endpoint endpoint{*ip};
    if (port) {
      endpoint.port = *port;
      endpoint.transport = Transport::kTcp;
    }
    observation.addresses.push_back(endpoint);
  }
  if (observation.addresses.empty()) {
    snapshot.issues.push_back({node.id, origin, "node has no tailnet address"});
    return;
  }
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
