#include "sidecar/render/format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <regex>
#include <sstream>

#include "sidecar/core/merge.h"
#include "sidecar/log/logging.h"
#include "sidecar/render/peer_filter.h"
#include "sidecar/render/shell_quote.h"
#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using testing::kPeerA;
using testing::kPeerB;
using testing::Seen;

class FormatTest : public ::testing::Test {
 protected:
  FormatTest() {
    observations_["mdns"] = {Seen().peer_id(kPeerA).at("192.168.1.5:52416")};
    observations_["headscale"] = {
        Seen().peer_id(kPeerA).at("100.64.0.5:52416").at("[fd7a:115c:a1e0::5]:52416")};
    observations_["tailscale"] = {
        Seen().node("n-a").magic_dns("node-a.tail1234.ts.net").hostname("Node A").at("100.64.0.5"),
        Seen().node("n-b").hostname("b\n127.0.0.1 evil").at("100.64.0.6").online(false)};
    observations_["env"] = {Seen().at("10.9.0.7:30000"), Seen().at("/dns4/exo-3/tcp/30000"),
                            Seen().peer_id(kPeerB).at("/ip4/10.9.0.8/udp/4001/quic-v1")};
    peers_ = Build();
  }

  PeerSet Build() {
    MergeInput input;
    input.network.local_subnets = {*Subnet::Parse("192.168.1.0/24")};
    for (const auto& [source, list] : observations_)
      input.sources.push_back({source, &list, false});
    return PeerSet{7, Merge(input)};
  }

  std::string Render(const std::string& format, const RenderOptions& options = {}) {
    return FindFormat(format)->render(peers_, options);
  }

  std::map<std::string, std::vector<Observation>> observations_;
  PeerSet peers_;
};

TEST_F(FormatTest, ExoGetsOneIpv4TcpMultiaddrPerPeerCommaSeparatedNoSpaces) {
  // Listing order: named peers first (node-a), then by address.
  EXPECT_EQ(Render("exo"), "/ip4/192.168.1.5/tcp/52416/p2p/" + kPeerA + ",/ip4/10.9.0.7/tcp/30000");
}

TEST_F(FormatTest, ExoOutputMatchesWhatExoAccepts) {
  // exo v1.0.69-71: split on ',', no trimming, /ip4/<literal>/tcp/<port>[/p2p/<id>] only.
  const std::regex accepted(
      R"(/ip4/(\d{1,3}\.){3}\d{1,3}/tcp/\d{1,5}(/p2p/[1-9A-HJ-NP-Za-km-z]+)?)");
  std::stringstream list(Render("exo"));
  std::string entry;
  int count = 0;
  while (std::getline(list, entry, ',')) {
    EXPECT_TRUE(std::regex_match(entry, accepted)) << entry;
    ++count;
  }
  EXPECT_EQ(count, 2);
}

TEST_F(FormatTest, ZenohGetsTheBestTcpEndpointOfEachPeer) {
  // Names and IPv6 are fine for zenoh; UDP is not what exo listens on.
  EXPECT_EQ(Render("zenoh"), "tcp/exo-3:30000,tcp/192.168.1.5:52416,tcp/10.9.0.7:30000");
  PeerFilter v6;
  v6.families = AddressFamilies::kIpv6;
  EXPECT_EQ(FindFormat("zenoh")->render(FilterPeers(peers_, v6), {}),
            "tcp/[fd7a:115c:a1e0::5]:52416");
}

TEST_F(FormatTest, AFamilyFilterDropsOtherAddressesAndPeersLeftWithNone) {
  PeerFilter v4;
  v4.families = AddressFamilies::kIpv4;
  const PeerSet filtered = FilterPeers(peers_, v4);
  EXPECT_EQ(filtered.version, 7u);
  for (const Peer& peer : filtered.peers) {
    for (const PeerAddress& address : peer.addresses) {
      const IpAddress* ip = address.endpoint.ip();
      EXPECT_TRUE(ip == nullptr || ip->is_v4()) << address.endpoint.ToHostPort();
    }
  }
  // /dns4/exo-3 is kept: it asks for IPv4.
  EXPECT_EQ(filtered.peers.size(), peers_.peers.size());
  PeerFilter v6;
  v6.families = AddressFamilies::kIpv6;
  EXPECT_EQ(FilterPeers(peers_, v6).peers.size(), 1u);
}

TEST_F(FormatTest, EnvNarrowsAVariableToItsFamilies) {
  RenderOptions options;
  options.env_vars = {{"ZENOH6", "zenoh", AddressFamilies::kIpv6}};
  const std::string expected = "\nZENOH6=" + ShellQuote("tcp/[fd7a:115c:a1e0::5]:52416") + "\n";
  EXPECT_NE(Render("env", options).find(expected), std::string::npos) << Render("env", options);
}

TEST_F(FormatTest, MultiaddrListsEveryAddressWithAPort) {
  EXPECT_EQ(Render("multiaddr"),
            "/dns4/exo-3/tcp/30000\n"
            "/ip4/192.168.1.5/tcp/52416/p2p/" +
                kPeerA +
                "\n"
                "/ip4/100.64.0.5/tcp/52416/p2p/" +
                kPeerA +
                "\n"
                "/ip6/fd7a:115c:a1e0::5/tcp/52416/p2p/" +
                kPeerA +
                "\n"
                "/ip4/10.9.0.7/tcp/30000\n"
                "/ip4/10.9.0.8/udp/4001/quic-v1/p2p/" +
                kPeerB + "\n");
  RenderOptions comma;
  comma.separator = ",";
  EXPECT_EQ(Render("multiaddr", comma).find('\n'), std::string::npos);
}

TEST_F(FormatTest, LinesGivesTheBestHostPortOfEachPeer) {
  EXPECT_EQ(Render("lines"), "exo-3:30000\n192.168.1.5:52416\n10.9.0.7:30000\n10.9.0.8:4001\n");
}

TEST_F(FormatTest, JsonCarriesVersionAndEveryField) {
  rapidjson::Document document;
  const std::string json = Render("json");
  document.Parse(json.c_str());
  ASSERT_FALSE(document.HasParseError());
  EXPECT_EQ(document["version"].GetUint64(), 7u);
  const auto& peers = document["peers"];
  ASSERT_EQ(peers.Size(), 5u);
  // By name, then address: b-127-0-0-1-evil, exo-3, node-a (A); unnamed 10.9.0.7, B.
  const auto& a = peers[2];
  EXPECT_STREQ(a["id"].GetString(), kPeerA.c_str());
  EXPECT_STREQ(a["name"].GetString(), "node-a");
  EXPECT_STREQ(a["addresses"][0]["kind"].GetString(), "lan");
  EXPECT_EQ(a["addresses"][0]["port"].GetUint(), 52416u);
  EXPECT_STREQ(a["addresses"][0]["multiaddr"].GetString(),
               ("/ip4/192.168.1.5/tcp/52416/p2p/" + kPeerA).c_str());
  EXPECT_EQ(a["sources"].Size(), 3u);
  EXPECT_TRUE(a["online"].GetBool());
  // The hostile hostname is data inside a JSON string, escaped.
  EXPECT_NE(json.find(R"(b\n127.0.0.1 evil)"), std::string::npos);
}

TEST_F(FormatTest, EnvIsShellSafeAndCarriesConfiguredVariables) {
  RenderOptions options;
  options.env_vars = {{"EXO_BOOTSTRAP_PEERS", "exo"}, {"PEERS", "multiaddr"}};
  const std::string env = Render("env", options);
  EXPECT_NE(env.find("PEERSCOUT_VERSION=7\n"), std::string::npos);
  EXPECT_NE(env.find("PEERSCOUT_PEER_COUNT=5\n"), std::string::npos);
  EXPECT_NE(env.find("EXO_BOOTSTRAP_PEERS=" + Render("exo") + "\n"), std::string::npos);
  RenderOptions comma;
  comma.separator = ",";
  EXPECT_NE(env.find("\nPEERSCOUT_PEERS=" + Render("multiaddr", comma) + "\n"), std::string::npos);
  std::stringstream lines(env);
  std::string line;
  const std::regex safe(R"(#.*|[A-Z_][A-Z0-9_]*=[A-Za-z0-9/.,:_@%+=\[\]-]*)");
  while (std::getline(lines, line)) EXPECT_TRUE(std::regex_match(line, safe)) << line;
}

TEST_F(FormatTest, HostsNamesOnlyValidNamesAndNeverTheHostileOne) {
  const std::string hosts = Render("hosts");
  EXPECT_NE(hosts.find("192.168.1.5\tnode-a\tnode-a.tail1234.ts.net\n"), std::string::npos);
  EXPECT_NE(hosts.find("100.64.0.5\tnode-a\tnode-a.tail1234.ts.net\n"), std::string::npos);
  // The tailscale host named "b\n127.0.0.1 evil" is written under a sanitized label only.
  EXPECT_NE(hosts.find("100.64.0.6\tb-127-0-0-1-evil\n"), std::string::npos);
  EXPECT_EQ(hosts.find("\n127.0.0.1"), std::string::npos);
  std::stringstream lines(hosts);
  std::string line;
  const std::regex entry(R"(#.*|[0-9a-f.:]+(\t[a-z0-9._-]+)+)");
  while (std::getline(lines, line)) EXPECT_TRUE(std::regex_match(line, entry)) << line;
}

TEST_F(FormatTest, FileSdIsPrometheusTargetGroups) {
  rapidjson::Document document;
  const std::string json = Render("file_sd");
  document.Parse(json.c_str());
  ASSERT_FALSE(document.HasParseError());
  ASSERT_TRUE(document.IsArray());
  ASSERT_EQ(document.Size(), 4u);  // the tailnet host without an app port has no target
  const auto& group = document[1];
  EXPECT_STREQ(group["targets"][0].GetString(), "192.168.1.5:52416");
  EXPECT_STREQ(group["labels"]["__meta_peerscout_sources"].GetString(),
               ",headscale,mdns,tailscale,");
}

TEST_F(FormatTest, FiltersKeepTheVersion) {
  PeerFilter filter;
  filter.sources = {"mdns"};
  PeerSet view = FilterPeers(peers_, filter);
  ASSERT_EQ(view.peers.size(), 1u);
  EXPECT_EQ(view.version, 7u);
  filter = {};
  filter.online = false;
  view = FilterPeers(peers_, filter);
  ASSERT_EQ(view.peers.size(), 1u);
  EXPECT_EQ(view.peers[0].id, "node:n-b");
}

TEST_F(FormatTest, EmptySetsRenderAsEmptyLists) {
  peers_ = PeerSet{1, {}};
  EXPECT_EQ(Render("exo"), "");
  EXPECT_EQ(Render("multiaddr"), "");
  EXPECT_EQ(Render("file_sd"), "[]\n");
  EXPECT_EQ(Render("json"), "{\"version\":1,\"peers\":[]}\n");
}

TEST(EscapeControlTest, MakesControlCharactersVisible) {
  EXPECT_EQ(EscapeControl("a\nb\r\t\x1b[2J\x7f"), "a\\nb\\r\\t\\x1b[2J\\x7f");
  EXPECT_EQ(EscapeControl("plain /ip4/1.2.3.4 \"q\""), "plain /ip4/1.2.3.4 \"q\"");
}

TEST(ShellQuoteTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellQuote("/ip4/1.2.3.4/tcp/5,[::1]:5"), "/ip4/1.2.3.4/tcp/5,[::1]:5");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("$(reboot)"), "'$(reboot)'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("a\nb"), "'a\nb'");
  EXPECT_TRUE(IsEnvVarName("EXO_BOOTSTRAP_PEERS"));
  EXPECT_FALSE(IsEnvVarName("1X"));
  EXPECT_FALSE(IsEnvVarName("A-B"));
  EXPECT_FALSE(IsEnvVarName(""));
}

}  // namespace
}  // namespace peerscout
