// Runs a command without a shell and captures what it prints: the CLI mode's
// `tailscale status --json`.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>
#include <vector>

#include "sidecar/base/error_or.h"

namespace peerscout::tailscale {

// Its standard output when it exits 0 within `timeout` and prints at most `max_bytes`; else
// why not (the exit code and the first line of its standard error). Killed on a timeout, an
// oversized output (`*too_large` set, for the fault count) or a stop request.
ErrorOr<std::string> CommandOutput(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout, size_t max_bytes,
                                   std::stop_token stop, bool* too_large = nullptr);

// Whether `program` names an executable, as execvp would find it.
bool FindExecutable(const std::string& program);

}  // namespace peerscout::tailscale
