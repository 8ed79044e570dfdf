#include "sidecar/core/clock_text.h"

#include <ctime>

namespace peerscout {

std::string FormatTimestamp(Clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  if (millis % 1000 < 0) --seconds;  // floor for times before the epoch
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ",
                static_cast<int>(((millis % 1000) + 1000) % 1000));
  return std::string(buffer, length) + fraction;
}

}  // namespace peerscout
