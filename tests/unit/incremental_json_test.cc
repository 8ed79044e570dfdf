#include "sidecar/render/incremental_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>

#include "sidecar/core/peer_order.h"
#include "sidecar/render/format.h"
#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

// Random peers and random edits of them, every field within reach of an edit: the full render
// is the reference the incremental one must equal byte for byte.
class RandomPeers {
 public:
  explicit RandomPeers(uint32_t seed) : random_(seed) {}

  Peer NewPeer() {
    Peer peer;
    peer.id = "p" + std::to_string(next_id_++);
    for (int field = 0; field < kFields; ++field) Edit(peer, field);
    return peer;
  }

  std::vector<Peer> NewPeers(int count) {
    std::vector<Peer> peers;
    peers.reserve(count);
    for (int i = 0; i < count; ++i) peers.push_back(NewPeer());
    SortForListing(peers);
    return peers;
  }

  // One field of the peer, or several, changed (or set again to what it was).
  void Change(Peer& peer) {
    const int edits = Pick(3) + 1;
    for (int i = 0; i < edits; ++i) Edit(peer, Pick(kFields));
  }

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }
  bool Coin() { return Pick(2) == 0; }

 private:
  static constexpr int kFields = 14;

  void Edit(Peer& peer, int field) {
    switch (field) {
      case 0:
        peer.name = Coin() ? "" : "node-" + std::to_string(Pick(50));
        break;
      case 1:
        peer.peer_id = Coin() ? std::nullopt : std::optional(PeerIdOf(Pick(2)));
        break;
      case 2:
        peer.zenoh_id = Coin() ? std::nullopt : std::optional(ZenohIdOf(Pick(4)));
        break;
      case 3:
        peer.tailnet_node = Coin() ? "" : "nodekey:" + std::to_string(Pick(9));
        break;
      case 4:
        peer.magic_dns = Coin() ? std::nullopt : std::optional(DnsNameOf(Pick(9)));
        break;
      case 5:
        peer.hostname = Coin() ? "" : "Host \"" + std::to_string(Pick(9)) + "\"\n";
        break;
      case 6:
        peer.os = Coin() ? "" : "linux";
        break;
      case 7:
        peer.addresses = Addresses();
        break;
      case 8:
        peer.sources = Words("source", 3);
        break;
      case 9:
        peer.tags = Words("tag:", 3);
        break;
      case 10:
        peer.last_seen = Coin() ? std::nullopt : std::optional(Time());
        break;
      case 11:
        peer.online = Coin();
        break;
      case 12:
        peer.stale = Coin();
        break;
      case 13:
        peer.reachable = Pick(3) == 0 ? std::nullopt : std::optional(Coin());
        break;
      default:
        break;
    }
  }

  static PeerId PeerIdOf(int n) { return *PeerId::Parse(n ? testing::kPeerA : testing::kPeerB); }
  static ZenohId ZenohIdOf(int n) { return *ZenohId::Parse("a" + std::to_string(n + 1)); }
  static DnsName DnsNameOf(int n) {
    return *DnsName::Parse("node-" + std::to_string(n) + ".tail.ts.net");
  }

  Clock::time_point Time() {
    return Clock::time_point(std::chrono::milliseconds(1'700'000'000'000 + Pick(1'000'000)));
  }

  std::vector<std::string> Words(const std::string& prefix, int most) {
    std::vector<std::string> words;
    for (int i = Pick(most + 1); i > 0; --i) words.push_back(prefix + std::to_string(Pick(5)));
    std::ranges::sort(words);
    return words;
  }

  Endpoint RandomEndpoint() {
    static const char* const kHosts[] = {"10.1.0.7:52416", "100.64.0.5:52416",
                                         "[fd7a:115c:a1e0::5]:52416", "exo-2:30000",
                                         "192.168.1.5:1"};
    Endpoint endpoint = *ParseHostPort(kHosts[Pick(5)]);
    const int transport = Pick(4);
    endpoint.transport = static_cast<Transport>(transport);
    endpoint.port = transport == 0 ? 0 : static_cast<uint16_t>(1 + Pick(65535));
    return endpoint;
  }

  std::optional<Reachability> Reach() {
    if (Coin()) return std::nullopt;
    Reachability reach;
    reach.reachable = Coin();
    reach.since = Time();
    reach.round_trip = std::chrono::microseconds(Pick(100'000));
    reach.probe = Coin() ? ProbeKind::kTcpConnect : ProbeKind::kExoDiscovery;
    return reach;
  }

  std::vector<PeerAddress> Addresses() {
    std::vector<PeerAddress> addresses(Pick(4));
    for (PeerAddress& address : addresses) {
      address.endpoint = RandomEndpoint();
      address.kind = static_cast<AddressKind>(Pick(6));
      address.sources = Words("source", 2);
      address.reach = Reach();
    }
    return addresses;
  }

  std::mt19937 random_;
  int next_id_ = 0;
};

// One round of churn: some peers added, some removed, some changed, most left alone.
void Churn(RandomPeers& random, std::vector<Peer>& peers) {
  for (int i = random.Pick(3); i > 0 && !peers.empty(); --i)
    peers.erase(peers.begin() + random.Pick(static_cast<int>(peers.size())));
  for (int i = random.Pick(3); i > 0; --i) peers.push_back(random.NewPeer());
  for (int i = random.Pick(4); i > 0 && !peers.empty(); --i)
    random.Change(peers[random.Pick(static_cast<int>(peers.size()))]);
  SortForListing(peers);
}

TEST(IncrementalJson, EqualsTheFullRenderOverRandomChanges) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomPeers random(seed);
    std::vector<Peer> peers = random.NewPeers(30);
    IncrementalJson incremental;
    for (uint64_t version = 1; version <= 200; ++version) {
      if (version > 1) Churn(random, peers);
      auto set = std::make_shared<const PeerSet>(PeerSet{version, peers});
      ASSERT_EQ(incremental.Render(set), RenderJson(*set, {})) << "version " << version;
    }
  }
}

TEST(IncrementalJson, WritesOnlyWhatChanged) {
  RandomPeers random(7);
  std::vector<Peer> peers = random.NewPeers(100);
  IncrementalJson incremental;
  incremental.Render(std::make_shared<const PeerSet>(PeerSet{1, peers}));
  EXPECT_EQ(incremental.written(), 100u);

  peers[40].online = !peers[40].online;
  peers.push_back(random.NewPeer());
  SortForListing(peers);
  const auto set = std::make_shared<const PeerSet>(PeerSet{2, peers});
  EXPECT_EQ(incremental.Render(set), RenderJson(*set, {}));
  EXPECT_EQ(incremental.written(), 2u);

  EXPECT_EQ(incremental.Render(set), RenderJson(*set, {}));  // the same set again
  EXPECT_EQ(incremental.written(), 0u);
}

TEST(IncrementalJson, ClearWritesEveryPeerAgain) {
  RandomPeers random(3);
  std::vector<Peer> peers{random.NewPeer(), random.NewPeer()};
  SortForListing(peers);
  const auto set = std::make_shared<const PeerSet>(PeerSet{4, peers});
  IncrementalJson incremental;
  incremental.Render(set);
  incremental.Clear();
  EXPECT_EQ(incremental.Render(set), RenderJson(*set, {}));
  EXPECT_EQ(incremental.written(), 2u);
}

TEST(IncrementalJson, AnEmptyList) {
  IncrementalJson incremental;
  const auto set = std::make_shared<const PeerSet>(PeerSet{0, {}});
  EXPECT_EQ(incremental.Render(set), RenderJson(*set, {}));
}

}  // namespace
}  // namespace peerscout
