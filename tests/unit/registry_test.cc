#include "sidecar/core/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using ::testing::ElementsAre;
using testing::Seen;

Snapshot With(std::vector<Observation> observations) {
  Snapshot snapshot;
  snapshot.observations = std::move(observations);
  return snapshot;
}

class RegistryTest : public ::testing::Test {
 protected:
  RegistryTest() : registry_(Options()) {
    registry_.DeclareSources({{"env", "env", true}, {"headscale", "headscale", true}});
    registry_.Subscribe(
        [this](const std::shared_ptr<const PeerSet>& peers, const PeerSetDiff& diff) {
          versions_.push_back(peers->version);
          diffs_.push_back(diff);
        });
  }

  static Registry::Options Options() {
    Registry::Options options;
    options.stale_after = std::chrono::minutes(10);
    return options;
  }

  Clock::time_point At(int minutes) { return start_ + std::chrono::minutes(minutes); }

  Registry registry_;
  Clock::time_point start_ = Clock::now();
  std::vector<uint64_t> versions_;
  std::vector<PeerSetDiff> diffs_;
};

TEST_F(RegistryTest, VersionChangesOnlyWhenTheMergedSetChanges) {
  EXPECT_EQ(registry_.Current()->version, 1u);
  registry_.Publish("env", With({Seen().at("10.0.0.2:1")}), At(0));
  EXPECT_EQ(registry_.Current()->version, 2u);
  registry_.Publish("env", With({Seen().at("10.0.0.2:1")}), At(1));  // same again
  registry_.Publish("headscale", With({}), At(1));                   // nothing new
  EXPECT_EQ(registry_.Current()->version, 2u);
  EXPECT_THAT(versions_, ElementsAre(2u));
}

TEST_F(RegistryTest, SubscribersLearnAddedRemovedAndChanged) {
  registry_.Publish("env", With({Seen().at("10.0.0.2:1"), Seen().at("10.0.0.3:1")}), At(0));
  registry_.Publish("headscale", With({Seen().at("10.0.0.3:1"), Seen().at("10.0.0.4:1")}), At(0));
  registry_.Publish("env", With({Seen().at("10.0.0.3:1")}), At(1));
  ASSERT_EQ(diffs_.size(), 3u);
  EXPECT_THAT(diffs_[0].added, ElementsAre("10.0.0.2:1", "10.0.0.3:1"));
  EXPECT_THAT(diffs_[1].added, ElementsAre("10.0.0.4:1"));
  EXPECT_THAT(diffs_[1].changed, ElementsAre("10.0.0.3:1"));  // gained a source
  EXPECT_THAT(diffs_[2].removed, ElementsAre("10.0.0.2:1"));
  EXPECT_TRUE(diffs_[2].added.empty());
}

TEST_F(RegistryTest, AFailingSourceKeepsItsPeersMarkedStaleUntilStaleAfter) {
  registry_.Publish("headscale", With({Seen().at("100.64.0.5:52416")}), At(0));
  registry_.Fail("headscale", "headscale: connection refused", At(1));
  auto peers = registry_.Current();
  ASSERT_EQ(peers->peers.size(), 1u);
  EXPECT_TRUE(peers->peers[0].stale);
  EXPECT_TRUE(registry_.Sources()[1].stale);
  EXPECT_EQ(registry_.Sources()[1].last_error, "headscale: connection refused");

  registry_.Expire(At(9));  // ten minutes after the last success, not yet
  EXPECT_EQ(registry_.Current()->peers.size(), 1u);
  registry_.Expire(At(10));
  EXPECT_TRUE(registry_.Current()->peers.empty());
  EXPECT_FALSE(registry_.Sources()[1].stale);
}

TEST_F(RegistryTest, RecoveryClearsStaleness) {
  registry_.Publish("headscale", With({Seen().at("100.64.0.5:52416")}), At(0));
  registry_.Fail("headscale", "timeout", At(1));
  registry_.Publish("headscale", With({Seen().at("100.64.0.5:52416")}), At(2));
  EXPECT_FALSE(registry_.Current()->peers[0].stale);
  registry_.Expire(At(30));
  EXPECT_EQ(registry_.Current()->peers.size(), 1u);
}

TEST_F(RegistryTest, AnEmptySuccessRemovesTheSourcesPeers) {
  registry_.Publish("headscale", With({Seen().at("100.64.0.5:52416")}), At(0));
  registry_.Publish("headscale", With({}), At(1));
  EXPECT_TRUE(registry_.Current()->peers.empty());
}

TEST_F(RegistryTest, AFailureBeforeAnySuccessListsNothingAndIsReported) {
  registry_.Fail("headscale", "no such host", At(0));
  EXPECT_TRUE(registry_.Current()->peers.empty());
  const SourceStatus status = registry_.Sources()[1];
  EXPECT_TRUE(status.reported());
  EXPECT_FALSE(status.stale);
  EXPECT_EQ(status.errors, 1u);
}

TEST_F(RegistryTest, RedeclaringKeepsDataOfSourcesThatStayAndDropsTheOthers) {
  registry_.Publish("env", With({Seen().at("10.0.0.2:1")}), At(0));
  registry_.Publish("headscale", With({Seen().at("10.0.0.3:1")}), At(0));
  const uint64_t before = registry_.Current()->version;
  registry_.DeclareSources({{"env", "env", true}, {"headscale", "headscale", true}});
  EXPECT_EQ(registry_.Current()->version, before);
  registry_.DeclareSources({{"env", "env", true}});
  ASSERT_EQ(registry_.Current()->peers.size(), 1u);
  EXPECT_EQ(registry_.Current()->peers[0].id, "10.0.0.2:1");
  registry_.Publish("headscale", With({Seen().at("10.0.0.9:1")}), At(1));  // a removed source
  EXPECT_EQ(registry_.Current()->peers.size(), 1u);
}

TEST_F(RegistryTest, SelfReportedBySourcesAndTheNetworkIsExcluded) {
  registry_.Publish("env", With({Seen().at("10.0.0.2:1"), Seen().at("10.0.0.3:1")}), At(0));
  SelfIdentity local;
  local.addresses = {*IpAddress::Parse("10.0.0.3")};
  registry_.SetLocalNetwork({}, local);
  ASSERT_EQ(registry_.Current()->peers.size(), 1u);
  Snapshot snapshot = With({});
  snapshot.self.addresses = {*IpAddress::Parse("10.0.0.2")};
  registry_.Publish("headscale", std::move(snapshot), At(0));
  EXPECT_TRUE(registry_.Current()->peers.empty());
}

}  // namespace
}  // namespace peerscout
