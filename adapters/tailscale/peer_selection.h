// Which tailnet nodes become peers, and how their app is found: the tailscale source's
// options that do not concern I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace peerscout::tailscale {

struct PeerSelection {
  bool online_only = true;
  std::vector<std::string> tags;  // any of; empty: every node
  std::vector<std::string> os;    // any of, case-insensitive; empty: every OS
  std::string hostname;           // a glob on the OS hostname; empty: every node
  bool include_shared = false;    // nodes shared in from another tailnet
  std::string tag_prefix = "exo";
  // The app's port on nodes whose tags carry none; unset: such a node is listed as a host.
  std::optional<uint16_t> app_port;
};

}  // namespace peerscout::tailscale
