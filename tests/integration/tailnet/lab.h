// A real tailnet for a test: Headscale and tailscaled nodes in network namespaces, made by
// lab.sh beside this file and torn down when the Lab goes out of scope.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/integration/lab_script.h"
#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {

class Lab {
 public:
  struct Versions {
    // Initialised, so that callers may leave out the last ones or name one (.tun = "kernel").
    std::string tailscale{};  // empty: lab.sh's default
    std::string headscale{};
    std::string policy_mode{};  // empty: file
    std::string tun{};          // empty: userspace networking; "kernel": tailscale0 (lab.sh --tun)
  };

  // Brings up `nodes` nodes; check ok() (and error()) before use.
  Lab(const TestDirectory& directory, int nodes, const Versions& versions);
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // lab.sh SUBCOMMAND DIR ARGS...; re-reads lab.env afterwards.
  ProcessResult Run(const std::string& subcommand, const std::vector<std::string>& args = {});
  // A value of lab.env: "NODE2_IP4", "TAILSCALE_BIN".
  std::string Get(const std::string& key) const { return lab_.Get(key); }
  std::string Node(int k, const std::string& what) const {
    return Get("NODE" + std::to_string(k) + "_" + what);
  }
  // A command prefix that runs inside node k's network and mount namespaces, which outlive
  // its tailscaled.
  std::vector<std::string> InNode(int k) const;

 private:
  LabScript lab_;
  std::string error_;
};

}  // namespace peerscout::testing
