// What both tailnet sources (tailscaled's status, Headscale's node list) make of one node: its
// tags checked, the app identity they carry, and its tailnet addresses, each problem an issue.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/observation.h"
#include "sidecar/core/snapshot.h"
#include "sidecar/net/app_tags.h"

namespace peerscout {

struct TailnetNode {
  std::string_view id;
  std::string_view hostname;
  const std::vector<std::string>& tags;
  const std::vector<std::string>& addresses;  // bare IPs, as the control plane lists them
};

// Fills `observation`'s tags, identity (peer id, node id, hostname) and addresses: with the
// port of the node's port tag, else `app_port`, else none (a host). Returns the app tags read;
// an observation with no address is left without any, and said so in `issues`.
AppTags ReadTailnetNode(const TailnetNode& node, std::string_view tag_prefix,
                        std::optional<uint16_t> app_port, const std::string& origin,
                        Observation& observation, std::vector<SourceIssue>& issues);

}  // namespace peerscout
