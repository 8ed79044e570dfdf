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
#include "sidecar/option/option.h"
#include "sidecar/tailnet/app_tags.h"

namespace peerscout {

struct TailnetNode {
  std::string_view id;
  std::string_view hostname;
  const std::vector<std::string>& tags;
  const std::vector<std::string>& addresses;  // bare IPs, as the control plane lists them
};

// The two options every tailnet source takes, with one help text.
inline constexpr OptionSpec kTagPrefixOption{
    "tag_prefix",
    OptionKind::kString,
    "exo",
    "Tags tag:<prefix>-peer-<id> / tag:<prefix>-port-<port> (or tag:<prefix>_peer_id=<id> / "
    "tag:<prefix>_port=<port>) give a node's app peer id and port; default: the app's.",
    {},
    false,
    AppField::kTagPrefix};
inline constexpr OptionSpec kAppPortOption{
    "app_port",
    OptionKind::kInteger,
    "",
    "The app's port on nodes whose tags carry none; unset (and no app default): such nodes "
    "are listed as hosts, without a port.",
    {},
    false,
    AppField::kAppPort};

struct TailnetAppOptions {
  std::string tag_prefix;
  std::optional<uint16_t> app_port;
};

// Reads and checks them; a refusal names the key.
struct OptionProblem {
  std::string_view key;
  std::string reason;
};
ErrorOr<TailnetAppOptions> ReadTailnetAppOptions(const OptionValues& values,
                                                 OptionProblem& problem);

// Fills `observation`'s tags, identity (peer id, node id, hostname) and addresses: with the
// port of the node's port tag, else `app_port`, else none (a host). Returns the app tags read;
// an observation with no address is left without any, and said so in `issues`.
AppTags ReadTailnetNode(const TailnetNode& node, std::string_view tag_prefix,
                        std::optional<uint16_t> app_port, const std::string& origin,
                        Observation& observation, std::vector<SourceIssue>& issues);

}  // namespace peerscout
