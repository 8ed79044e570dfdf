// Starting the app as our child and telling how it ended, for `peerscout exec` when it stays
// to restart the app (with --restart never it becomes the app instead).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "sidecar/base/error_or.h"

namespace peerscout::cli {

// Starts argv[0] (searched in PATH) with exactly `environment` (see SpawnProgram).
ErrorOr<pid_t> SpawnChild(const std::vector<std::string>& argv,
                          const std::vector<std::string>& environment);

// Replaces this process with argv[0]: returns only on failure, with the exit code to use
// (127: not found, 126: not runnable), after saying why on stderr.
int ExecChild(const std::vector<std::string>& argv, const std::vector<std::string>& environment);

// A shell's exit code for a waitpid status: the code, or 128 + the signal.
int ExitCodeOf(int wait_status);

// "TERM", "SIGTERM" or "15"; 0 when it names no signal.
int ParseSignal(std::string_view text);

}  // namespace peerscout::cli
