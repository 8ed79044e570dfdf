#include "sidecar/system/stop_event.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <stop_token>
#include <thread>

namespace peerscout {
namespace {

TEST(StopEventTest, BecomesReadableWhenStopIsRequested) {
  std::stop_source source;
  StopEvent event(source.get_token());
  pollfd waiting{event.fd(), POLLIN, 0};
  EXPECT_EQ(poll(&waiting, 1, 0), 0);
  source.request_stop();
  EXPECT_EQ(poll(&waiting, 1, 0), 1);
}

// A source thread ends its wait (and its StopEvent) while the main thread requests stop: the
// descriptor must outlive the write the stop makes to it. ThreadSanitizer (scripts/sanitize.sh)
// reports the write to a closed descriptor this loop provoked before the fix.
TEST(StopEventTest, EndingWhileStopIsRequestedElsewhere) {
  for (int round = 0; round < 200; ++round) {
    std::stop_source source;
    std::thread stopper([&source] { source.request_stop(); });
    { StopEvent event(source.get_token()); }
    stopper.join();
  }
}

}  // namespace
}  // namespace peerscout
