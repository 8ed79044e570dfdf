// Timestamps as the API and logs write them, and ages as people read them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sidecar/core/observation.h"

namespace peerscout {

// RFC 3339 in UTC with milliseconds: "2026-11-23T15:07:11.123Z".
std::string FormatTimestamp(Clock::time_point time);

// RFC 3339 as Go and protojson write it: "2026-11-23T15:07:11Z", with 0-9 fraction digits,
// "Z" or a "+hh:mm" offset. Go's zero time ("0001-01-01T00:00:00Z", "never") and anything
// that does not parse give nothing.
std::optional<Clock::time_point> ParseTimestamp(std::string_view text);

// How long ago, in its largest unit, rounded down: "12s ago", "3m ago", "5h ago", "2d ago".
// Under a second, or in the future (another host's clock), is "now".
std::string FormatAgo(Clock::duration elapsed);

}  // namespace peerscout
