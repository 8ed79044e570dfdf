// Hosts joined by unicast only, as on a tailnet: network namespaces on one bridge whose exo
// multicast stays on each host (lab.sh beside this file), and test peers that speak exo's
// discovery protocol (tests/peers/exo_discovery_peer.py, tests/integration/exo_peer.h) inside
// them. Torn down when the
// ExoLab goes out of scope.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/exo_peer.h"  // ExoPeer, ExoEvent, Linked
#include "tests/integration/lab_script.h"
#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {

class ExoLab {
 public:
  // Why no lab can be made here (not root, a missing binary), or empty. Tests skip on it, or
  // fail when IntegrationRequired().
  static std::string Unavailable();
  // The path of lab.sh.
  static std::string Script();

  // Brings up `hosts` hosts (1..8); check ok() (and error()) before use.
  ExoLab(const TestDirectory& directory, int hosts);
  ~ExoLab();
  ExoLab(const ExoLab&) = delete;
  ExoLab& operator=(const ExoLab&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // A value of lab.env: "HOSTS", "HOST2_IP6".
  std::string Get(const std::string& key) const { return lab_.Get(key); }
  // Host k's value of lab.env: Host(1, "IP6") is HOST1_IP6 (fd00:e0::1).
  std::string Host(int k, const std::string& what) const {
    return Get("HOST" + std::to_string(k) + "_" + what);
  }
  // A command prefix that runs inside host k's network, mount and uts namespaces.
  std::vector<std::string> InHost(int k) const;
  // The same, then as nobody (uid and gid 65534) with no capabilities at all: none effective,
  // permitted, inheritable or ambient, an empty bounding set, and no_new_privs.
  std::vector<std::string> InHostUnprivileged(int k) const;

 private:
  LabScript lab_;
  std::string error_;
  bool up_ = false;
};

}  // namespace peerscout::testing
