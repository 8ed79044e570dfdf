// [liveness]: which endpoints are probed when, what a probe's outcome makes of an endpoint, and
// how that reaches the merged list (ranking, the peer's `reachable`), its filters and the JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "sidecar/core/liveness_table.h"
#include "sidecar/core/merge.h"
#include "sidecar/core/registry.h"
#include "sidecar/render/format.h"
#include "sidecar/render/peer_filter.h"
#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using namespace std::chrono_literals;
using testing::At;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Seen;

class LivenessTableTest : public ::testing::Test {
 protected:
  bool Record(const char* endpoint, ProbeOutcome outcome, std::chrono::microseconds took = 0us) {
    return table_.Record(At(endpoint), outcome, took, now_);
  }
  std::optional<Reachability> Found(const char* endpoint) const {
    auto found = table_.reachability().find(At(endpoint));
    if (found == table_.reachability().end()) return std::nullopt;
    return found->second;
  }

  LivenessCadence cadence_;
  LivenessTable table_{cadence_};
  Clock::time_point now_ = Clock::time_point{} + 1000s;
};

TEST_F(LivenessTableTest, ANewEndpointIsProbedAtOnceThenAtTheInterval) {
  table_.SetTargets({At("10.0.0.2:4001")});
  EXPECT_THAT(table_.Due(now_), ElementsAre(At("10.0.0.2:4001")));
  EXPECT_THAT(table_.Due(now_), IsEmpty()) << "one probe in flight per endpoint";
  now_ += 3ms;
  EXPECT_TRUE(Record("10.0.0.2:4001", ProbeOutcome::kAnswered, 3000us));
  now_ += cadence_.interval - 1s;
  EXPECT_THAT(table_.Due(now_), IsEmpty());
  now_ += 1s;
  EXPECT_THAT(table_.Due(now_), ElementsAre(At("10.0.0.2:4001")));
}

TEST_F(LivenessTableTest, AnAnswerIsReachableSinceItsFirstProbeAndStaysSoQuietly) {
  table_.SetTargets({At("10.0.0.2:4001")});
  table_.Due(now_);
  const auto first = now_;
  ASSERT_TRUE(Record("10.0.0.2:4001", ProbeOutcome::kAnswered, 1500us));
  now_ += cadence_.interval;
  table_.Due(now_);
  EXPECT_FALSE(Record("10.0.0.2:4001", ProbeOutcome::kAnswered, 900us))
      << "a steady endpoint makes no new version of the list";
  const auto reach = Found("10.0.0.2:4001");
  ASSERT_TRUE(reach);
  EXPECT_TRUE(reach->reachable);
  EXPECT_EQ(reach->since, first);
  EXPECT_EQ(reach->round_trip, 1500us);
  EXPECT_EQ(reach->probe, ProbeKind::kTcpConnect);
}

TEST_F(LivenessTableTest, ARefusalIsUnreachableAtOnceATimeoutOnlyTheSecondInARow) {
  table_.SetTargets({At("10.0.0.2:4001"), At("10.0.0.3:4001")});
  ASSERT_EQ(table_.Due(now_).size(), 2u);
  Record("10.0.0.2:4001", ProbeOutcome::kAnswered);
  Record("10.0.0.3:4001", ProbeOutcome::kAnswered);
  now_ += cadence_.interval;
  ASSERT_EQ(table_.Due(now_).size(), 2u);
  EXPECT_TRUE(Record("10.0.0.2:4001", ProbeOutcome::kRefused)) << "nothing listens: an answer";
  EXPECT_FALSE(Found("10.0.0.2:4001")->reachable);
  EXPECT_FALSE(Record("10.0.0.3:4001", ProbeOutcome::kTimedOut)) << "one lost SYN is no verdict";
  EXPECT_TRUE(Found("10.0.0.3:4001")->reachable);
  EXPECT_THAT(table_.Due(now_), ElementsAre(At("10.0.0.3:4001")))
      << "an undecided endpoint is asked again at once, not an interval later";
  EXPECT_TRUE(Record("10.0.0.3:4001", ProbeOutcome::kTimedOut));
  EXPECT_FALSE(Found("10.0.0.3:4001")->reachable);
  EXPECT_EQ(Found("10.0.0.3:4001")->round_trip, 0us);
}

TEST_F(LivenessTableTest, AnEndpointBackOnlineIsReachableFromItsNewAnswer) {
  table_.SetTargets({At("10.0.0.2:4001")});
  table_.Due(now_);
  Record("10.0.0.2:4001", ProbeOutcome::kRefused);
  now_ += cadence_.interval;
  table_.Due(now_);
  ASSERT_TRUE(Record("10.0.0.2:4001", ProbeOutcome::kAnswered, 200us));
  EXPECT_TRUE(Found("10.0.0.2:4001")->reachable);
  EXPECT_EQ(Found("10.0.0.2:4001")->since, now_);
}

TEST_F(LivenessTableTest, TheRateBoundsProbesAndTheDeadlineWaitsForATokenWhenOut) {
  std::vector<Endpoint> targets;
  targets.reserve(50);
  for (int i = 0; i < 50; ++i) targets.push_back(At("10.0.1." + std::to_string(i + 1) + ":4001"));
  table_.SetTargets(targets);
  EXPECT_EQ(table_.Due(now_).size(), cadence_.per_second);
  ASSERT_TRUE(table_.NextDeadline());
  EXPECT_GT(*table_.NextDeadline(), now_) << "out of tokens: no spinning";
  now_ += 500ms;
  EXPECT_EQ(table_.Due(now_, 3).size(), 3u) << "the prober's cap on connects in flight";
  EXPECT_EQ(table_.Due(now_).size(), cadence_.per_second / 2 - 3);
}

TEST_F(LivenessTableTest, AnEndpointNoSourceReportsIsForgottenWithWhatWasFound) {
  table_.SetTargets({At("10.0.0.2:4001")});
  table_.Due(now_);
  Record("10.0.0.2:4001", ProbeOutcome::kAnswered);
  EXPECT_FALSE(table_.SetTargets({At("10.0.0.2:4001"), At("10.0.0.3:4001")}));
  EXPECT_TRUE(table_.SetTargets({At("10.0.0.3:4001")}));
  EXPECT_FALSE(Found("10.0.0.2:4001"));
  EXPECT_FALSE(Record("10.0.0.2:4001", ProbeOutcome::kAnswered)) << "a late answer is dropped";
  EXPECT_FALSE(Found("10.0.0.2:4001"));
}

TEST(ProbeTargetsTest, OnlyTcpEndpointsWithAnIpThatNoSourceReachedItself) {
  Peer peer;
  peer.addresses = {{At("10.0.0.2:4001"), AddressKind::kLan, {"env"}},
                    {At("/ip4/10.0.0.2/udp/4001/quic-v1"), AddressKind::kLan, {"mdns"}},
                    {At("/dns4/node-b/tcp/4001"), AddressKind::kDns, {"env"}},
                    {At("100.64.0.2"), AddressKind::kTailnet, {"tailscale"}},
                    {At("[fd7a:115c:a1e0::2]:52415"), AddressKind::kTailnet, {"exo"}}};
  peer.addresses.back().reach = Reachability{true, {}, 1ms, ProbeKind::kExoDiscovery};
  Peer other;
  other.addresses = {{At("10.0.0.2:4001"), AddressKind::kLan, {"env"}},
                     {At("10.0.0.3:4001"), AddressKind::kLan, {"env"}}};
  other.addresses.back().reach = Reachability{false, {}, 0us, ProbeKind::kTcpConnect};
  EXPECT_THAT(ProbeTargets(PeerSet{1, {peer, other}}),
              ElementsAre(At("10.0.0.2:4001"), At("10.0.0.3:4001")))
      << "sorted, each once; what the prober found is asked again";
}

class ReachabilityMergeTest : public ::testing::Test {
 protected:
  std::vector<Peer> Merged() {
    MergeInput input;
    input.network.local_subnets = {*Subnet::Parse("192.168.1.0/24")};
    input.sources.push_back({"env", &observations_, false});
    input.probed = &probed_;
    return Merge(input);
  }
  static Reachability Found(bool reachable) {
    return Reachability{reachable, Clock::time_point{} + 5s, reachable ? 700us : 0us,
                        ProbeKind::kTcpConnect};
  }

  std::vector<Observation> observations_;
  ReachabilityMap probed_;
};

TEST_F(ReachabilityMergeTest, AnAddressThatAnsweredRanksBeforeALanOneThatDidNot) {
  observations_ = {Seen().peer_id(testing::kPeerA).at("192.168.1.5:4001").at("100.64.0.5:4001")};
  probed_[At("192.168.1.5:4001")] = Found(false);
  probed_[At("100.64.0.5:4001")] = Found(true);
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].addresses[0].endpoint, At("100.64.0.5:4001"));
  EXPECT_EQ(peers[0].addresses[0].reach, Found(true));
  EXPECT_EQ(peers[0].reachable, true);
}

TEST_F(ReachabilityMergeTest, APeerIsUnreachableOnlyWhenEveryProbedAddressWasSilent) {
  observations_ = {Seen().peer_id(testing::kPeerA).at("192.168.1.5:4001").at("100.64.0.5:4001"),
                   Seen().peer_id(testing::kPeerB).at("192.168.1.6:4001")};
  EXPECT_EQ(Merged()[0].reachable, std::nullopt) << "never probed: unknown, not unreachable";
  probed_[At("192.168.1.5:4001")] = Found(false);
  const std::vector<Peer> peers = Merged();
  const auto& a = peers[0].peer_id == testing::Id(testing::kPeerA) ? peers[0] : peers[1];
  EXPECT_EQ(a.reachable, false);
  EXPECT_EQ(a.addresses[0].endpoint, At("100.64.0.5:4001")) << "not tried beats tried in vain";
}

TEST_F(ReachabilityMergeTest, ASourcesOwnAnswerStandsOverTheProbersFinding) {
  Observation exo = Seen().zid("b2").at("[fd7a:115c:a1e0::2]:52415");
  exo.reached = Reachability{true, Clock::time_point{} + 1s, 2ms, ProbeKind::kExoDiscovery};
  observations_ = {exo};
  probed_[At("[fd7a:115c:a1e0::2]:52415")] = Found(false);
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].addresses[0].reach->probe, ProbeKind::kExoDiscovery);
  EXPECT_EQ(peers[0].reachable, true);
}

TEST(RegistryReachabilityTest, OnlyAChangedFindingMakesANewVersion) {
  Registry registry(Registry::Options{});
  registry.DeclareSources({{"env", "env", true}});
  Snapshot snapshot;
  snapshot.observations = {Seen().at("10.0.0.2:4001")};
  registry.Publish("env", snapshot, Clock::now());
  const uint64_t published = registry.Current()->version;
  ReachabilityMap probed{{At("10.0.0.2:4001"), {true, Clock::now(), 1ms, ProbeKind::kTcpConnect}}};
  registry.SetReachability(probed);
  EXPECT_EQ(registry.Current()->version, published + 1);
  EXPECT_EQ(registry.Current()->peers[0].reachable, true);
  registry.SetReachability(probed);
  EXPECT_EQ(registry.Current()->version, published + 1);
  registry.SetReachability({});
  EXPECT_EQ(registry.Current()->peers[0].reachable, std::nullopt);
}

PeerSet ThreePeers() {
  PeerSet peers{3, {}};
  for (std::optional<bool> reachable :
       {std::optional<bool>(true), std::optional<bool>(false), std::optional<bool>()}) {
    Peer peer;
    peer.id = "p" + std::to_string(peers.peers.size());
    peer.addresses = {
        {At("10.0.0." + std::to_string(peers.peers.size() + 2) + ":4001"), AddressKind::kLan, {}}};
    if (reachable) {
      peer.addresses[0].reach =
          Reachability{*reachable, Clock::time_point{} + 86400s, 1250us, ProbeKind::kTcpConnect};
    }
    peer.reachable = reachable;
    peers.peers.push_back(peer);
  }
  return peers;
}

TEST(ReachableFilterTest, TrueKeepsPeersThatAnsweredFalseTheRestUnprobedIncluded) {
  PeerFilter filter;
  filter.reachable = true;
  EXPECT_FALSE(filter.empty());
  PeerSet view = FilterPeers(ThreePeers(), filter);
  ASSERT_EQ(view.peers.size(), 1u);
  EXPECT_EQ(view.peers[0].id, "p0");
  filter.reachable = false;
  view = FilterPeers(ThreePeers(), filter);
  ASSERT_EQ(view.peers.size(), 2u);
  EXPECT_EQ(view.version, 3u);
}

TEST(ReachabilityJsonTest, EachAddressSaysWhatItsProbeFoundAndThePeerSumsItUp) {
  const std::string json = FindFormat("json")->render(ThreePeers(), RenderOptions{});
  rapidjson::Document document;
  document.Parse(json.c_str());
  ASSERT_FALSE(document.HasParseError());
  const auto& peers = document["peers"];
  EXPECT_TRUE(peers[0]["reachable"].GetBool());
  const auto& reach = peers[0]["addresses"][0]["reach"];
  EXPECT_TRUE(reach["reachable"].GetBool());
  EXPECT_STREQ(reach["since"].GetString(), "1970-01-02T00:00:00.000Z");
  EXPECT_DOUBLE_EQ(reach["round_trip_ms"].GetDouble(), 1.25);
  EXPECT_STREQ(reach["probe"].GetString(), "tcp-connect");
  EXPECT_FALSE(peers[1]["reachable"].GetBool());
  EXPECT_TRUE(peers[2]["reachable"].IsNull());
  EXPECT_TRUE(peers[2]["addresses"][0]["reach"].IsNull());
}

}  // namespace
}  // namespace peerscout
