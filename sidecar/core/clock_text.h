// Timestamps as the API and logs write them.
#pragma once

#include <string>

#include "sidecar/core/observation.h"

namespace peerscout {

// RFC 3339 in UTC with milliseconds: "2026-11-23T15:07:11.123Z".
std::string FormatTimestamp(Clock::time_point time);

}  // namespace peerscout
