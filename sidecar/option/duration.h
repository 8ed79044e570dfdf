// Durations as configs and query strings write them: "250ms", "30s", "5m", "1h30m".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"

namespace peerscout {

using Duration = std::chrono::nanoseconds;

// Go's time.ParseDuration units (ns, us, ms, s, m, h); every number needs a unit, except "0".
ErrorOr<Duration> ParseDuration(std::string_view text);
std::string FormatDuration(Duration duration);

}  // namespace peerscout
