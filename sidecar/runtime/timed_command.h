// Runs a command without a shell, bounded in time, keeping the end of what it printed: the
// command of a [[template]].
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "sidecar/option/duration.h"

namespace peerscout {

struct CommandResult {
  bool ok = false;               // exited 0
  std::optional<int> exit_code;  // when it exited by itself
  // "exited 3", "killed by signal 9", "timed out after 1s", "could not start: <reason>".
  std::string status;
  std::string output_tail;  // the last `tail_bytes` of its stdout and stderr, interleaved
};

// Past `timeout` (or on a stop request) its process group gets SIGTERM, and SIGKILL after a
// short grace. It runs in a process group of its own, so a shell's children go with it.
CommandResult RunTimedCommand(const std::vector<std::string>& argv, Duration timeout,
                              std::stop_token stop, size_t tail_bytes = 2048);

}  // namespace peerscout
