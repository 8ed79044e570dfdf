#include "sidecar/core/probe_rate.h"

#include <algorithm>

namespace peerscout {

bool ProbeRate::Take(TimePoint now) {
  const double burst = per_second_;
  if (!refilled_) {
    tokens_ = burst;
  } else if (now > *refilled_) {
    const double elapsed = std::chrono::duration<double>(now - *refilled_).count();
    tokens_ = std::min(burst, tokens_ + elapsed * burst);
  }
  refilled_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

std::optional<ProbeRate::TimePoint> ProbeRate::Refill() const {
  if (!refilled_ || tokens_ >= 1) return std::nullopt;
  return *refilled_ + std::chrono::duration_cast<TimePoint::duration>(
                          std::chrono::duration<double>(1.0 / std::max<uint32_t>(1, per_second_)));
}

}  // namespace peerscout
