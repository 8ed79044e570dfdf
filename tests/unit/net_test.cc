#include <gtest/gtest.h>

#include "sidecar/net/base_encoding.h"
#include "sidecar/net/dns_name.h"
#include "sidecar/net/endpoint.h"
#include "sidecar/net/ip_address.h"
#include "sidecar/net/multiaddr.h"
#include "sidecar/net/peer_id.h"

namespace peerscout {
namespace {

// Examples from the libp2p peer-ids spec: one sha2-256 id in both textual forms, and an
// Ed25519 id (identity multihash).
constexpr const char* kQmId = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
constexpr const char* kQmIdAsCid = "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";
constexpr const char* kEd25519Id = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

TEST(IpAddressTest, ParsesAndPrintsCanonically) {
  EXPECT_EQ(IpAddress::Parse("10.0.0.1")->ToString(), "10.0.0.1");
  EXPECT_EQ(IpAddress::Parse("FD7A:115C:A1E0:0:0:0:0:1")->ToString(), "fd7a:115c:a1e0::1");
  EXPECT_FALSE(IpAddress::Parse("10.0.0.256"));
  EXPECT_FALSE(IpAddress::Parse("10.0.0"));
  EXPECT_FALSE(IpAddress::Parse("fe80::1%eth0"));
  EXPECT_FALSE(IpAddress::Parse(" 10.0.0.1"));
  EXPECT_FALSE(IpAddress::Parse(""));
}

TEST(IpAddressTest, SubnetsAndTailnetRanges) {
  const Subnet lan = *Subnet::Parse("192.168.1.77/24");
  EXPECT_EQ(lan.ToString(), "192.168.1.0/24");
  EXPECT_TRUE(lan.Contains(*IpAddress::Parse("192.168.1.5")));
  EXPECT_FALSE(lan.Contains(*IpAddress::Parse("192.168.2.5")));
  EXPECT_FALSE(lan.Contains(*IpAddress::Parse("::1")));
  EXPECT_FALSE(Subnet::Parse("10.0.0.0/33"));
  EXPECT_TRUE(IsTailnetAddress(*IpAddress::Parse("100.64.0.5")));
  EXPECT_TRUE(IsTailnetAddress(*IpAddress::Parse("100.127.255.1")));
  EXPECT_FALSE(IsTailnetAddress(*IpAddress::Parse("100.128.0.1")));
  EXPECT_TRUE(IsTailnetAddress(*IpAddress::Parse("fd7a:115c:a1e0::5")));
}

TEST(PeerIdTest, AcceptsBothSpecFormsAsOneId) {
  auto base58 = PeerId::Parse(kQmId);
  auto cid = PeerId::Parse(kQmIdAsCid);
  ASSERT_TRUE(base58) << base58.error();
  ASSERT_TRUE(cid) << cid.error();
  EXPECT_EQ(*base58, *cid);
  EXPECT_EQ(cid->ToString(), kQmId);
  auto ed25519 = PeerId::Parse(kEd25519Id);
  ASSERT_TRUE(ed25519) << ed25519.error();
  EXPECT_EQ(ed25519->ToString(), kEd25519Id);
}

TEST(PeerIdTest, RefusesWithAReason) {
  EXPECT_EQ(PeerId::Parse("").error(), "empty peer id");
  // '0', 'O', 'I' and 'l' are not in the base58 alphabet.
  EXPECT_NE(PeerId::Parse("12D3KooW0000").error().find("neither base58btc"), std::string::npos);
  // Valid base58, but not a multihash of a usable kind/length.
  EXPECT_NE(
      PeerId::Parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5S").error().find("peer id:"),
      std::string::npos);
  EXPECT_FALSE(PeerId::Parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5"));
  // Uppercase multibase 'B' and base32 with uppercase letters are not the lowercase form.
  EXPECT_FALSE(PeerId::Parse("Bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe"));
  EXPECT_FALSE(PeerId::Parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxE"));
  // A CIDv1 of another codec (dag-pb) is a content id, not a peer id.
  EXPECT_NE(PeerId::Parse("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")
                .error()
                .find("libp2p-key"),
            std::string::npos);
}

TEST(BaseEncodingTest, RoundTripsAndKeepsLeadingZeros) {
  const std::vector<uint8_t> bytes{0, 0, 1, 2, 255};
  EXPECT_EQ(*DecodeBase58Btc(EncodeBase58Btc(bytes)), bytes);
  EXPECT_EQ(EncodeBase58Btc(bytes).substr(0, 2), "11");
  EXPECT_EQ(*DecodeBase32Lower(EncodeBase32Lower(bytes)), bytes);
  EXPECT_EQ(EncodeBase32Lower({'f', 'o', 'o', 'b', 'a', 'r'}), "mzxw6ytboi");  // RFC 4648
  EXPECT_FALSE(DecodeBase32Lower("mzxw6ytboj"));                               // bad pad bits
  EXPECT_FALSE(DecodeBase58Btc(std::string(1000, '2')));                       // hostile length
  EXPECT_EQ(EncodeHex(bytes), "00000102ff");
  EXPECT_EQ(*DecodeHex("00000102FF"), bytes);
  EXPECT_FALSE(DecodeHex("0"));
  EXPECT_FALSE(DecodeHex("0g"));
}

TEST(DnsNameTest, ValidatesAndNormalizes) {
  EXPECT_EQ(DnsName::Parse("Node-A.tail1234.ts.net.")->ToString(), "node-a.tail1234.ts.net");
  EXPECT_EQ(DnsName::Parse("exo_worker_1")->ToString(), "exo_worker_1");
  for (const char* bad : {"", "-exo", "exo-", "a..b", "exo 2", "exo;rm", "$(reboot)", "1.2.3",
                          "exo\n2", "e\"xo", "node.123"}) {
    EXPECT_FALSE(DnsName::Parse(bad)) << bad;
  }
  EXPECT_FALSE(DnsName::Parse(std::string(64, 'a')));
  EXPECT_EQ(SanitizeHostLabel("John's MacBook Pro (2)"), "john-s-macbook-pro-2");
  EXPECT_EQ(SanitizeHostLabel("--$(reboot)--"), "reboot");
  EXPECT_EQ(SanitizeHostLabel("\n\t"), "");
}

TEST(EndpointTest, HostPortForms) {
  auto v4 = ParseHostPort("10.0.0.2:52416");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->ToMultiaddr(), "/ip4/10.0.0.2/tcp/52416");
  auto v6 = ParseHostPort("[fd7a:115c:a1e0::1]:52416");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->ToHostPort(), "[fd7a:115c:a1e0::1]:52416");
  EXPECT_EQ(v6->ToMultiaddr(), "/ip6/fd7a:115c:a1e0::1/tcp/52416");
  auto name = ParseHostPort("exo-2:30000");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->ToMultiaddr(), "/dns/exo-2/tcp/30000");
  EXPECT_NE(ParseHostPort("fd7a::1:5").error().find("brackets"), std::string::npos);
  EXPECT_NE(ParseHostPort("10.0.0.2").error().find("missing :port"), std::string::npos);
  EXPECT_NE(ParseHostPort("10.0.0.2:0").error().find("range"), std::string::npos);
  EXPECT_NE(ParseHostPort("10.0.0.2:65536").error().find("range"), std::string::npos);
  EXPECT_NE(ParseHostPort("10.0.0.2:+80").error().find("decimal"), std::string::npos);
  EXPECT_FALSE(ParseHostPort("[10.0.0.2]:80"));
}

TEST(MultiaddrTest, ParsesTheSupportedSubsetAndPrintsItBack) {
  for (const std::string& text : std::vector<std::string>{
           "/ip4/192.168.1.5/tcp/52416", "/ip6/fd7a:115c:a1e0::5/udp/4001/quic-v1",
           "/dns4/node-a.tail1234.ts.net/tcp/52416", "/dns6/exo-2/udp/9", "/dns/exo-2/tcp/30000",
           std::string("/ip4/100.64.0.5/tcp/52416/p2p/") + kEd25519Id}) {
    auto parsed = Multiaddr::Parse(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error();
    EXPECT_EQ(parsed->ToString(), text);
  }
  auto cid = Multiaddr::Parse(std::string("/ip4/10.0.0.1/tcp/1/p2p/") + kQmIdAsCid);
  ASSERT_TRUE(cid);
  EXPECT_EQ(cid->ToString(), std::string("/ip4/10.0.0.1/tcp/1/p2p/") + kQmId);
}

TEST(MultiaddrTest, RefusesWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"ip4/10.0.0.1/tcp/1", "starts with '/'"},
      {"/ip4/10.0.0.1", "missing /tcp or /udp"},
      {"/ip4/10.0.0.1/tcp", "missing port"},
      {"/ip4/10.0.0.1/tcp/99999", "range"},
      {"/ip4/fd7a::1/tcp/1", "not an IPv4"},
      {"/ip6/10.0.0.1/tcp/1", "not an IPv6"},
      {"/ip4/exo-2/tcp/30000", "not an IPv4"},  // PR #1690's own compose example
      {"/dns4/exo 2/tcp/1", "bad host name"},
      {"/unix/tmp/sock", "unsupported protocol"},
      {"/ip4/10.0.0.1/tcp/1/", "empty component"},
      {"/ip4/10.0.0.1/tcp/1/p2p", "missing peer id"},
      {"/ip4/10.0.0.1/tcp/1/p2p/notanid", "peer id"},
      {"/ip4/10.0.0.1/tcp/1/ws", "unexpected component"},
      {"/ip4/10.0.0.1/tcp/1/quic-v1", "unexpected component"},
  };
  for (const auto& [text, reason] : cases) {
    auto parsed = Multiaddr::Parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find(reason), std::string::npos) << text << ": " << parsed.error();
  }
}

}  // namespace
}  // namespace peerscout
