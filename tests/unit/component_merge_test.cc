// The registry merges a source's change incrementally (ComponentMerge); the full Merge is the
// reference. Random changes from several sources, drawn from a small key space so that
// observations join, split, attach host facts to app instances, name ourselves, go stale and
// vanish: after every step the registry's list and the diff it announced must be a full
// Merge's and DiffPeers' of the same input.
#include "sidecar/core/component_merge.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>

#include "sidecar/core/registry.h"
#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using testing::At;
using testing::Id;

const std::vector<std::string> kSources = {"env", "exo", "headscale", "tailscale"};

class RandomCluster {
 public:
  explicit RandomCluster(uint32_t seed) : random_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
  bool Chance(int percent) { return Pick(100) < percent; }

  Observation NewObservation() {
    Observation observation;
    IdentityHints& identity = observation.identity;
    const std::vector<std::string> peers = {testing::kPeerA, testing::kPeerB, testing::kPeerC};
    if (Chance(35)) identity.peer_id = Id(peers[Pick(3)]);
    if (Chance(15)) identity.zenoh_id = *ZenohId::Parse(Pick(2) ? "b2" : "c3");
    if (Chance(35)) identity.tailnet_node = "node" + std::to_string(Pick(4));
    if (Chance(25)) identity.magic_dns = *DnsName::Parse("host" + std::to_string(Pick(3)) + ".ts");
    if (Chance(30)) identity.hostname = Pick(2) ? "Box" : "box";
    const int addresses = Pick(4);
    for (int i = 0; i < addresses; ++i) observation.addresses.push_back(NewEndpoint());
    if (Chance(50)) observation.online = Chance(70);
    if (Chance(30)) observation.last_seen = Clock::time_point{} + std::chrono::seconds(Pick(3));
    if (Chance(30)) observation.tags = {"tag:" + std::to_string(Pick(3))};
    if (Chance(20)) observation.os = Pick(2) ? "linux" : "macOS";
    observation.tailnet_path = static_cast<TailnetPath>(Pick(3));
    observation.stale = Chance(5);
    if (Chance(10)) observation.reached = NewReachability();
    return observation;
  }

  Endpoint NewEndpoint() {
    static const std::vector<std::string> kHosts = {"10.1.0.1",   "10.1.0.2",  "100.64.0.1",
                                                    "100.64.0.2", "[fd7a::1]", "10.1.0.9"};
    if (Chance(8)) return At(Pick(2) ? "svc-a:4001" : "svc-b:4001");
    const std::string& host = kHosts[Pick(static_cast<int>(kHosts.size()))];
    const int port = std::vector<int>{0, 0, 4001, 4002}[Pick(4)];
    if (port == 0) return At(host.front() == '[' ? host.substr(1, host.size() - 2) : host);
    return At(host + ":" + std::to_string(port));
  }

  Reachability NewReachability() {
    return Reachability{Chance(50), Clock::time_point{} + std::chrono::seconds(Pick(2)),
                        std::chrono::microseconds(Pick(3)), ProbeKind::kTcpConnect};
  }

  // A source's next snapshot: mostly one observation changed, added or removed.
  std::vector<Observation> Next(std::vector<Observation> list) {
    const int kind = Pick(10);
    if (kind <= 3 && !list.empty()) {
      Observation& changed = list[Pick(static_cast<int>(list.size()))];
      changed = Chance(50) ? NewObservation() : Edited(changed);
    } else if (kind <= 5) {
      list.insert(list.begin() + Pick(static_cast<int>(list.size()) + 1), NewObservation());
    } else if (kind <= 7 && !list.empty()) {
      list.erase(list.begin() + Pick(static_cast<int>(list.size())));
    } else if (kind == 8 && list.size() >= 2) {
      std::swap(list[Pick(static_cast<int>(list.size()))], list.back());
    } else if (Chance(30)) {
      list.clear();
      const int count = Pick(8);
      for (int i = 0; i < count; ++i) list.push_back(NewObservation());
    }
    return list;
  }

  Observation Edited(Observation observation) {
    switch (Pick(5)) {
      case 0:
        observation.online = !observation.online.value_or(false);
        break;
      case 1:
        observation.addresses.push_back(NewEndpoint());
        break;
      case 2:
        if (!observation.addresses.empty()) observation.addresses.pop_back();
        break;
      case 3:
        observation.identity.tailnet_node = Chance(50) ? "" : "node" + std::to_string(Pick(4));
        break;
      default:
        observation.reached = Chance(50) ? std::nullopt : std::optional(NewReachability());
    }
    return observation;
  }

  SelfIdentity NewSelf() {
    SelfIdentity self;
    if (Chance(50)) self.tailnet_nodes = {"node" + std::to_string(Pick(4))};
    if (Chance(30)) self.addresses = {*IpAddress::Parse(Pick(2) ? "10.1.0.9" : "100.64.0.2")};
    if (Chance(30)) self.app_ports = {4001};
    return self;
  }

  ReachabilityMap NewProbes() {
    ReachabilityMap probed;
    if (Chance(50)) probed[At("10.1.0.1:4001")] = NewReachability();
    if (Chance(50)) probed[At("100.64.0.2:4002")] = NewReachability();
    return probed;
  }

 private:
  std::mt19937 random_;
};

// What the registry should hold, kept the plain way and merged in full.
struct Reference {
  struct Source {
    std::vector<Observation> observations;
    SelfIdentity self;
    bool stale = false;
    Clock::time_point last_success{};
  };
  std::map<std::string, Source> sources;
  Registry::Options options;
  NetworkView network;
  SelfIdentity local;
  ReachabilityMap probed;

  std::vector<Peer> Merged() const {
    MergeInput input;
    input.self = options.self;
    input.self.Add(local);
    input.network = network;
    input.network.local_subnets.insert(input.network.local_subnets.end(),
                                       options.network.local_subnets.begin(),
                                       options.network.local_subnets.end());
    for (const auto& [name, source] : sources) {
      input.self.Add(source.self);
      if (source.observations.empty()) continue;
      input.sources.push_back({name, &source.observations, source.stale});
    }
    input.probed = &probed;
    return Merge(input);
  }
};

class Differential {
 public:
  explicit Differential(uint32_t seed) : random_(seed), registry_(Registry::Options{}) {
    reference_.options.self.peer_ids = {Id(testing::kPeerC)};
    registry_.SetOptions(reference_.options);
    Declare(kSources);
    registry_.Subscribe([this](const std::shared_ptr<const PeerSet>&, const PeerSetDiff& diff) {
      announced_ = diff;
    });
  }

  void Step() {
    announced_.reset();
    now_ += std::chrono::minutes(1);
    const std::string& source = kSources[random_.Pick(static_cast<int>(kSources.size()))];
    const int kind = random_.Pick(100);
    if (kind < 80) {
      Publish(source);
    } else if (kind < 88) {
      Fail(source);
    } else if (kind < 91) {
      Expire();
    } else if (kind < 95) {
      reference_.probed = random_.NewProbes();
      registry_.SetReachability(reference_.probed);
    } else if (kind < 97) {
      reference_.local = random_.NewSelf();
      reference_.network.local_subnets = {
          *Subnet::Parse(random_.Pick(2) ? "10.1.0.0/16" : "10.2.0.0/16")};
      registry_.SetLocalNetwork(reference_.network, reference_.local);
    } else {
      std::vector<std::string> declared = kSources;
      declared.erase(declared.begin() + random_.Pick(static_cast<int>(declared.size())));
      Declare(random_.Chance(50) ? declared : kSources);
    }
  }

  void Check(const std::string& context) {
    std::vector<Peer> expected = reference_.Merged();
    const PeerSetDiff diff = DiffPeers(expected_before_, expected);
    const auto current = registry_.Current();
    ASSERT_EQ(current->peers, expected) << context;
    if (diff.empty()) {
      ASSERT_FALSE(announced_.has_value()) << context;
    } else {
      ASSERT_TRUE(announced_.has_value()) << context;
      EXPECT_EQ(announced_->added, diff.added) << context;
      EXPECT_EQ(announced_->removed, diff.removed) << context;
      ASSERT_EQ(announced_->changed, diff.changed) << context;
    }
    expected_before_ = std::move(expected);
  }

 private:
  // A source dropped by the last declaration is ignored by the registry, and by the reference.
  void Publish(const std::string& source) {
    Reference::Source ignored;
    auto found = reference_.sources.find(source);
    Reference::Source& entry = found != reference_.sources.end() ? found->second : ignored;
    Snapshot snapshot;
    snapshot.observations = random_.Next(entry.observations);
    snapshot.self = random_.Chance(5) ? random_.NewSelf() : entry.self;
    entry.observations = snapshot.observations;
    entry.self = snapshot.self;
    entry.stale = false;
    entry.last_success = now_;
    registry_.Publish(source, std::move(snapshot), now_);
  }

  void Fail(const std::string& source) {
    auto found = reference_.sources.find(source);
    if (found != reference_.sources.end())
      found->second.stale = !found->second.observations.empty();
    registry_.Fail(source, "down", now_);
  }

  void Expire() {
    now_ += std::chrono::minutes(random_.Pick(12));
    for (auto& [name, entry] : reference_.sources) {
      if (!entry.stale || now_ - entry.last_success < reference_.options.stale_after) continue;
      entry = Reference::Source{};
    }
    registry_.Expire(now_);
  }

  void Declare(const std::vector<std::string>& names) {
    std::map<std::string, Reference::Source> kept;
    std::vector<SourceDeclaration> declarations;
    for (const std::string& name : names) {
      kept[name] = reference_.sources[name];
      declarations.push_back({name, name, true});
    }
    reference_.sources = std::move(kept);
    registry_.DeclareSources(declarations);
  }

  RandomCluster random_;
  Registry registry_;
  Reference reference_;
  Clock::time_point now_{};
  std::vector<Peer> expected_before_;
  std::optional<PeerSetDiff> announced_;
};

TEST(ComponentMergeTest, RegistryEqualsAFullMergeOverRandomChanges) {
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    Differential differential(seed);
    for (int step = 0; step < 300; ++step) {
      differential.Step();
      differential.Check("seed " + std::to_string(seed) + " step " + std::to_string(step));
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// ComponentMerge alone: Replace may leave a change to the full merge only when two peers
// would have one id, before or after; any other fallback would hide a wrong splice from the
// test above. One source stays stale throughout, our own peer id and address are in play.
TEST(ComponentMergeTest, ReplaceFallsBackOnlyWhenIdsClash) {
  int replaced = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    RandomCluster random(seed);
    std::map<std::string, std::vector<Observation>> lists;
    for (int i = 0; i < 6; ++i) lists["stale"].push_back(random.NewObservation());
    SelfIdentity self;
    self.peer_ids = {Id(testing::kPeerC)};
    self.addresses = {*IpAddress::Parse("10.1.0.9")};
    auto input = [&] {
      MergeInput merge_input;
      merge_input.self = self;
      for (const auto& [name, list] : lists) {
        if (!list.empty()) merge_input.sources.push_back({name, &list, name == "stale"});
      }
      return merge_input;
    };
    auto clash = [&] {
      const MergeInput merge_input = input();
      return AnyIdTwice(MergeItems(ItemsOf(merge_input), self, {}, nullptr));
    };
    ComponentMerge merge;
    std::vector<Peer> listed = merge.Full(input(), {}).peers;
    for (int step = 0; step < 200; ++step) {
      const std::string context = "seed " + std::to_string(seed) + " step " + std::to_string(step);
      const std::string& source = kSources[random.Pick(static_cast<int>(kSources.size()))];
      std::vector<Observation> next = random.Next(lists[source]);
      const bool clashed_before = clash();
      std::optional<MergeResult> result = merge.Replace(input(), source, next, listed);
      lists[source] = std::move(next);
      const std::vector<Peer> expected = Merge(input());
      if (result) {
        ++replaced;
      } else {
        ASSERT_TRUE(clashed_before || clash()) << context;
        merge.ForgetObservations();
        result = merge.Full(input(), listed);
      }
      const PeerSetDiff diff = DiffPeers(listed, expected);
      ASSERT_EQ(result->diff.added, diff.added) << context;
      ASSERT_EQ(result->diff.removed, diff.removed) << context;
      ASSERT_EQ(result->diff.changed, diff.changed) << context;
      if (!diff.empty()) listed = std::move(result->peers);
      ASSERT_EQ(listed, expected) << context;
    }
  }
  EXPECT_GT(replaced, 40 * 200 / 2);  // mostly incremental: the test above tests that path
}

}  // namespace
}  // namespace peerscout
