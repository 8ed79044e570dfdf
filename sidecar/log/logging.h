// Logs: spdlog to stderr, as text or JSON lines. Messages are escaped by the formatter, so a
// hostile hostname or TXT record cannot forge a log line, whatever the call site passes.
#pragma once

#include <string>
#include <string_view>

#include "sidecar/config/config.h"

namespace peerscout {

void ConfigureLogging(const LogConfig& config);

// Control characters as \n, \t, \xNN; the rest unchanged.
std::string EscapeControl(std::string_view text);

}  // namespace peerscout
