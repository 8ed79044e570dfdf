#include "sidecar/server/blocking_queries.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using testing::Seen;
using SteadyClock = std::chrono::steady_clock;

class BlockingQueriesTest : public ::testing::Test {
 protected:
  BlockingQueriesTest() : registry_(Registry::Options{}), queries_(registry_, telemetry_) {
    registry_.DeclareSources({{"env", "env", true}});
    registry_.Subscribe([this](const std::shared_ptr<const PeerSet>& peers, const PeerSetDiff&) {
      queries_.OnChange(peers->version);
    });
  }

  void Change() {
    registry_.Publish("env",
                      Snapshot{{Seen().at("10.0.0." + std::to_string(++n_) + ":1")}, {}, {}, {}},
                      Clock::now());
  }

  Telemetry telemetry_;
  Registry registry_;
  BlockingQueries queries_;
  int n_ = 0;
};

TEST_F(BlockingQueriesTest, ResumedByAChangeNotByTheDeadline) {
  std::promise<void> resumed;
  queries_.Park(1, SteadyClock::now() + std::chrono::hours(1), [&] { resumed.set_value(); });
  EXPECT_EQ(queries_.parked(), 1u);
  EXPECT_EQ(telemetry_.blocking_queries_waiting.load(), 1u);
  Change();
  // The change resumes it on the changing thread, before Publish returns.
  EXPECT_EQ(resumed.get_future().wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_EQ(queries_.parked(), 0u);
}

TEST_F(BlockingQueriesTest, ResumedAtTheDeadlineWithoutAChange) {
  std::promise<void> resumed;
  queries_.Park(1, SteadyClock::now() + std::chrono::milliseconds(20),
                [&] { resumed.set_value(); });
  EXPECT_EQ(resumed.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST_F(BlockingQueriesTest, AnIndexThatIsAlreadyPastIsResumedAtOnce) {
  Change();  // version 2
  bool resumed = false;
  queries_.Park(1, SteadyClock::now() + std::chrono::hours(1), [&] { resumed = true; });
  EXPECT_TRUE(resumed);
  EXPECT_EQ(queries_.parked(), 0u);
}

TEST_F(BlockingQueriesTest, EachIsResumedExactlyOnceAndShutdownResumesTheRest) {
  std::atomic<int> resumes{0};
  for (int i = 0; i < 50; ++i) {
    queries_.Park(1, SteadyClock::now() + std::chrono::milliseconds(i % 2 ? 5 : 100000),
                  [&] { ++resumes; });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Change();
  queries_.ResumeAll();
  EXPECT_EQ(resumes.load(), 50);
  bool late = false;
  queries_.Park(2, SteadyClock::now() + std::chrono::hours(1), [&] { late = true; });
  EXPECT_TRUE(late);  // closed: nothing parks any more
}

}  // namespace
}  // namespace peerscout
