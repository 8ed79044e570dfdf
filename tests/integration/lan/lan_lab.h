// A LAN for a test: hosts in network namespaces on one bridge, each with its own system bus
// (dbus-daemon) and avahi-daemon, made by lab.sh beside this file and torn down when the LanLab
// goes out of scope.
#pragma once

#include <string>
#include <vector>

#include "tests/integration/lab_script.h"
#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {

class LanLab {
 public:
  // Why no lab can be made here (not root, a missing binary), or empty. Tests skip on it, or
  // fail when IntegrationRequired().
  static std::string Unavailable();
  // The path of lab.sh.
  static std::string Script();

  // Brings up `hosts` hosts (1..8), with avahi-daemon on each unless `avahi` is false; check
  // ok() (and error()) before use.
  LanLab(const TestDirectory& directory, int hosts, bool avahi = true);
  ~LanLab();
  LanLab(const LanLab&) = delete;
  LanLab& operator=(const LanLab&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // lab.sh SUBCOMMAND DIR ARGS...: "avahi-stop", {"2"}; re-reads lab.env afterwards.
  ProcessResult Run(const std::string& subcommand, const std::vector<std::string>& args = {});
  // A value of lab.env: "HOST2_IP4", "HOSTS".
  std::string Get(const std::string& key) const { return lab_.Get(key); }
  // Host k's value of lab.env: Host(1, "IP6") is HOST1_IP6.
  std::string Host(int k, const std::string& what) const {
    return Get("HOST" + std::to_string(k) + "_" + what);
  }
  // A command prefix that runs inside host k's network, mount and uts namespaces (its own
  // /run/dbus/system_bus_socket), which outlive its daemons.
  std::vector<std::string> InHost(int k) const;

 private:
  LabScript lab_;
  std::string error_;
  bool up_ = false;
};

}  // namespace peerscout::testing
