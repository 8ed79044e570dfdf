// Which Headscale nodes become peers, and how their app is found.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace peerscout::headscale {

struct NodeSelection {
  std::string tag_prefix = "exo";
  // Lists nodes with this tag even without a peer-id or port tag; empty: only nodes with one
  // of those are listed.
  std::string member_tag;
  bool online_only = true;
  std::string user;                  // only this user's nodes; empty: every user
  std::optional<uint16_t> app_port;  // for nodes without a port tag
};

}  // namespace peerscout::headscale
