#include "sidecar/core/tailnet_node.h"

namespace peerscout {

AppTags ReadTailnetNode(const TailnetNode& node, std::string_view tag_prefix,
                        std::optional<uint16_t> app_port, const std::string& origin,
                        Observation& observation, std::vector<SourceIssue>& issues) {
  for (const std::string& tag : node.tags) {
    auto checked = CheckTag(tag);
    if (checked) {
      observation.tags.push_back(*checked);
    } else {
      issues.push_back({tag, origin, checked.error()});
    }
  }
  AppTags app = ReadAppTags(observation.tags, tag_prefix);
  for (const RefusedTag& refused : app.refused)
    issues.push_back({refused.tag, origin, refused.reason});
  observation.identity.peer_id = app.peer_id;
  observation.identity.tailnet_node = std::string(node.id);
  observation.identity.hostname = std::string(node.hostname);
  const std::optional<uint16_t> port = app.port ? app.port : app_port;
  for (const std::string& text : node.addresses) {
    auto ip = IpAddress::Parse(text);
    if (!ip) {
      issues.push_back({text, origin, "not an IP address"});
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
    issues.push_back({std::string(node.id), origin, "node has no tailnet address"});
  }
  return app;
}

}  // namespace peerscout
