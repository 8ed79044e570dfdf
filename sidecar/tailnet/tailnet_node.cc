#include "sidecar/tailnet/tailnet_node.h"

namespace peerscout {

ErrorOr<TailnetAppOptions> ReadTailnetAppOptions(const OptionValues& values,
                                                 OptionProblem& problem) {
  TailnetAppOptions options;
  auto prefix = CheckTagPrefix(values.Get<std::string>(kTagPrefixOption.key));
  if (!prefix) {
    problem = {kTagPrefixOption.key, prefix.error()};
    return ErrorOr<TailnetAppOptions>::Error(problem.reason);
  }
  options.tag_prefix = *prefix;
  if (values.Has(kAppPortOption.key)) {
    const int64_t port = values.Get<int64_t>(kAppPortOption.key);
    if (port < 1 || port > 65535) {
      problem = {kAppPortOption.key, "must be 1-65535"};
      return ErrorOr<TailnetAppOptions>::Error(problem.reason);
    }
    options.app_port = static_cast<uint16_t>(port);
  }
  return options;
}

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
