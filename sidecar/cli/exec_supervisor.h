// `peerscout exec --restart on-change|on-add`: the app runs as our child; a new peer list that
// the policy says matters restarts it (after the debounce, with the kill signal, then SIGKILL
// after the kill timeout); signals we get are passed on; its exit is ours.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "sidecar/cli/peer_list_client.h"
#include "sidecar/cli/restart_policy.h"

namespace peerscout::cli {

struct SupervisorOptions {
  RestartPolicy restart = RestartPolicy::kNever;
  std::chrono::milliseconds wait_min{5000};
  std::chrono::milliseconds wait_max{20000};
  int kill_signal = SIGTERM;
  std::chrono::milliseconds kill_timeout{30000};
};

// The child's whole environment for a set of the list's variables.
using EnvironmentFor = std::function<std::vector<std::string>(const EnvValues& values)>;

// Runs the app until it exits on its own (or after a signal we passed on); its exit code.
int Supervise(const std::string& socket, const std::vector<EnvSpec>& specs,
              const std::vector<std::string>& command, const EnvironmentFor& environment,
              const SupervisorOptions& options, ListValues first);

}  // namespace peerscout::cli
