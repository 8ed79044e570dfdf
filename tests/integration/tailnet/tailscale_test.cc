// The tailscale source against a real tailnet: Headscale and tailscaled, built from their
// modules (tests/tools/build-daemons.sh), in network namespaces with no route off the lab.
// peerscout runs inside node 1, beside that node's tailscaled, on its default socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <functional>
#include <thread>

#include "tests/integration/sidecar_queries.h"
#include "tests/integration/tailnet/lab.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kPeerId = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
constexpr const char* kOtherPeerId = "12D3KooWRm8J3iL796zPFi2EtGGtUJn58AG67gcqzMFHZnnsTzqD";

std::string Config(const std::string& extra) {
  return R"(
[registry]
startup_deadline = "0s"
[self]
detect_interfaces = false
[sources.env]
enabled = false
[sources.tailscale]
)" + extra;
}

// The tailscale source's entry of /v1/sources.
std::string SourceField(const SidecarProcess& sidecar, const std::string& field) {
  return testing::SourceField(sidecar, "tailscale", field);
}

bool WaitForSource(const SidecarProcess& sidecar, const std::string& field, const std::string& want,
                   std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (SourceField(sidecar, field) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string TagsFor(const std::string& id, int port, const std::string& style) {
  ProcessResult result =
      RunPeerscout({"tag-for", id, "--port", std::to_string(port), "--style", style});
  std::string tags = result.out.substr(0, result.out.find('\n'));
  return tags;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

class TailscaleSourceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    lab_.emplace(directory_, 3, Lab::Versions{GetParam(), "", ""});
    if (!lab_->ok()) {
      if (IntegrationRequired()) FAIL() << lab_->error();
      GTEST_SKIP() << "no tailnet lab (needs root, Go and the built daemons): " << lab_->error();
    }
  }

  SidecarProcess& Start(const std::string& name, const std::string& extra) {
    auto directory = std::make_unique<TestDirectory>();
    auto sidecar = std::make_unique<SidecarProcess>(
        *directory, SidecarProcess::Options{Config(extra), {}, lab_->InNode(1)});
    sidecar_dirs_.push_back(std::move(directory));
    sidecars_[name] = std::move(sidecar);
    return *sidecars_[name];
  }

  TestDirectory directory_;
  std::optional<Lab> lab_;
  std::vector<std::unique_ptr<TestDirectory>> sidecar_dirs_;
  std::map<std::string, std::unique_ptr<SidecarProcess>> sidecars_;
};

TEST_P(TailscaleSourceTest, FollowsTheTailnetAndKeepsItsPeersThroughDaemonFailures) {
  // Default options (auto, the default socket), a second sidecar that lists offline nodes, and
  // a third on the real CLI.
  SidecarProcess& sidecar =
      Start("default", "[[output]]\npath = \"peers.exo\"\nformat = \"exo\"\n");
  SidecarProcess& all = Start("all", "online_only = false\n");
  SidecarProcess& cli = Start("cli", "mode = \"cli\"\ncommand = [\"" + lab_->Get("TAILSCALE_BIN") +
                                         "\", \"status\", \"--json\"]\npoll_interval = \"1s\"\n");
  for (SidecarProcess* s : {&sidecar, &all, &cli}) ASSERT_TRUE(s->WaitUntilHealthy()) << s->Log();
  const std::string n2 = lab_->Node(2, "ID");
  const std::string n3 = lab_->Node(3, "ID");

  // Nodes 2 and 3 are listed as hosts (no tags yet); our own node 1 never is.
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           return peers.size() == 2 && peers.ByNode(n2) && peers.ByNode(n3);
                         }),
            0)
      << sidecar.Log();
  EXPECT_EQ(SourceField(sidecar, "details.mode"), "localapi");
  EXPECT_TRUE(WaitForSource(sidecar, "details.push", "watch-ipn-bus"));
  ASSERT_GE(WaitForPeers(cli, [&](const PeerList& peers) { return peers.size() == 2; }), 0)
      << cli.Log();
  EXPECT_EQ(SourceField(cli, "details.mode"), "cli");

  // Tags set in Headscale give node 2 its app's peer id and port (dash style) and node 3 the
  // underscore style; both reach node 1's status, and the socket.
  const std::vector<std::string> dash = Split(TagsFor(kPeerId, 52418, "dash"));
  const std::vector<std::string> underscore = Split(TagsFor(kOtherPeerId, 52416, "underscore"));
  std::vector<std::string> args{"2", "tag:exo"};
  args.insert(args.end(), dash.begin(), dash.end());
  ASSERT_EQ(lab_->Run("tag", args).exit_code, 0);
  args = {"3"};
  args.insert(args.end(), underscore.begin(), underscore.end());
  ASSERT_EQ(lab_->Run("tag", args).exit_code, 0);
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           const rapidjson::Value* b = peers.ByNode(n2);
                           const rapidjson::Value* c = peers.ByNode(n3);
                           return b && c && (*b)["peer_id"].IsString() &&
                                  (*c)["peer_id"].IsString() &&
                                  std::string((*b)["peer_id"].GetString()) == kPeerId &&
                                  FirstMultiaddr(*b) == "/ip4/" + lab_->Node(2, "IP4") +
                                                            "/tcp/52418/p2p/" + kPeerId &&
                                  std::string((*c)["peer_id"].GetString()) == kOtherPeerId &&
                                  FirstMultiaddr(*c) == "/ip4/" + lab_->Node(3, "IP4") +
                                                            "/tcp/52416/p2p/" + kOtherPeerId;
                         }),
            0)
      << sidecar.Get("/v1/peers")->body;
  auto exo = sidecar.Get("/v1/peers?format=exo");
  ASSERT_TRUE(exo);
  EXPECT_THAT(exo->body, HasSubstr("/ip4/" + lab_->Node(2, "IP4") + "/tcp/52418/p2p/" + kPeerId));
  // The same list in the output file, written on the change.
  const std::string file = sidecar_dirs_.front()->path().string() + "/peers.exo";
  const auto file_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (sidecar_dirs_.front()->Read("peers.exo") != exo->body &&
         std::chrono::steady_clock::now() < file_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(sidecar_dirs_.front()->Read("peers.exo"), exo->body) << file;

  // A node that joins is on the socket, pushed (tests/bench/tailscale_join.py times it).
  const ProcessResult join = lab_->Run("join", {"4"});
  ASSERT_EQ(join.exit_code, 0) << join.err;
  const std::string n4 = lab_->Node(4, "ID");
  ASSERT_GE(WaitForPeers(sidecar, [&](const PeerList& p) { return p.ByNode(n4); }), 0)
      << sidecar.Log();

  // Our own node is never a peer.
  EXPECT_FALSE(PeerList(sidecar.Get("/v1/peers")->body).ByNode(lab_->Node(1, "ID")));

  // A node that goes away: gone by default, listed offline with online_only = false.
  ASSERT_EQ(lab_->Run("kill", {"3"}).exit_code, 0);
  ASSERT_GE(WaitForPeers(sidecar, [&](const PeerList& p) { return !p.ByNode(n3); }), 0);
  ASSERT_GE(WaitForPeers(all,
                         [&](const PeerList& p) {
                           const rapidjson::Value* c = p.ByNode(n3);
                           return c && !(*c)["online"].GetBool();
                         }),
            0)
      << all.Get("/v1/peers")->body;

  // Our tailscaled killed: the last good peers stay, marked stale, and the error says why.
  ASSERT_EQ(lab_->Run("kill", {"1"}).exit_code, 0);
  ASSERT_TRUE(WaitForSource(sidecar, "stale", "true")) << sidecar.Log();
  EXPECT_THAT(SourceField(sidecar, "last_error"), HasSubstr("/var/run/tailscale/tailscaled.sock"));
  {
    PeerList peers(sidecar.Get("/v1/peers")->body);
    ASSERT_TRUE(peers.ByNode(n2));
    EXPECT_TRUE((*peers.ByNode(n2))["stale"].GetBool());
  }

  // Back: recovered without restarting peerscout.
  ASSERT_EQ(lab_->Run("start", {"1"}).exit_code, 0);
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& p) {
                           return p.ByNode(n2) && !(*p.ByNode(n2))["stale"].GetBool();
                         }),
            0)
      << sidecar.Log();
  EXPECT_TRUE(WaitForSource(sidecar, "state", "ok"));

  // `tailscale down` keeps a netmap in tailscaled: never published as live.
  ASSERT_EQ(lab_->Run("down-node", {"1"}).exit_code, 0);
  ASSERT_TRUE(WaitForSource(sidecar, "stale", "true")) << sidecar.Log();
  EXPECT_THAT(SourceField(sidecar, "last_error"), HasSubstr("stopped"));
  ASSERT_EQ(lab_->Run("up-node", {"1"}).exit_code, 0);
  EXPECT_TRUE(WaitForSource(sidecar, "stale", "false"));
}

INSTANTIATE_TEST_SUITE_P(Versions, TailscaleSourceTest,
                         ::testing::Values(std::string(PEERSCOUT_TAILSCALE_NEWEST),
                                           std::string(PEERSCOUT_TAILSCALE_OLDEST)),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace peerscout::testing
