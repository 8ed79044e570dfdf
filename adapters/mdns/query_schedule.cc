#include "adapters/mdns/query_schedule.h"

#include <algorithm>

namespace peerscout::mdns {

void QuerySchedule::Sent(Clock::time_point now) {
  last_ = now;
  next_ = now + std::min(gap_, interval_);
  gap_ = std::min(gap_ * 2, interval_);
}

void QuerySchedule::Hurry(Clock::time_point now) {
  next_ = std::min(next_, std::max(now, last_ + kMinimumGap));
}

}  // namespace peerscout::mdns
