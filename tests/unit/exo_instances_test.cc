// Which addresses the exo source asks, how often, and what it makes of the answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/exo/exo_source.h"
#include "adapters/exo/instance_table.h"

namespace peerscout::exo {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }

class InstanceTableTest : public ::testing::Test {
 protected:
  std::vector<Probe> Due() {
    return table_.Due(now_, [this] { return Nonce{++nonce_}; });
  }
  WhatsUp AnswerTo(const Probe& probe, const char* zid = "b2") const {
    return WhatsUp{probe.nonce, *ZenohId::Parse(zid), 52414};
  }

  ProbeCadence cadence_;
  InstanceTable table_{cadence_};
  Clock::time_point now_ = Clock::time_point{} + 1000s;
  uint8_t nonce_ = 0;
};

TEST_F(InstanceTableTest, ANewAddressIsAskedAtOnceThenAtTheInterval) {
  table_.SetCandidates({Ip("fd7a:115c:a1e0::2")});
  ASSERT_EQ(Due().size(), 1u);
  EXPECT_TRUE(Due().empty()) << "one probe in flight per address";
  now_ += cadence_.answer_timeout;
  table_.Expire(now_);
  EXPECT_TRUE(Due().empty());
  now_ += cadence_.interval - cadence_.answer_timeout;
  EXPECT_EQ(Due().size(), 1u);
}

TEST_F(InstanceTableTest, AnAnswerFromTheAskedAddressMakesALiveInstance) {
  table_.SetCandidates({Ip("fd7a:115c:a1e0::2"), Ip("fd7a:115c:a1e0::3")});
  const std::vector<Probe> probes = Due();
  ASSERT_EQ(probes.size(), 2u);
  now_ += 20ms;
  EXPECT_FALSE(table_.Answer(probes[1].address, AnswerTo(probes[0]), now_))
      << "another address's nonce: a forged or misrouted answer";
  EXPECT_TRUE(table_.Answer(probes[0].address, AnswerTo(probes[0]), now_));
  EXPECT_FALSE(table_.Answer(probes[0].address, AnswerTo(probes[0]), now_))
      << "exo's repeats of one answer count once";
  const std::vector<ExoInstance> live = table_.Live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].address, probes[0].address);
  EXPECT_EQ(live[0].zid.ToString(), "b2");
  EXPECT_EQ(live[0].port, 52414);
  EXPECT_EQ(live[0].round_trip, 20ms);
}

TEST_F(InstanceTableTest, AnInstanceAnsweringAgainKeepsWhenItFirstAnswered) {
  table_.SetCandidates({Ip("fd7a:115c:a1e0::2")});
  auto probes = Due();
  const auto first = now_ + 20ms;
  ASSERT_TRUE(table_.Answer(probes[0].address, AnswerTo(probes[0]), first));
  now_ += cadence_.interval;
  probes = Due();
  ASSERT_EQ(probes.size(), 1u);
  now_ += 90ms;
  ASSERT_TRUE(table_.Answer(probes[0].address, AnswerTo(probes[0]), now_));
  const std::vector<ExoInstance> live = table_.Live();
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].since, first) << "a steady instance must not make a new list each round";
  EXPECT_EQ(live[0].round_trip, 20ms);
}

TEST_F(InstanceTableTest, TwoMissesInARowMakeAnAddressSilentAndDropItsInstance) {
  table_.SetCandidates({Ip("fd7a:115c:a1e0::2")});
  auto probes = Due();
  ASSERT_TRUE(table_.Answer(probes[0].address, AnswerTo(probes[0]), now_));
  for (int miss = 0; miss < 2; ++miss) {
    now_ += cadence_.interval;
    ASSERT_EQ(Due().size(), 1u);
    EXPECT_EQ(table_.Live().size(), 1u) << "kept through " << miss << " misses";
    now_ += cadence_.answer_timeout;
    table_.Expire(now_);
  }
  EXPECT_TRUE(table_.Live().empty());
  EXPECT_EQ(table_.silent(), 1u);
  now_ += cadence_.interval;
  probes = Due();
  ASSERT_EQ(probes.size(), 1u) << "a silent address is still asked: exo may start later";
  ASSERT_TRUE(table_.Answer(probes[0].address, AnswerTo(probes[0]), now_));
  EXPECT_EQ(table_.silent(), 0u);
}

TEST_F(InstanceTableTest, TheRateBoundsProbesAndNewAddressesGoFirst) {
  cadence_.per_second = 3;
  table_ = InstanceTable(cadence_);
  table_.SetCandidates({Ip("fd00::1"), Ip("fd00::2"), Ip("fd00::3")});
  ASSERT_EQ(Due().size(), 3u);
  table_.SetCandidates({Ip("fd00::1"), Ip("fd00::2"), Ip("fd00::3"), Ip("fd00::9")});
  EXPECT_TRUE(Due().empty()) << "the bucket is empty";
  now_ += 400ms;
  const std::vector<Probe> probes = Due();
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].address, Ip("fd00::9"));
  ASSERT_TRUE(table_.NextDeadline());
}

TEST_F(InstanceTableTest, AnAddressNoLongerReportedIsForgotten) {
  table_.SetCandidates({Ip("fd00::1")});
  const auto probes = Due();
  table_.SetCandidates({});
  EXPECT_FALSE(table_.Answer(probes[0].address, AnswerTo(probes[0]), now_));
  EXPECT_EQ(table_.candidates(), 0u);
}

Peer PeerAt(const std::vector<std::pair<const char*, const char*>>& addresses) {
  Peer peer;
  for (const auto& [ip, source] : addresses) {
    peer.addresses.push_back(
        {Endpoint{*IpAddress::Parse(ip), 0, Transport::kNone}, AddressKind::kOther, {source}});
  }
  return peer;
}

TEST(ExoCandidatesTest, RoutableIpv6FromOtherSourcesNotOursAndIpv4OnlyPeersCounted) {
  PeerSet peers;
  peers.peers.push_back(PeerAt({{"100.64.0.2", "tailscale"}, {"fd7a:115c:a1e0::2", "tailscale"}}));
  peers.peers.push_back(PeerAt({{"fd7a:115c:a1e0::9", "exo"}}));  // only what we found
  peers.peers.push_back(PeerAt({{"fe80::1", "mdns"}, {"10.0.0.3", "mdns"}}));
  peers.peers.push_back(PeerAt({{"fd7a:115c:a1e0::1", "tailscale"}}));  // ours
  peers.peers.push_back(PeerAt({{"2001:db8::5", "static"}, {"fd7a:115c:a1e0::2", "headscale"}}));
  SelfIdentity self;
  self.addresses = {Ip("fd7a:115c:a1e0::1")};
  size_t ipv4_only = 0;
  EXPECT_THAT(ProbeCandidates(peers, self, "exo", ipv4_only),
              ElementsAre(Ip("2001:db8::5"), Ip("fd7a:115c:a1e0::2")));
  EXPECT_EQ(ipv4_only, 1u);
}

TEST(ExoSnapshotTest, LiveInstancesAreAppInstancesWithTheirZidAndTheLocalExoIsUs) {
  LocalExo local(std::nullopt);
  const auto now = Clock::time_point{} + 1000s;
  const Namespace space{1, 2, 3, 4, 5, 6, 7, 8};
  const UdpAddress from{Ip("fe80::1"), 52413, 2};
  ASSERT_TRUE(local.Heard(Hello{{9}, space}, from, now));
  local.Answered(WhatsUp{{}, *ZenohId::Parse("a1"), 52414});
  InstanceTable table({});
  const std::vector<ExoInstance> live{
      {Ip("fd7a:115c:a1e0::2"), *ZenohId::Parse("b2"), 52414, now, 5ms},
      {Ip("fd7a:115c:a1e0::3"), *ZenohId::Parse("a1"), 52414, now, 5ms}};  // us, seen twice
  const Snapshot snapshot = BuildSnapshot(live, local, table, now);
  ASSERT_EQ(snapshot.observations.size(), 1u);
  const Observation& observation = snapshot.observations[0];
  EXPECT_EQ(observation.identity.zenoh_id->ToString(), "b2");
  EXPECT_EQ(observation.addresses[0].ToHostPort(), "[fd7a:115c:a1e0::2]:52414");
  EXPECT_THAT(snapshot.self.zenoh_ids, ElementsAre(*ZenohId::Parse("a1")));
  EXPECT_THAT(snapshot.self.app_ports, ElementsAre(52414));
  EXPECT_EQ(snapshot.details.at("namespace"), "0102030405060708");
  EXPECT_EQ(snapshot.details.at("local_exo"), "running, zid a1 on port 52414");
}

TEST(LocalExoTest, AConfiguredNamespaceRefusesAnotherAndTheHelloGoesStale) {
  const Namespace ours{1};
  LocalExo local(ours);
  const auto now = Clock::time_point{} + 1000s;
  const UdpAddress from{Ip("fe80::1"), 52413, 2};
  EXPECT_FALSE(local.Heard(Hello{{1}, Namespace{2}}, from, now));
  EXPECT_FALSE(local.running(now));
  EXPECT_TRUE(local.Heard(Hello{{1}, ours}, from, now));
  EXPECT_TRUE(local.LatestHello(now));
  EXPECT_FALSE(local.LatestHello(now + LocalExo::kHelloGrace));
}

}  // namespace
}  // namespace peerscout::exo
