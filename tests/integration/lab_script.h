// What the network-namespace labs' C++ halves (tailnet/lab.h, lan/lan_lab.h) share: a lab.sh run
// on one lab directory, and the lab.env (KEY=VALUE) it leaves there.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {

class LabScript {
 public:
  // `script` is the path of a lab.sh; each subcommand but down may take up to `timeout`.
  LabScript(std::string script, std::string directory, std::chrono::seconds timeout);

  // lab.sh up DIRECTORY ARGS..., then reads lab.env; "" on success, else why it failed.
  std::string Up(const std::vector<std::string>& args);
  // lab.sh SUBCOMMAND DIRECTORY ARGS...; re-reads lab.env afterwards.
  ProcessResult Run(const std::string& subcommand, const std::vector<std::string>& args = {});
  // lab.sh down DIRECTORY.
  void Down() const;
  // A value of lab.env, or "" when it has no such key.
  std::string Get(const std::string& key) const;

 private:
  ProcessResult Call(const std::string& subcommand, const std::vector<std::string>& args);
  // lab.env's keys get their new values; keys it no longer has keep theirs.
  void ReadEnv();

  std::string script_;
  std::string directory_;
  std::chrono::seconds timeout_;
  std::map<std::string, std::string> env_;
};

// Whether `name` is an executable in PATH or in the sbin directories the lab scripts add to it.
bool HaveCommand(const std::string& name);

}  // namespace peerscout::testing
