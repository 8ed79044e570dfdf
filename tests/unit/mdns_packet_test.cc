// libp2p mDNS packets as real peers sent them (tests/fixtures/capture-mdns.sh: go-libp2p,
// avahi-daemon, and the rust-libp2p wire format), and hostile ones, through the parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "adapters/mdns/libp2p_message.h"
#include "tests/unit/observation_builders.h"

namespace peerscout::mdns {
namespace {

using namespace std::chrono_literals;
using testing::At;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Id;
using ::testing::IsEmpty;

constexpr const char* kGoPeer = "12D3KooWJJnRtj5GhnnUN7gxUYZ4v3tb6mo7sf9vFuHPuLPUHPPZ";
constexpr const char* kRustPeer = "12D3KooWQ6vwxZNxGtDkzL3JtY8AemdeYJ2PFxyX8vAd7Av3gr4a";
const IpAddress kHost1 = *IpAddress::Parse("10.214.20.11");  // every capture's sender

std::vector<uint8_t> Packet(const std::string& name) {
  std::ifstream file(std::string(PEERSCOUT_SOURCE_DIR) + "/tests/fixtures/mdns/" + name,
                     std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

ErrorOr<Libp2pMessage> Parse(const std::string& name) {
  const std::vector<uint8_t> bytes = Packet(name);
  EXPECT_FALSE(bytes.empty()) << name;
  return ParseLibp2pMessage(bytes, kHost1);
}

TEST(Libp2pPacketTest, GoLibp2psAnswerNamesItsPeerAtItsAddress) {
  auto message = Parse("go-libp2p-response.bin");
  ASSERT_TRUE(message) << message.error();
  EXPECT_FALSE(message->is_query);
  ASSERT_EQ(message->announcements.size(), 1u);
  const Libp2pAnnouncement& peer = message->announcements[0];
  EXPECT_EQ(peer.peer_id, Id(kGoPeer));
  EXPECT_THAT(peer.endpoints, ElementsAre(At("/ip4/10.214.20.11/tcp/4001")));
  EXPECT_EQ(peer.ttl, 3200s);
}

TEST(Libp2pPacketTest, GoLibp2psGoodbyeHasTtlZero) {
  auto message = Parse("go-libp2p-goodbye.bin");
  ASSERT_TRUE(message) << message.error();
  ASSERT_EQ(message->announcements.size(), 1u);
  EXPECT_EQ(message->announcements[0].peer_id, Id(kGoPeer));
  EXPECT_EQ(message->announcements[0].ttl, 0s);
}

TEST(Libp2pPacketTest, RustsBareLabelAndAdditionalTxtAreFollowedAndTheSourceIpUsed) {
  auto message = Parse("rust-response-two-addresses.bin");
  ASSERT_TRUE(message) << message.error();
  ASSERT_EQ(message->announcements.size(), 1u);
  const Libp2pAnnouncement& peer = message->announcements[0];
  EXPECT_EQ(peer.peer_id, Id(kRustPeer));
  EXPECT_EQ(peer.ttl, 2500s);
  // 0.0.0.0 and the interface address both become the address the packet came from.
  EXPECT_THAT(peer.endpoints, ElementsAre(At("/ip4/10.214.20.11/tcp/52416"),
                                          At("/ip4/10.214.20.11/udp/52416/quic-v1")));
  auto goodbye = Parse("rust-goodbye-ttl0.bin");
  ASSERT_TRUE(goodbye);
  ASSERT_EQ(goodbye->announcements.size(), 1u);
  EXPECT_EQ(goodbye->announcements[0].ttl, 0s);
}

TEST(Libp2pPacketTest, FromAnIpv6LinkLocalSourceThePeersOwnAddressesAreKept) {
  const IpAddress link_local = *IpAddress::Parse("fe80::1");
  const std::vector<uint8_t> go = Packet("go-libp2p-response.bin");
  auto message = ParseLibp2pMessage(go, link_local);
  ASSERT_TRUE(message);
  ASSERT_EQ(message->announcements.size(), 1u);
  EXPECT_THAT(message->announcements[0].endpoints, ElementsAre(At("/ip4/10.214.20.11/tcp/4001")));
  // 0.0.0.0 says nothing and fe80:: has no scope: only the interface address is left.
  const std::vector<uint8_t> rust = Packet("rust-response-two-addresses.bin");
  auto two = ParseLibp2pMessage(rust, link_local);
  ASSERT_TRUE(two);
  ASSERT_EQ(two->announcements.size(), 1u);
  EXPECT_THAT(two->announcements[0].endpoints,
              ElementsAre(At("/ip4/10.214.20.11/udp/52416/quic-v1")));
  // Heard over IPv6 from a routable address: an IPv4 listen address is not turned into it.
  auto other_family = ParseLibp2pMessage(rust, *IpAddress::Parse("fd00::5"));
  ASSERT_TRUE(other_family);
  EXPECT_THAT(other_family->announcements[0].endpoints,
              ElementsAre(At("/ip4/10.214.20.11/udp/52416/quic-v1")));
}

TEST(Libp2pPacketTest, QueriesAreToldApartFromAnswers) {
  for (const char* name :
       {"go-libp2p-query.bin", "rust-query.bin", "query-from-ephemeral-port.bin"}) {
    auto message = Parse(name);
    ASSERT_TRUE(message) << name << ": " << message.error();
    EXPECT_TRUE(message->is_query) << name;
    EXPECT_TRUE(message->asks_for_peers) << name;
    EXPECT_THAT(message->announcements, IsEmpty());
  }
}

TEST(Libp2pPacketTest, OurQueryIsTheOnePeersAnswer) {
  const std::vector<uint8_t> query = BuildLibp2pQuery();
  // The same 33 bytes as go-libp2p's and rust-libp2p's own queries, but for the id.
  const std::vector<uint8_t> theirs = Packet("rust-query.bin");
  ASSERT_EQ(query.size(), theirs.size());
  EXPECT_TRUE(std::equal(query.begin() + 2, query.end(), theirs.begin() + 2));
  auto parsed = ParseLibp2pMessage(query, kHost1);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->asks_for_peers);
}

TEST(Libp2pPacketTest, ADnsSdAnswerIsNoLibp2pPeer) {
  auto message = Parse("avahi-response.bin");
  ASSERT_TRUE(message) << message.error();
  EXPECT_THAT(message->announcements, IsEmpty());
  EXPECT_THAT(message->dropped, IsEmpty());
}

TEST(Libp2pPacketTest, MalformedPacketsAreRefused) {
  for (const char* name :
       {"hostile-oversized-txt.bin", "hostile-compression-loop.bin", "hostile-truncated.bin"}) {
    auto message = Parse(name);
    EXPECT_FALSE(message) << name;
    if (!message) {
      EXPECT_THAT(message.error(), HasSubstr("malformed")) << name;
    }
  }
}

TEST(Libp2pPacketTest, HostileAddressesAreDroppedOneByOne) {
  for (const char* name : {"hostile-bad-utf8.bin", "hostile-injection.bin"}) {
    auto message = Parse(name);
    ASSERT_TRUE(message) << name << ": " << message.error();
    EXPECT_THAT(message->announcements, IsEmpty()) << name;
    EXPECT_FALSE(message->dropped.empty()) << name;
  }
  EXPECT_EQ(Parse("hostile-injection.bin")->dropped.size(), 3u);
}

TEST(Libp2pPacketTest, EveryPrefixOfARealPacketIsRefusedOrReadSafely) {
  for (const char* name : {"go-libp2p-response.bin", "rust-response-two-addresses.bin",
                           "go-libp2p-goodbye.bin", "avahi-response.bin"}) {
    const std::vector<uint8_t> bytes = Packet(name);
    for (size_t size = 0; size < bytes.size(); ++size) {
      auto message = ParseLibp2pMessage(std::span(bytes.data(), size), kHost1);
      if (message) {
        EXPECT_LE(message->announcements.size(), 1u) << name << " cut at " << size;
      }
    }
  }
}

}  // namespace
}  // namespace peerscout::mdns
