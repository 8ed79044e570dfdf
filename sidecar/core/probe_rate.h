// A token bucket for probes sent to other hosts: at most `per_second` a second, with a burst
// of one second's worth. Pure: time is an argument.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace peerscout {

class ProbeRate {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit ProbeRate(uint32_t per_second) : per_second_(per_second) {}

  // True, and one token fewer, when a probe may go now.
  bool Take(TimePoint now);
  // When the next token comes, if the bucket is empty: a due probe waits for it rather than
  // spinning.
  std::optional<TimePoint> Refill() const;

 private:
  uint32_t per_second_;
  double tokens_ = 0;
  std::optional<TimePoint> refilled_;
};

}  // namespace peerscout
