// Each built-in app profile end to end: `app = "<name>"` in the sidecar's config, tailnet nodes
// from a status file captured from a real tailscaled, and `peerscout exec` (with no --env)
// handing the app its own variable in its own format. A user profile changes a built-in one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// Two online tailnet peers: node2 tagged exo_peer_id/exo_port=52416, node3 exo-peer/exo-port-52418.
class AppProfileTest : public ::testing::Test {
 protected:
  void Start(const std::string& top, const std::string& tables = "") {
    directory_.Write("status.json", TailscaleFixture("status-running-cli.json"));
    const std::string config =
        top + "\n[registry]\nstartup_deadline = \"0s\"\n[self]\ndetect_interfaces = false\n" +
        "[sources.env]\nenabled = false\n[sources.tailscale]\nmode = \"file\"\nstatus_file = \"" +
        (directory_ / "status.json") + "\"\n[[output]]\npath = \"" + (directory_ / "peers.env") +
        "\"\nformat = \"env\"\n" + tables;
    sidecar_.emplace(directory_, SidecarProcess::Options{config, {}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  // The app's environment as `peerscout exec -- env` gives it.
  ProcessResult AppEnvironment(std::vector<std::string> flags = {},
                               const std::map<std::string, std::string>& env = {}) {
    flags.insert(flags.begin(), {"--socket", sidecar_->socket(), "exec", "--min-peers", "2"});
    flags.insert(flags.end(), {"--", "env"});
    return RunPeerscout(flags, env);
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(AppProfileTest, SkulkGetsItsVariableWithItsPortOnUntaggedNodes) {
  Start("app = \"skulk\"");
  ProcessResult app = AppEnvironment();
  ASSERT_EQ(app.exit_code, 0) << app.err;
  // Skulk's tags are not exo's: every node is a host, dialed on Skulk's port, IPv4 only.
  EXPECT_THAT(app.out,
              MatchesRegex("(.*\n)?SKULK_BOOTSTRAP_PEERS=/ip4/100\\.64\\.0\\.[23]/tcp/52416,"
                           "/ip4/100\\.64\\.0\\.[23]/tcp/52416\n(.*\n)?"));
  EXPECT_THAT(app.out, Not(HasSubstr("PEERSCOUT_PEERS=")));
  // The env output, written a moment after the list changed, carries the same variable.
  const std::string expected = "\nSKULK_BOOTSTRAP_PEERS=/ip4/100.64.0.";
  for (int i = 0; i < 200 && directory_.Read("peers.env").find(expected) == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(directory_.Read("peers.env"), HasSubstr(expected));
}

TEST_F(AppProfileTest, ExoLibp2pGetsIpv4MultiaddrsWithTheTaggedPeerIdsAndPorts) {
  Start("app = \"exo-libp2p\"");
  ProcessResult app = AppEnvironment();
  ASSERT_EQ(app.exit_code, 0) << app.err;
  EXPECT_THAT(app.out, HasSubstr("/ip4/100.64.0.2/tcp/52416/p2p/12D3KooW"));
  EXPECT_THAT(app.out, HasSubstr("/ip4/100.64.0.3/tcp/52418/p2p/12D3KooW"));
  EXPECT_THAT(
      app.out,
      MatchesRegex("(.*\n)?EXO_BOOTSTRAP_PEERS=/ip4/[^,\n ]+/p2p/\\w+,/ip4/[^,\n ]+\n(.*\n)?"));
}

TEST_F(AppProfileTest, ExoZenohIsNeverHandedTheVariableThatStopsIt) {
  Start("app = \"exo-zenoh\"");
  ProcessResult app = AppEnvironment(
      {}, {{"EXO_BOOTSTRAP_PEERS", "/ip4/10.0.0.1/tcp/1"}, {"EXO_LIBP2P_NAMESPACE", "old"}});
  ASSERT_EQ(app.exit_code, 0) << app.err;
  EXPECT_THAT(app.out, Not(HasSubstr("EXO_BOOTSTRAP_PEERS")));  // not even the inherited one
  EXPECT_THAT(app.out, Not(HasSubstr("EXO_LIBP2P_NAMESPACE")));
  EXPECT_THAT(app.out, HasSubstr("\nEXO_ZENOH_CONNECT=tcp/100.64.0."));
  ProcessResult asked = AppEnvironment({"--env", "EXO_BOOTSTRAP_PEERS=exo"});
  EXPECT_EQ(asked.exit_code, 64);
  EXPECT_THAT(asked.err, HasSubstr("app exo-zenoh refuses to start with it set"));
  EXPECT_THAT(directory_.Read("peers.env"), Not(HasSubstr("EXO_BOOTSTRAP_PEERS")));
}

TEST_F(AppProfileTest, GenericGetsEveryAddressAsAMultiaddr) {
  Start("");
  ProcessResult app = AppEnvironment();
  ASSERT_EQ(app.exit_code, 0) << app.err;
  EXPECT_THAT(app.out, HasSubstr("/ip6/fd7a:115c:a1e0::2/tcp/52416/p2p/12D3KooW"));
  EXPECT_THAT(app.out, HasSubstr("\nPEERSCOUT_PEERS=/ip4/100.64.0."));
}

TEST_F(AppProfileTest, AUserProfileOverridesABuiltInOne) {
  Start("app = \"skulk\"", "[apps.skulk]\napp_port = 4001\nformat = \"lines\"\n");
  ProcessResult app = AppEnvironment();
  ASSERT_EQ(app.exit_code, 0) << app.err;
  EXPECT_THAT(app.out, MatchesRegex("(.*\n)?SKULK_BOOTSTRAP_PEERS=100\\.64\\.0\\.[23]:4001,"
                                    "100\\.64\\.0\\.[23]:4001\n(.*\n)?"));
}

TEST_F(AppProfileTest, ExecsAppFlagWinsOverTheSidecars) {
  Start("app = \"skulk\"");
  ProcessResult app = AppEnvironment({"--app", "exo-libp2p"});
  ASSERT_EQ(app.exit_code, 0) << app.err;
  EXPECT_THAT(app.out, HasSubstr("\nEXO_BOOTSTRAP_PEERS=/ip4/100.64.0."));
  EXPECT_THAT(app.out, Not(HasSubstr("SKULK_BOOTSTRAP_PEERS=")));
  ProcessResult unknown = AppEnvironment({"--app", "exo"});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_THAT(unknown.err, HasSubstr("--app exo: no such profile"));
}

TEST(AppsCommandTest, ListsEveryProfileAndMarksTheSelectedOne) {
  TestDirectory directory;
  directory.Write("sidecar.toml",
                  "app = \"mine\"\n[apps.mine]\nbase = \"skulk\"\nvariable = \"MINE\"\n");
  ProcessResult apps = RunPeerscout({"apps", "-c", directory / "sidecar.toml"});
  ASSERT_EQ(apps.exit_code, 0) << apps.err;
  for (const char* name : {"exo-libp2p", "skulk", "exo-zenoh", "generic"}) {
    EXPECT_THAT(apps.out, HasSubstr(std::string("  ") + name + " ")) << name;
  }
  EXPECT_THAT(apps.out, MatchesRegex("(.*\n)?\\* mine +MINE +exo +52416 +skulk .*"));
  EXPECT_THAT(apps.out, HasSubstr("never sets or passes on EXO_BOOTSTRAP_PEERS"));
  directory.Write("sidecar.toml", "app = \"nope\"\n");
  apps = RunPeerscout({"apps", "-c", directory / "sidecar.toml"});
  EXPECT_EQ(apps.exit_code, 1);
  EXPECT_THAT(apps.err, HasSubstr("app 'nope': no such profile"));
}

}  // namespace
}  // namespace peerscout::testing
