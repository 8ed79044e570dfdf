// The exo source on a real tailnet: Headscale and tailscaled with a kernel TUN device
// (lab.sh up --tun kernel), no IPv6 on the nodes' LAN side, so exo's link-local multicast
// never leaves a node, as between two sites. On each node an exo test peer
// (tests/peers/exo_discovery_peer.py) and a peerscout running as nobody with no capabilities,
// its tailscale source on tailscaled's LocalAPI and its exo source introducing. exo's
// connections then run node to node across the tailnet, none of it through peerscout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "tests/integration/exo_peer.h"
#include "tests/integration/sidecar_queries.h"
#include "tests/integration/tailnet/lab.h"

namespace peerscout::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int kNodes = 3;
// Namespace on the wire (8 bytes, as hex), shared by every exo of the lab.
constexpr const char* kSpace = "0123456789abcdef";
constexpr const char* kTailnetV6 = "fd7a:115c:a1e0:";
constexpr uid_t kNobody = 65534;
// How long exo instances may take to be connected: the tailscale source's first status, a
// probe, the local exo's next Hello (every second), its dial across the tailnet.
constexpr auto kConnect = 30s;

// peerscout's config: the tailscale source on tailscaled's LocalAPI at its default socket
// (inside the node's mount namespace), the exo source introducing, probing each second.
constexpr const char* kConfig = R"(
[registry]
startup_deadline = "0s"
[sources.env]
enabled = false
[sources.mdns]
enabled = false
[sources.tailscale]
enabled = true
mode = "localapi"
[sources.exo]
enabled = true
introduce = true
probe_interval = "1s"
)";

std::string Describe(const SidecarProcess& sidecar) {
  const auto peers = sidecar.Get("/v1/peers");
  const auto sources = sidecar.Get("/v1/sources");
  return "\n/v1/peers: " + (peers ? peers->body : peers.error()) +
         "\n/v1/sources: " + (sources ? sources->body : sources.error());
}

std::string Text(const rapidjson::Value& object, const char* key) {
  return object.HasMember(key) && object[key].IsString() ? object[key].GetString() : "";
}

// Whether the peer has address `multiaddr`, vouched for by both sources.
bool HasExoAddress(const rapidjson::Value& peer, const std::string& multiaddr) {
  if (!peer.HasMember("addresses") || !peer["addresses"].IsArray()) return false;
  for (const auto& address : peer["addresses"].GetArray()) {
    if (Text(address, "multiaddr") != multiaddr || !address["sources"].IsArray()) continue;
    bool exo = false;
    bool tailscale = false;
    for (const auto& source : address["sources"].GetArray()) {
      exo = exo || std::string(source.GetString()) == "exo";
      tailscale = tailscale || std::string(source.GetString()) == "tailscale";
    }
    return exo && tailscale;
  }
  return false;
}

class ExoTailnetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ProcessResult tools = RunCommand(
        {"sh", "-c",
         "PATH=$PATH:/usr/sbin:/sbin; for c in python3 setpriv sysctl; do command -v $c || exit 1; "
         "done"});
    std::string unavailable = tools.exit_code == 0 ? "" : "needs python3, setpriv and sysctl";
    if (unavailable.empty()) {
      lab_.emplace(directory_, kNodes, Lab::Versions{.tun = "kernel"});
      unavailable = lab_->error();
    }
    if (unavailable.empty()) return;
    if (IntegrationRequired()) FAIL() << unavailable;
    GTEST_SKIP() << "no kernel-TUN tailnet lab (needs root, /dev/net/tun, Go and the built "
                    "daemons): "
                 << unavailable;
  }

  ProcessResult InNode(int k, std::vector<std::string> argv) const {
    std::vector<std::string> full = lab_->InNode(k);
    full.insert(full.end(), argv.begin(), argv.end());
    return RunCommand(full);
  }

  // An exo test peer on node k (as root, as exo would run), once its sockets are bound.
  ExoPeer& Exo(int k, const std::string& zid) {
    peers_.push_back(std::make_unique<ExoPeer>(lab_->InNode(k), k, zid, kSpace));
    EXPECT_TRUE(peers_.back()->WaitReady()) << peers_.back()->Output();
    return *peers_.back();
  }

  // peerscout inside node k, as nobody with no capability in any set and no_new_privs.
  SidecarProcess& Sidecar(int k) {
    auto directory = std::make_unique<TestDirectory>();
    // Its socket and runtime files go there: nobody must own it.
    EXPECT_EQ(::chown(directory->path().c_str(), kNobody, kNobody), 0);
    std::vector<std::string> wrapper = lab_->InNode(k);
    wrapper.insert(wrapper.end(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                   "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all",
                                   "--no-new-privs", "--"});
    auto sidecar =
        std::make_unique<SidecarProcess>(*directory, SidecarProcess::Options{kConfig, {}, wrapper});
    EXPECT_TRUE(sidecar->WaitUntilHealthy()) << sidecar->Log();
    directories_.push_back(std::move(directory));
    sidecars_.push_back(std::move(sidecar));
    return *sidecars_.back();
  }

  bool AllLinked() const { return testing::AllLinked(peers_); }

  // Node k's peerscout lists exactly the other nodes, one peer each: the exo source's instance
  // merged with the tailscale source's node (its zid, id zid:<zid>, its tailnet node, its exo
  // address on the node's tailnet IPv6 from both sources).
  bool ListsOthers(int k) const {
    const auto reply = sidecars_[k - 1]->Get("/v1/peers");
    if (!reply) return false;
    const PeerList peers(reply->body);
    if (!peers.ok() || peers.size() != kNodes - 1) return false;
    for (int other = 1; other <= kNodes; ++other) {
      if (other == k) continue;
      const rapidjson::Value* peer = peers.ByNode(lab_->Node(other, "ID"));
      const std::string& zid = peers_[other - 1]->zid();
      if (peer == nullptr || Text(*peer, "zid") != zid || Text(*peer, "id") != "zid:" + zid ||
          !HasExoAddress(*peer, "/ip6/" + lab_->Node(other, "IP6") + "/tcp/52414")) {
        return false;
      }
    }
    return true;
  }

  std::string Outputs() const { return testing::Outputs(peers_, "node"); }

  TestDirectory directory_;
  std::optional<Lab> lab_;
  std::vector<std::unique_ptr<ExoPeer>> peers_;
  std::vector<std::unique_ptr<TestDirectory>> directories_;
  std::vector<std::unique_ptr<SidecarProcess>> sidecars_;
};

TEST_F(ExoTailnetTest, PeerscoutOnEachNodeHandsExoPeersToEachOtherAcrossAKernelTunTailnet) {
  // The lab as described: tailscale0 with the node's tailnet IPv6, no IPv6 on eth0.
  for (int k = 1; k <= kNodes; ++k) {
    ASSERT_THAT(lab_->Node(k, "IP6"), StartsWith(kTailnetV6));
    const ProcessResult tun = InNode(k, {"ip", "-6", "-o", "addr", "show", "dev", "tailscale0"});
    EXPECT_THAT(tun.out, HasSubstr(lab_->Node(k, "IP6") + "/128")) << tun.err;
    const ProcessResult lan = InNode(k, {"ip", "-6", "-o", "addr", "show", "dev", "eth0"});
    EXPECT_EQ(lan.exit_code, 0) << lan.err;
    EXPECT_EQ(lan.out, "") << "node " << k << " has IPv6 on its LAN side";
  }

  Exo(1, "a1");
  Exo(2, "b2c3d4e5f60718293a4b5c6d7e8f9012");  // a full 128-bit zid
  Exo(3, "c3");
  // Alone, on a tailnet: five seconds are five multicast Hellos from each, heard by none.
  std::this_thread::sleep_for(5s);
  for (const auto& peer : peers_) {
    for (const char* event : {"discovered", "connected", "accepted"}) {
      EXPECT_FALSE(peer->Has(event)) << event << Outputs();
    }
    EXPECT_TRUE(peer->running()) << Outputs();
  }

  for (int k = 1; k <= kNodes; ++k) Sidecar(k);
  for (int k = 1; k <= kNodes; ++k) {
    const SidecarProcess& sidecar = *sidecars_[k - 1];
    EXPECT_THAT(ProcStatus(sidecar.pid(), "Uid"), StartsWith("65534\t65534\t65534"));
    for (const char* set : {"CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"}) {
      EXPECT_EQ(ProcStatus(sidecar.pid(), set), "0000000000000000") << set;
    }
    EXPECT_EQ(ProcStatus(sidecar.pid(), "NoNewPrivs"), "1");
  }
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return AllLinked(); }, kConnect))
      << Outputs() << Describe(*sidecars_[0]) << sidecars_[0]->Log();
  std::cout << "three exo instances connected pairwise across the tailnet in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";

  // Each dialled or was dialled by each other one exactly once, over tailnet addresses only:
  // what it discovered and what it connected to or accepted from.
  for (const auto& peer : peers_) {
    EXPECT_EQ(peer->Count("connected") + peer->Count("accepted"), 2u) << Outputs();
    for (const ExoEvent& event : peer->Events()) {
      if (event.event == "discovered" || event.event == "connected" || event.event == "accepted") {
        EXPECT_THAT(event.address, StartsWith(kTailnetV6)) << event.event << Outputs();
      }
    }
  }

  // Each peerscout: one peer per other node, its zid and its tailnet node merged.
  for (int k = 1; k <= kNodes; ++k) {
    const SidecarProcess& sidecar = *sidecars_[k - 1];
    EXPECT_TRUE(Eventually([&] { return ListsOthers(k); }, 10s))
        << "node " << k << Describe(sidecar);
    EXPECT_EQ(SourceField(sidecar, "tailscale", "state"), "ok") << Describe(sidecar);
    EXPECT_EQ(SourceField(sidecar, "tailscale", "details.mode"), "localapi");
    // As nobody the LocalAPI is read-only, which its status and IPN bus watch need.
    EXPECT_TRUE(Eventually(
        [&] { return SourceField(sidecar, "tailscale", "details.push") == "watch-ipn-bus"; }, 10s))
        << Describe(sidecar);
    EXPECT_EQ(SourceField(sidecar, "exo", "state"), "ok") << Describe(sidecar);
    EXPECT_EQ(SourceField(sidecar, "exo", "details.live"), "2") << Describe(sidecar);
    EXPECT_EQ(SourceField(sidecar, "exo", "details.namespace"), kSpace);
    EXPECT_THAT(SourceField(sidecar, "exo", "details.local_exo"),
                StartsWith("running, zid " + peers_[k - 1]->zid()));
    // The local exo's Hellos are heard on tailscale0, the only interface with IPv6.
    EXPECT_EQ(SourceField(sidecar, "exo", "details.listening"), "tailscale0");
  }
}

}  // namespace
}  // namespace peerscout::testing
