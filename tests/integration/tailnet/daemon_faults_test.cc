// Real daemons dying under a running sidecar: our node's tailscaled SIGKILLed while the
// tailscale source follows its IPN bus, and Headscale stopped while the headscale source polls
// it. Both lists node 2; through each death the sidecar keeps it, stale, never publishes a
// shorter list, keeps answering, and takes the daemon back when it returns.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/sidecar_queries.h"
#include "tests/integration/tailnet/lab.h"

namespace peerscout::testing {
namespace {

bool SourceIs(const SidecarProcess& sidecar, const std::string& source, const std::string& field,
              const std::string& want) {
  return Eventually([&] { return SourceField(sidecar, source, field) == want; });
}

bool NodeStale(const SidecarProcess& sidecar, const std::string& node, bool stale) {
  return WaitForPeers(sidecar, [&](const PeerList& peers) {
           const rapidjson::Value* peer = peers.ByNode(node);
           return peer && (*peer)["stale"].GetBool() == stale;
         }) >= 0;
}

TEST(DaemonFaultsTest, KilledDaemonsLeaveTheirPeersStaleAndComeBack) {
  TestDirectory directory;
  Lab lab(directory, 2, Lab::Versions{});
  if (!lab.ok()) {
    if (IntegrationRequired()) FAIL() << lab.error();
    GTEST_SKIP() << "no tailnet lab (needs root, Go and the built daemons): " << lab.error();
  }
  ASSERT_EQ(lab.Run("tag", {"2", "tag:exo"}).exit_code, 0);
  const ProcessResult apikey = lab.Run("apikey");
  ASSERT_EQ(apikey.exit_code, 0) << apikey.err;
  TestDirectory run;
  run.Write("api-key", apikey.out.substr(0, apikey.out.find('\n')));
  // online_only = false: a restarted Headscale says node 2 is offline until it reconnects,
  // which would empty the list truthfully; what is tested here is what a death does.
  const std::string config =
      "[registry]\nstartup_deadline = \"0s\"\n[self]\ndetect_interfaces = false\n"
      "[sources.env]\nenabled = false\n[sources.tailscale]\ntimeout = \"2s\"\n"
      "online_only = false\n"
      "[sources.headscale]\nurl = \"" +
      lab.Get("HEADSCALE_URL") + "\"\nallow_http = true\napi_key_file = \"" + (run / "api-key") +
      "\"\nmember_tag = \"tag:exo\"\nonline_only = false\npoll_interval = \"500ms\"\ntimeout = "
      "\"2s\"\n"
      "connect_timeout = \"1s\"\n";
  SidecarProcess sidecar(run, {config, {}, lab.InNode(1)});
  ASSERT_TRUE(sidecar.WaitUntilServing()) << sidecar.Log();
  const std::string node2 = lab.Node(2, "ID");
  ASSERT_TRUE(NodeStale(sidecar, node2, false)) << sidecar.Log();
  ASSERT_TRUE(SourceIs(sidecar, "tailscale", "state", "ok")) << sidecar.Log();
  ASSERT_TRUE(SourceIs(sidecar, "headscale", "state", "ok")) << sidecar.Log();
  const size_t good = PeerList(sidecar.Get("/v1/peers")->body).size();
  VersionWatch watch(sidecar);

  // tailscaled dies mid-stream: the headscale source still sees node 2, so it stays fresh.
  ASSERT_EQ(lab.Run("kill", {"1"}).exit_code, 0);
  ASSERT_TRUE(SourceIs(sidecar, "tailscale", "state", "stale")) << sidecar.Log();
  EXPECT_THAT(SourceField(sidecar, "tailscale", "last_error"),
              ::testing::HasSubstr("not listening"));
  EXPECT_TRUE(sidecar.Get("/v1/peers", std::chrono::seconds(2)));

  // Headscale dies mid-poll too: node 2 is now known only from before, stale.
  ASSERT_EQ(lab.Run("stop-headscale").exit_code, 0);
  ASSERT_TRUE(SourceIs(sidecar, "headscale", "state", "stale")) << sidecar.Log();
  ASSERT_TRUE(NodeStale(sidecar, node2, true)) << sidecar.Log();
  EXPECT_EQ(PeerList(sidecar.Get("/v1/peers", std::chrono::seconds(2))->body).size(), good);

  // Back, control plane first so that tailscaled finds it.
  ASSERT_EQ(lab.Run("start-headscale").exit_code, 0);
  ASSERT_TRUE(SourceIs(sidecar, "headscale", "state", "ok")) << sidecar.Log();
  ASSERT_EQ(lab.Run("start", {"1"}).exit_code, 0);
  ASSERT_TRUE(SourceIs(sidecar, "tailscale", "state", "ok")) << sidecar.Log();
  EXPECT_TRUE(NodeStale(sidecar, node2, false)) << sidecar.Log();

  watch.Stop();
  EXPECT_GE(watch.versions(), 2u);  // stale, then fresh again
  EXPECT_EQ(watch.fewest(), good) << "a version with fewer peers was published";
}

}  // namespace
}  // namespace peerscout::testing
