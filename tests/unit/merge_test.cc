#include "sidecar/core/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using ::testing::ElementsAre;
using testing::Id;
using testing::kPeerA;
using testing::kPeerB;
using testing::kPeerC;
using testing::Seen;

class MergeTest : public ::testing::Test {
 protected:
  void See(const std::string& source, Observation observation) {
    by_source_[source].push_back(std::move(observation));
  }

  std::vector<Peer> Merged() {
    MergeInput input;
    input.self = self_;
    input.network.local_subnets = {*Subnet::Parse("192.168.1.0/24")};
    input.network.prefer_ipv6 = prefer_ipv6_;
    for (const auto& [source, observations] : by_source_) {
      input.sources.push_back({source, &observations, stale_.count(source) > 0});
    }
    return Merge(input);
  }

  static std::vector<std::string> Texts(const Peer& peer) {
    std::vector<std::string> texts;
    for (const PeerAddress& address : peer.addresses)
      texts.push_back(address.endpoint.ToHostPort());
    return texts;
  }

  std::map<std::string, std::vector<Observation>> by_source_;
  std::map<std::string, bool> stale_;
  SelfIdentity self_;
  bool prefer_ipv6_ = false;
};

TEST_F(MergeTest, OneNodeSeenByFourSourcesIsOnePeerWithBothAddressesLanFirst) {
  See("headscale", Seen().peer_id(kPeerA).hostname("node-a").at("100.64.0.5:52416"));
  See("tailscale", Seen().node("nodekey:aa").magic_dns("node-a.tail1234.ts.net").at("100.64.0.5"));
  See("mdns", Seen().peer_id(kPeerA).at("192.168.1.5:52416"));
  See("env", Seen().at("/ip4/100.64.0.5/tcp/52416"));

  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  const Peer& peer = peers[0];
  EXPECT_EQ(peer.id, kPeerA);
  EXPECT_EQ(peer.name, "node-a");
  EXPECT_THAT(peer.sources, ElementsAre("env", "headscale", "mdns", "tailscale"));
  EXPECT_THAT(Texts(peer), ElementsAre("192.168.1.5:52416", "100.64.0.5:52416"));
  EXPECT_EQ(peer.addresses[0].kind, AddressKind::kLan);
  EXPECT_EQ(peer.addresses[1].kind, AddressKind::kTailnet);
  // The port-less tailnet address is the same IP: tailscale vouches for the endpoint.
  EXPECT_THAT(peer.addresses[1].sources, ElementsAre("env", "headscale", "tailscale"));
  EXPECT_EQ(peer.magic_dns->ToString(), "node-a.tail1234.ts.net");
}

TEST_F(MergeTest, TwoAppInstancesOnOneHostAreTwoPeers) {
  See("mdns", Seen().peer_id(kPeerA).at("192.168.1.5:52416"));
  See("mdns", Seen().peer_id(kPeerB).at("192.168.1.5:52417"));
  See("tailscale", Seen().node("nodekey:aa").at("192.168.1.5"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_THAT(Texts(peers[0]), ElementsAre("192.168.1.5:52416"));
  EXPECT_THAT(Texts(peers[1]), ElementsAre("192.168.1.5:52417"));
  // The host's facts belong to both instances.
  EXPECT_THAT(peers[0].sources, ElementsAre("mdns", "tailscale"));
  EXPECT_THAT(peers[1].sources, ElementsAre("mdns", "tailscale"));
}

TEST_F(MergeTest, TwoInstancesWithoutPeerIdsStayApartToo) {
  See("env", Seen().at("10.0.0.9:5000"));
  See("env", Seen().at("10.0.0.9:5001"));
  EXPECT_EQ(Merged().size(), 2u);
}

TEST_F(MergeTest, SameShortHostnameOnDifferentTailnetIpsIsTwoPeers) {
  See("tailscale", Seen().node("nodekey:aa").hostname("exo").at("100.64.0.5"));
  See("tailscale", Seen().node("nodekey:bb").hostname("exo").at("100.64.0.6"));
  See("headscale", Seen().hostname("exo").at("100.64.0.5:52416"));
  See("headscale", Seen().hostname("exo").at("100.64.0.6:52416"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_THAT(Texts(peers[0]), ElementsAre("100.64.0.5:52416"));
  EXPECT_THAT(Texts(peers[1]), ElementsAre("100.64.0.6:52416"));
}

TEST_F(MergeTest, EnvDnsNameMergesWithTheTailscalePeerOfThatMagicDnsName) {
  See("env", Seen().at("/dns4/node-a.tail1234.ts.net/tcp/52416"));
  See("tailscale",
      Seen().node("nodekey:aa").magic_dns("node-a.tail1234.ts.net.").at("100.64.0.5").online(true));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_THAT(peers[0].sources, ElementsAre("env", "tailscale"));
  EXPECT_THAT(Texts(peers[0]), ElementsAre("100.64.0.5", "node-a.tail1234.ts.net:52416"));
  EXPECT_EQ(peers[0].name, "node-a");
}

TEST_F(MergeTest, OurOwnNodeIsNeverListed) {
  self_.peer_ids = {Id(kPeerA)};
  self_.tailnet_nodes = {"nodekey:self"};
  self_.addresses = {*IpAddress::Parse("192.168.1.10"), *IpAddress::Parse("100.64.0.10")};
  See("mdns", Seen().peer_id(kPeerA).at("192.168.1.99:52416"));      // our peer id
  See("tailscale", Seen().node("nodekey:self").at("100.64.0.77"));   // our node
  See("env", Seen().at("/ip4/192.168.1.10/tcp/52416"));              // our LAN address
  See("env", Seen().at("100.64.0.10:52416"));                        // our tailnet IP
  See("headscale", Seen().peer_id(kPeerA).at("100.64.0.10:52416"));  // all of the above
  See("env", Seen().at("192.168.1.20:52416"));                       // a real peer
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, "192.168.1.20:52416");
}

TEST_F(MergeTest, WithOurAppPortKnownAnotherInstanceOnOurHostIsAPeer) {
  self_.addresses = {*IpAddress::Parse("192.168.1.10")};
  self_.app_ports = {52416};
  See("env", Seen().at("192.168.1.10:52416"));
  See("env", Seen().at("192.168.1.10:52417"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, "192.168.1.10:52417");
}

TEST_F(MergeTest, OurAddressAmongARemotePeersAddressesIsDroppedNotThePeer) {
  self_.addresses = {*IpAddress::Parse("172.17.0.1")};
  See("headscale", Seen().peer_id(kPeerB).at("172.17.0.1:52416").at("100.64.0.8:52416"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_THAT(Texts(peers[0]), ElementsAre("100.64.0.8:52416"));
}

TEST_F(MergeTest, AddressesAreRankedLanThenDirectThenRelayedThenOther) {
  See("x", Seen()
               .peer_id(kPeerA)
               .at("203.0.113.9:52416")
               .at("100.64.0.5:52416")
               .at("192.168.1.5:52416"));
  See("tailscale", Seen().node("n1").at("100.64.0.5").path(TailnetPath::kDirect));
  See("y", Seen().peer_id(kPeerB).at("203.0.113.10:52416").at("100.64.0.6:52416"));
  See("tailscale", Seen().node("n2").at("100.64.0.6").path(TailnetPath::kRelayed));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 2u);
  const Peer& a = peers[0].id == kPeerA ? peers[0] : peers[1];
  const Peer& b = peers[0].id == kPeerA ? peers[1] : peers[0];
  EXPECT_THAT(Texts(a), ElementsAre("192.168.1.5:52416", "100.64.0.5:52416", "203.0.113.9:52416"));
  EXPECT_EQ(a.addresses[1].kind, AddressKind::kTailnetDirect);
  EXPECT_THAT(Texts(b), ElementsAre("100.64.0.6:52416", "203.0.113.10:52416"));
  EXPECT_EQ(b.addresses[0].kind, AddressKind::kTailnetRelayed);
}

TEST_F(MergeTest, Ipv4BeforeIpv6UnlessConfigured) {
  See("x", Seen().peer_id(kPeerA).at("[fd7a:115c:a1e0::5]:52416").at("100.64.0.5:52416"));
  EXPECT_THAT(Texts(Merged()[0]), ElementsAre("100.64.0.5:52416", "[fd7a:115c:a1e0::5]:52416"));
  prefer_ipv6_ = true;
  EXPECT_THAT(Texts(Merged()[0]), ElementsAre("[fd7a:115c:a1e0::5]:52416", "100.64.0.5:52416"));
}

TEST_F(MergeTest, DifferentPeerIdsAtOneEndpointAreNeverJoined) {
  // An app restarted with a new identity while the old one is still cached somewhere.
  See("mdns", Seen().peer_id(kPeerA).at("192.168.1.5:52416"));
  See("headscale", Seen().peer_id(kPeerB).at("192.168.1.5:52416"));
  See("env", Seen().at("192.168.1.5:52416"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_NE(peers[0].peer_id, peers[1].peer_id);
}

TEST_F(MergeTest, DuplicatesCollapseAndOrderIsDeterministic) {
  See("env", Seen().at("10.0.0.3:1"));
  See("env", Seen().at("/ip4/10.0.0.3/tcp/1"));
  See("env", Seen().at("10.0.0.2:1"));
  See("static", Seen().at("10.0.0.2:1"));
  const std::vector<Peer> first = Merged();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, "10.0.0.2:1");
  EXPECT_THAT(first[0].sources, ElementsAre("env", "static"));
  EXPECT_EQ(first, Merged());
}

TEST_F(MergeTest, OnlineAndStaleAreMergedConservatively) {
  See("env", Seen().at("100.64.0.5:52416"));  // no opinion on online
  See("tailscale", Seen().node("n").at("100.64.0.5").online(false));
  stale_["tailscale"] = true;
  std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_FALSE(peers[0].online);  // the only opinion says offline
  EXPECT_FALSE(peers[0].stale);   // env still confirms it
  by_source_.erase("env");
  peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_TRUE(peers[0].stale);
  EXPECT_EQ(peers[0].id, "node:n");
}

TEST_F(MergeTest, AHostWithoutAnAppIsAPeerOfItsOwn) {
  See("tailscale", Seen().node("nodekey:cc").magic_dns("gpu.tail1234.ts.net").at("100.64.0.9"));
  See("mdns", Seen().peer_id(kPeerC).at("192.168.1.30:4001"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(peers[0].id, "node:nodekey:cc");  // named, so listed before the unnamed app
  EXPECT_EQ(peers[0].name, "gpu");
  EXPECT_FALSE(peers[0].addresses[0].endpoint.has_port());
}

}  // namespace
}  // namespace peerscout

namespace peerscout {
namespace {

class ZenohMergeTest : public MergeTest {};

TEST_F(ZenohMergeTest, AnExoInstanceJoinsItsTailnetNodeAndIsKeyedByItsZid) {
  See("tailscale", Seen()
                       .node("nodekey:bb")
                       .magic_dns("node-b.lab.test")
                       .at("100.64.0.2")
                       .at("fd7a:115c:a1e0::2"));
  See("exo", Seen().zid("b2").at("[fd7a:115c:a1e0::2]:52414"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, "zid:b2");
  EXPECT_EQ(peers[0].zenoh_id->ToString(), "b2");
  EXPECT_EQ(peers[0].tailnet_node, "nodekey:bb");
  EXPECT_EQ(peers[0].name, "node-b");
}

TEST_F(ZenohMergeTest, TwoZidsAreNeverOnePeerEvenAtOneEndpoint) {
  See("exo", Seen().zid("b2").at("[fd7a:115c:a1e0::2]:52414"));
  See("static", Seen().zid("c3").at("[fd7a:115c:a1e0::2]:52414"));
  EXPECT_EQ(Merged().size(), 2u);
}

TEST_F(ZenohMergeTest, OurOwnZidIsNeverAPeer) {
  self_.zenoh_ids = {*ZenohId::Parse("a1")};
  See("exo", Seen().zid("a1").at("[fd7a:115c:a1e0::1]:52414"));
  See("exo", Seen().zid("b2").at("[fd7a:115c:a1e0::2]:52414"));
  const std::vector<Peer> peers = Merged();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].id, "zid:b2");
}

}  // namespace
}  // namespace peerscout
