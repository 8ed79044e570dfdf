// The mdns source on a real LAN: hosts in network namespaces on one bridge, each with its own
// dbus-daemon and avahi-daemon (lab.sh beside this file). peerscout runs inside host 2 and
// sees what the other hosts announce: DNS-SD services through avahi-daemon, a real go-libp2p
// node, and a responder sending rust-libp2p's exact packets, which avahi-daemon drops.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <thread>

#include "tests/integration/lan/lan_lab.h"
#include "tests/integration/sidecar_queries.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// go-libp2p's ids for --key-seed 1 and 2 (tests/peers/libp2p-mdns).
constexpr const char* kGoPeer = "12D3KooWJJnRtj5GhnnUN7gxUYZ4v3tb6mo7sf9vFuHPuLPUHPPZ";
constexpr const char* kRustPeer = "12D3KooWQ6vwxZNxGtDkzL3JtY8AemdeYJ2PFxyX8vAd7Av3gr4a";
constexpr const char* kOurApp = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
constexpr const char* kOtherApp = "12D3KooWRm8J3iL796zPFi2EtGGtUJn58AG67gcqzMFHZnnsTzqD";

std::string Config(const std::string& mdns, const std::string& self = "") {
  return R"(
[registry]
startup_deadline = "0s"
[self]
)" + self +
         R"(
[sources.env]
enabled = false
[sources.tailscale]
enabled = false
[sources.mdns]
)" + mdns;
}

// A counter of the mdns source in /metrics; -1 when absent.
double Counter(const SidecarProcess& sidecar, const std::string& event) {
  const auto metrics = sidecar.Get("/metrics");
  if (!metrics) return -1;
  const std::string key = "peerscout_source_events_total{source=\"mdns\",event=\"" + event + "\"} ";
  const size_t at = metrics->body.find(key);
  return at == std::string::npos ? -1 : std::stod(metrics->body.substr(at + key.size()));
}

std::string Responder() {
  return std::string(PEERSCOUT_SOURCE_DIR) + "/tests/peers/rust_mdns_responder.py";
}

class MdnsSourceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    lab_ = std::make_unique<LanLab>(directory_, 3);
    if (!lab_->ok()) {
      if (IntegrationRequired()) FAIL() << lab_->error();
      GTEST_SKIP() << "no LAN lab (needs root, iproute2, dbus-daemon, avahi): " << lab_->error();
    }
  }

  // peerscout inside host k, with the mdns source on (the backend under test).
  SidecarProcess& Start(int k, const std::string& mdns = "", const std::string& self = "",
                        std::map<std::string, std::string> env = {}) {
    auto directory = std::make_unique<TestDirectory>();
    env.emplace("PEERSCOUT_SOURCES_MDNS_ENABLED", "true");
    auto sidecar = std::make_unique<SidecarProcess>(
        *directory,
        SidecarProcess::Options{Config("backend = \"" + GetParam() + "\"\n" + mdns, self),
                                std::move(env), lab_->InHost(k)});
    EXPECT_TRUE(sidecar->WaitUntilHealthy()) << sidecar->Log();
    directories_.push_back(std::move(directory));
    sidecars_.push_back(std::move(sidecar));
    return *sidecars_.back();
  }

  // A command left running inside host k.
  BackgroundCommand& Spawn(int k, std::vector<std::string> argv) {
    std::vector<std::string> full = lab_->InHost(k);
    full.insert(full.end(), argv.begin(), argv.end());
    commands_.push_back(std::make_unique<BackgroundCommand>(full));
    return *commands_.back();
  }

  ProcessResult InHost(int k, std::vector<std::string> argv) {
    std::vector<std::string> full = lab_->InHost(k);
    full.insert(full.end(), argv.begin(), argv.end());
    return RunCommand(full);
  }

  // The go-libp2p test peer (built and cached by build-daemons.sh); "" after failing or
  // skipping the test when it cannot be built.
  void GoPeer(std::string& binary) {
    const ProcessResult built =
        RunCommand({"bash", std::string(PEERSCOUT_SOURCE_DIR) + "/tests/tools/build-daemons.sh",
                    "libp2p-mdns"},
                   {}, std::chrono::seconds(600));
    if (built.exit_code == 0) {
      binary = built.out.substr(0, built.out.find('\n'));
    } else if (IntegrationRequired()) {
      ADD_FAILURE() << built.err;
    } else {
      GTEST_SKIP() << "go-libp2p test peer not built: " << built.err;
    }
  }

  // What avahi-browse on host k resolves of `type`, one line per service and address.
  std::string Browse(int k, const std::string& type) {
    return InHost(k, {"avahi-browse", "-rtp", type}).out;
  }

  TestDirectory directory_;
  std::unique_ptr<LanLab> lab_;
  std::vector<std::unique_ptr<BackgroundCommand>> commands_;
  std::vector<std::unique_ptr<TestDirectory>> directories_;
  std::vector<std::unique_ptr<SidecarProcess>> sidecars_;
};

TEST_P(MdnsSourceTest, APublishedServiceIsListedAndGoneAfterItsGoodbye) {
  SidecarProcess& sidecar = Start(2);
  BackgroundCommand& publisher =
      Spawn(1, {"avahi-publish", "-s", "exo on host 1", "_peerscout._tcp", "4242",
                std::string("peer_id=") + kOtherApp, "port=52416", "app=exo"});
  const std::string expected = "/ip4/" + lab_->Host(1, "IP4") + "/tcp/52416/p2p/" + kOtherApp;
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kOtherApp);
                           return peer && FirstMultiaddr(*peer) == expected;
                         }),
            0)
      << sidecar.Log();
  publisher.Signal(SIGTERM);  // avahi-publish withdraws: a goodbye with TTL 0
  ASSERT_GE(WaitForPeers(
                sidecar, [&](const PeerList& peers) { return !peers.ByPeerId(kOtherApp); },
                std::chrono::seconds(10)),
            0);
  EXPECT_THAT(sidecar.Log(), Not(HasSubstr("Bonjour compatibility"))) << "log lines stay ours";
}

TEST_P(MdnsSourceTest, OurAdvertisementIsBrowsableElsewhereAndWithdrawnWhenWeStop) {
  SidecarProcess& sidecar = Start(
      2, "app = \"exo\"\n", std::string("peer_ids = [\"") + kOurApp + "\"]\napp_ports = [52416]");
  ASSERT_TRUE(Eventually([&] {
    return Browse(1, "_peerscout._tcp").find(std::string("peer_id=") + kOurApp) !=
           std::string::npos;
  }));
  const std::string seen = Browse(1, "_peerscout._tcp");
  EXPECT_THAT(seen, HasSubstr(lab_->Host(2, "IP4") + ";52416;"));
  EXPECT_THAT(seen, HasSubstr("\"app=exo\""));
  EXPECT_THAT(seen, HasSubstr("\"port=52416\""));
  sidecar.Signal(SIGTERM);
  ASSERT_EQ(sidecar.WaitForExit(), 0);
  EXPECT_TRUE(
      Eventually([&] { return Browse(1, "_peerscout._tcp").find(kOurApp) == std::string::npos; },
                 std::chrono::seconds(10)));
}

TEST_P(MdnsSourceTest, TwoSidecarsFindEachOther) {
  SidecarProcess& first =
      Start(1, "", std::string("peer_ids = [\"") + kOtherApp + "\"]\napp_ports = [52416]");
  SidecarProcess& second =
      Start(2, "", std::string("peer_ids = [\"") + kOurApp + "\"]\napp_ports = [52416]");
  ASSERT_GE(WaitForPeers(first, [&](const PeerList& peers) { return peers.ByPeerId(kOurApp); }), 0)
      << first.Log();
  ASSERT_GE(WaitForPeers(second, [&](const PeerList& peers) { return peers.ByPeerId(kOtherApp); }),
            0)
      << second.Log();
  const auto reply = first.Get("/v1/peers");
  ASSERT_TRUE(reply);
  PeerList peers(reply->body);
  EXPECT_EQ(FirstMultiaddr(*peers.ByPeerId(kOurApp)),
            "/ip4/" + lab_->Host(2, "IP4") + "/tcp/52416/p2p/" + kOurApp);
  EXPECT_FALSE(peers.ByPeerId(kOtherApp)) << "our own app is never a peer";
}

TEST_P(MdnsSourceTest, AvahiDaemonRestartingIsAStateAndRecovers) {
  SidecarProcess& sidecar = Start(2);
  BackgroundCommand& publisher = Spawn(1, {"avahi-publish", "-s", "svc", "_peerscout._tcp", "4242",
                                           std::string("peer_id=") + kOtherApp});
  ASSERT_GE(WaitForPeers(sidecar, [&](const PeerList& peers) { return peers.ByPeerId(kOtherApp); }),
            0);
  ASSERT_EQ(lab_->Run("avahi-stop", {"2"}).exit_code, 0);
  // With the dns_sd backend, avahi-compat once crashed the sidecar here (see dns_sd_backend.cc).
  ASSERT_TRUE(Eventually([&] {
    return !SourceField(sidecar, "mdns", "details.dns_sd").empty() &&
           SourceField(sidecar, "mdns", "details.dns_sd") != "browsing";
  })) << (sidecar.running() ? "running" : "the sidecar died")
      << "\n"
      << sidecar.Log();
  // Kept, marked stale, while the daemon is away; the libp2p half goes on.
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kOtherApp);
                           return peer && (*peer)["stale"].GetBool();
                         }),
            0);
  EXPECT_TRUE(sidecar.running());
  ASSERT_EQ(lab_->Run("avahi-start", {"2"}).exit_code, 0);
  ASSERT_TRUE(Eventually([&] {
    return SourceField(sidecar, "mdns", "details.dns_sd") == "browsing";
  })) << sidecar.Log();
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kOtherApp);
                           return peer && !(*peer)["stale"].GetBool();
                         }),
            0);
  publisher.Signal(SIGTERM);
  ASSERT_GE(WaitForPeers(
                sidecar, [&](const PeerList& peers) { return !peers.ByPeerId(kOtherApp); },
                std::chrono::seconds(10)),
            0);
}

TEST_P(MdnsSourceTest, StartsWithoutAvahiDaemonAndUsesItOnceItIsThere) {
  ASSERT_EQ(lab_->Run("avahi-stop", {"2"}).exit_code, 0);
  SidecarProcess& sidecar = Start(2);
  ASSERT_TRUE(Eventually([&] { return SourceField(sidecar, "mdns", "state") == "ok"; }))
      << "the libp2p half works alone: " << sidecar.Log();
  EXPECT_THAT(SourceField(sidecar, "mdns", "details.dns_sd"),
              ::testing::AnyOf(HasSubstr("not running"), HasSubstr("did not answer")));
  Spawn(1, {"avahi-publish", "-s", "svc", "_peerscout._tcp", "4242",
            std::string("peer_id=") + kOtherApp});
  ASSERT_EQ(lab_->Run("avahi-start", {"2"}).exit_code, 0);
  ASSERT_GE(WaitForPeers(sidecar, [&](const PeerList& peers) { return peers.ByPeerId(kOtherApp); }),
            0)
      << sidecar.Log();
  EXPECT_TRUE(
      Eventually([&] { return SourceField(sidecar, "mdns", "details.dns_sd") == "browsing"; }));
}

TEST_P(MdnsSourceTest, AGoLibp2pNodeIsFoundWithItsIdAndGoneWhenItCloses) {
  std::string binary;
  GoPeer(binary);
  if (binary.empty()) return;
  SidecarProcess& sidecar = Start(2);
  BackgroundCommand& node = Spawn(
      1, {binary, "--key-seed", "1", "--listen", "/ip4/" + lab_->Host(1, "IP4") + "/tcp/4001"});
  const std::string expected = "/ip4/" + lab_->Host(1, "IP4") + "/tcp/4001/p2p/" + kGoPeer;
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kGoPeer);
                           return peer && FirstMultiaddr(*peer) == expected;
                         }),
            0)
      << sidecar.Log() << node.Err();
  node.Signal(SIGTERM);  // zeroconf sends its records again with TTL 0
  ASSERT_GE(WaitForPeers(
                sidecar, [&](const PeerList& peers) { return !peers.ByPeerId(kGoPeer); },
                std::chrono::seconds(10)),
            0);
}

TEST_P(MdnsSourceTest, AGoLibp2pNodeAnswersTheLivenessProbeAndKeepsRunning) {
  std::string binary;
  GoPeer(binary);
  if (binary.empty()) return;
  SidecarProcess& sidecar = Start(
      2, "", "", {{"PEERSCOUT_LIVENESS_ENABLED", "true"}, {"PEERSCOUT_LIVENESS_INTERVAL", "1s"}});
  BackgroundCommand& node = Spawn(
      1, {binary, "--key-seed", "1", "--listen", "/ip4/" + lab_->Host(1, "IP4") + "/tcp/4001"});
  // The connect reaches go-libp2p's TCP listener, which drops it before any handshake.
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kGoPeer);
                           if (peer == nullptr || !(*peer)["reachable"].IsBool()) return false;
                           const auto& reach = (*peer)["addresses"][0]["reach"];
                           return (*peer)["reachable"].GetBool() && reach.IsObject() &&
                                  std::string(reach["probe"].GetString()) == "tcp-connect";
                         }),
            0)
      << sidecar.Log() << node.Err();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // two more probes
  EXPECT_EQ(node.WaitForExit(std::chrono::milliseconds(0)), -1) << "the probes hurt the node";
  const auto reachable = sidecar.Get("/v1/peers?format=multiaddr&reachable=true");
  ASSERT_TRUE(reachable);
  EXPECT_EQ(reachable->body,
            "/ip4/" + lab_->Host(1, "IP4") + "/tcp/4001/p2p/" + std::string(kGoPeer) + "\n");
}

TEST_P(MdnsSourceTest, ANodeHeardOnlyOverIpv6IsListedAtItsOwnAddress) {
  std::string binary;
  GoPeer(binary);
  if (binary.empty()) return;
  // Host 1 keeps only IPv6: a routable ULA address and its link-local one, whose packets come
  // from fe80::, which no output could use without its interface.
  const std::string ula = "fd00:214::11";
  ASSERT_EQ(InHost(1, {"ip", "addr", "add", ula + "/64", "dev", "eth0", "nodad"}).exit_code, 0);
  ASSERT_EQ(InHost(1, {"ip", "-4", "addr", "flush", "dev", "eth0"}).exit_code, 0);
  SidecarProcess& sidecar = Start(2);
  BackgroundCommand& node =
      Spawn(1, {binary, "--key-seed", "1", "--listen", "/ip6/" + ula + "/tcp/4001"});
  const std::string expected = "/ip6/" + ula + "/tcp/4001/p2p/" + kGoPeer;
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kGoPeer);
                           return peer && FirstMultiaddr(*peer) == expected;
                         }),
            0)
      << sidecar.Log() << node.Err();
}

TEST_P(MdnsSourceTest, ARustLibp2pNodeIsFoundThoughAvahiCannotSeeIt) {
  SidecarProcess& sidecar = Start(2, "query_interval = \"2s\"\n");
  // exo listens on 0.0.0.0: its address comes from the packet, as rust-libp2p takes it.
  BackgroundCommand& node =
      Spawn(1, {"python3", Responder(), "--iface-ip", lab_->Host(1, "IP4"), "--peer-id", kRustPeer,
                "--addr", "/ip4/0.0.0.0/tcp/52416", "--query"});
  const std::string expected = "/ip4/" + lab_->Host(1, "IP4") + "/tcp/52416/p2p/" + kRustPeer;
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kRustPeer);
                           return peer && FirstMultiaddr(*peer) == expected;
                         }),
            0)
      << sidecar.Log() << node.Err();
  // avahi-daemon beside us drops every one of its answers ("invalid source port").
  EXPECT_THAT(InHost(2, {"avahi-browse", "-atrp"}).out, Not(HasSubstr("_p2p._udp")));
  // exo never says goodbye and announces a 2,500 s TTL: a node that stops answering our
  // queries goes after two of them.
  node.Signal(SIGKILL);
  ASSERT_GE(WaitForPeers(
                sidecar, [&](const PeerList& peers) { return !peers.ByPeerId(kRustPeer); },
                std::chrono::seconds(20)),
            0);
}

TEST_P(MdnsSourceTest, TheLocalAppsAnswerTellsUsOurIdAndWeAdvertiseIt) {
  Start(2, "query_interval = \"2s\"\n");
  Spawn(2, {"python3", Responder(), "--iface-ip", lab_->Host(2, "IP4"), "--peer-id", kRustPeer,
            "--addr", "/ip4/0.0.0.0/tcp/52417"});
  EXPECT_TRUE(Eventually([&] {
    const std::string seen = Browse(1, "_peerscout._tcp");
    return seen.find(std::string("peer_id=") + kRustPeer) != std::string::npos &&
           seen.find("port=52417") != std::string::npos;
  })) << Browse(1, "_peerscout._tcp");
  const auto reply = sidecars_.back()->Get("/v1/peers");
  ASSERT_TRUE(reply);
  EXPECT_FALSE(PeerList(reply->body).ByPeerId(kRustPeer)) << "the local app is not a peer";
}

TEST_P(MdnsSourceTest, WithAppPortsAnotherInstanceOnOurHostIsAPeer) {
  SidecarProcess& sidecar = Start(2, "query_interval = \"2s\"\n", "app_ports = [52417]");
  Spawn(2, {"python3", Responder(), "--iface-ip", lab_->Host(2, "IP4"), "--peer-id", kRustPeer,
            "--addr", "/ip4/0.0.0.0/tcp/52417"});
  Spawn(2, {"python3", Responder(), "--iface-ip", lab_->Host(2, "IP4"), "--peer-id", kOtherApp,
            "--addr", "/ip4/0.0.0.0/tcp/52418"});
  const std::string other = "/ip4/" + lab_->Host(2, "IP4") + "/tcp/52418/p2p/" + kOtherApp;
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const auto* peer = peers.ByPeerId(kOtherApp);
                           return peer && FirstMultiaddr(*peer) == other;
                         }),
            0)
      << sidecar.Log();
  EXPECT_TRUE(Eventually([&] {
    return Browse(1, "_peerscout._tcp").find(std::string("peer_id=") + kRustPeer) !=
           std::string::npos;
  })) << "the instance on app_ports is ours, and advertised";
  const auto reply = sidecar.Get("/v1/peers");
  ASSERT_TRUE(reply);
  EXPECT_FALSE(PeerList(reply->body).ByPeerId(kRustPeer));
}

TEST_P(MdnsSourceTest, HostilePacketsAreDroppedAndCountedAndHarmNothing) {
  SidecarProcess& sidecar = Start(2);
  for (const std::string kind :
       {"oversized-txt", "bad-utf8", "compression-loop", "injection", "truncated"}) {
    const ProcessResult sent =
        InHost(1, {"python3", Responder(), "--iface-ip", lab_->Host(1, "IP4"), "--peer-id",
                   kRustPeer, "--addr", "/ip4/0.0.0.0/tcp/1", "--hostile", kind});
    ASSERT_EQ(sent.exit_code, 0) << kind << ": " << sent.err;
  }
  // Three packets ldns refuses (oversized, looping, truncated) and two bad dnsaddr records.
  ASSERT_TRUE(Eventually([&] {
    return Counter(sidecar, "packets_dropped") >= 3 && Counter(sidecar, "records_dropped") >= 2;
  })) << sidecar.Get("/metrics")->body;
  const auto peers = sidecar.Get("/v1/peers");
  ASSERT_TRUE(peers);
  EXPECT_THAT(peers->body, Not(HasSubstr("reboot")));
  EXPECT_THAT(peers->body, Not(HasSubstr("$(")));
  // A good peer after them is still heard.
  Spawn(1, {"python3", Responder(), "--iface-ip", lab_->Host(1, "IP4"), "--peer-id", kRustPeer,
            "--addr", "/ip4/0.0.0.0/tcp/52416", "--once-unsolicited"});
  ASSERT_GE(WaitForPeers(sidecar, [&](const PeerList& list) { return list.ByPeerId(kRustPeer); }),
            0);
}

INSTANTIATE_TEST_SUITE_P(Backends, MdnsSourceTest, ::testing::Values("avahi", "dns_sd"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace peerscout::testing
