// A source whose thread throws, through the runner that runs every source: the process goes
// on, the error is logged and counted, and the source's last good peers are kept, stale.
#include "sidecar/runtime/source_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <thread>

#include "tests/unit/observation_builders.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

// Publishes one peer, then throws what `thrower` throws.
class ThrowingSource : public Source {
 public:
  explicit ThrowingSource(std::function<void()> thrower) : thrower_(std::move(thrower)) {}

  void Run(std::stop_token /*stop*/, SnapshotSink& sink) override {
    Snapshot snapshot;
    snapshot.observations.push_back(Seen().at("10.0.0.2:4001"));
    sink.Publish(std::move(snapshot));
    thrower_();
  }

 private:
  std::function<void()> thrower_;
};

class SourceRunnerTest : public ::testing::Test {
 protected:
  SourceRunnerTest()
      : registry_(Registry::Options{}),
        log_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16)),
        saved_logger_(spdlog::default_logger()) {
    registry_.DeclareSources({{"broken", "test", true}});
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", log_));
  }
  ~SourceRunnerTest() override { spdlog::set_default_logger(saved_logger_); }

  // Runs `source` until it has failed once, then stops it.
  void RunUntilFailed(const std::shared_ptr<Source>& source) {
    SourceRunner runner(registry_);
    runner.StartAll({{"broken", source}});
    for (int i = 0; i < 500 && Status().errors == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    runner.StopAll();
  }

  SourceStatus Status() const { return registry_.Sources().front(); }

  std::string Log() const {
    std::string text;
    for (const std::string& line : log_->last_formatted()) text += line;
    return text;
  }

  Registry registry_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_;
  std::shared_ptr<spdlog::logger> saved_logger_;
};

TEST_F(SourceRunnerTest, AThrowingSourceKeepsItsLastPeersStaleAndIsCounted) {
  auto source = std::make_shared<ThrowingSource>([] { throw std::runtime_error("boom"); });
  RunUntilFailed(source);
  const SourceStatus status = Status();
  EXPECT_EQ(status.errors, 1u);
  EXPECT_TRUE(status.stale);
  EXPECT_THAT(status.last_error, HasSubstr("internal error: boom"));
  EXPECT_EQ(status.faults.at("exceptions"), 1u);
  ASSERT_EQ(registry_.Current()->peers.size(), 1u);
  EXPECT_TRUE(registry_.Current()->peers.front().stale);
  EXPECT_THAT(Log(), HasSubstr("broken: source stopped on an exception: boom"));
}

// Anything may be thrown; a value that is no std::exception must not end the process either.
TEST_F(SourceRunnerTest, AThrownValueThatIsNoExceptionIsCaughtToo) {
  auto source = std::make_shared<ThrowingSource>([] { throw 42; });
  RunUntilFailed(source);
  const SourceStatus status = Status();
  EXPECT_EQ(status.errors, 1u);
  EXPECT_TRUE(status.stale);
  EXPECT_THAT(status.last_error, HasSubstr("unknown type"));
  EXPECT_EQ(status.faults.at("exceptions"), 1u);
  EXPECT_EQ(registry_.Current()->peers.size(), 1u);
  EXPECT_THAT(Log(), HasSubstr("broken: source stopped on an exception"));
}

// The faults a source counts reach /metrics' input without a snapshot, and last across them.
TEST_F(SourceRunnerTest, CountedFaultsOutliveSnapshots) {
  registry_.Count("broken", "reply_too_large");
  registry_.Publish("broken", Snapshot{}, Clock::now());
  registry_.Count("broken", "reply_too_large");
  registry_.Count("no-such-source", "reply_too_large");
  EXPECT_EQ(Status().faults.at("reply_too_large"), 2u);
}

}  // namespace
}  // namespace peerscout::testing
