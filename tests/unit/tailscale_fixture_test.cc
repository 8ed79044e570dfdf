// The tailscale source's parser on status payloads captured from real tailscaled daemons
// (tests/fixtures/capture-tailscale.sh; the tailnet is described in tests/fixtures/tailscale/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapters/tailscale/status.h"
#include "adapters/tailscale/status_snapshot.h"

namespace peerscout::tailscale {
namespace {

using ::testing::HasSubstr;

constexpr const char* kPeerA = "12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A";
constexpr const char* kPeerB = "12D3KooWBynX2HaNg73xSLq9TJDQjQKozxCh7MgVqKgGGXWXYzQn";

std::string Fixture(const std::string& version, const std::string& name) {
  std::ifstream file(std::string(PEERSCOUT_SOURCE_DIR) + "/tests/fixtures/tailscale/" + version +
                     "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

ErrorOr<Snapshot> Look(const std::string& json, const PeerSelection& selection = {}) {
  auto status = ParseStatus(json);
  if (!status) return ErrorOr<Snapshot>::Error(status.error());
  return SnapshotFromStatus(*status, selection);
}

const Observation* ByHostname(const Snapshot& snapshot, const std::string& hostname) {
  for (const Observation& observation : snapshot.observations) {
    if (observation.identity.hostname == hostname) return &observation;
  }
  return nullptr;
}

class TailscaleFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TailscaleFixtureTest, RunningListsOnlineNodesWithTheAppIdentityTheirTagsCarry) {
  for (const char* file : {"status-running-localapi.json", "status-running-cli.json"}) {
    SCOPED_TRACE(file);
    const std::string json = Fixture(GetParam(), file);
    ASSERT_FALSE(json.empty());
    auto snapshot = Look(json);
    ASSERT_TRUE(snapshot) << snapshot.error();
    EXPECT_EQ(snapshot->observations.size(), 2u);  // node4 is offline; node1 is us
    EXPECT_EQ(snapshot->self.addresses.size(), 2u);
    ASSERT_EQ(snapshot->self.tailnet_nodes.size(), 1u);

    const Observation* node2 = ByHostname(*snapshot, "node2");
    ASSERT_NE(node2, nullptr);
    EXPECT_EQ(node2->identity.peer_id->ToString(), kPeerA);
    EXPECT_EQ(node2->identity.magic_dns->ToString(), "node2.lab.test");
    EXPECT_THAT(node2->tags, ::testing::Contains("tag:exo"));
    ASSERT_FALSE(node2->addresses.empty());
    EXPECT_EQ(node2->addresses[0].port, 52416);
    EXPECT_EQ(node2->addresses[0].transport, Transport::kTcp);
    EXPECT_EQ(node2->os, "linux");
    EXPECT_EQ(node2->online, true);

    const Observation* node3 = ByHostname(*snapshot, "node3");
    ASSERT_NE(node3, nullptr);
    EXPECT_EQ(node3->identity.peer_id->ToString(), kPeerB);
    EXPECT_EQ(node3->addresses[0].port, 52418);
    EXPECT_EQ(node3->addresses.size(), 2u);  // IPv4 and IPv6
    EXPECT_TRUE(snapshot->issues.empty());
  }
}

TEST_P(TailscaleFixtureTest, TheCliAndTheLocalApiSayTheSame) {
  auto api = Look(Fixture(GetParam(), "status-running-localapi.json"));
  auto cli = Look(Fixture(GetParam(), "status-running-cli.json"));
  ASSERT_TRUE(api && cli);
  ASSERT_EQ(api->observations.size(), cli->observations.size());
  for (size_t i = 0; i < api->observations.size(); ++i) {
    EXPECT_EQ(api->observations[i].identity, cli->observations[i].identity);
    EXPECT_EQ(api->observations[i].addresses, cli->observations[i].addresses);
  }
  EXPECT_EQ(api->self, cli->self);
}

TEST_P(TailscaleFixtureTest, OfflineNodesAreListedOfflineWhenAskedFor) {
  PeerSelection selection;
  selection.online_only = false;
  auto snapshot = Look(Fixture(GetParam(), "status-running-localapi.json"), selection);
  ASSERT_TRUE(snapshot);
  const Observation* node4 = ByHostname(*snapshot, "node4");
  ASSERT_NE(node4, nullptr);
  EXPECT_EQ(node4->online, false);
  EXPECT_FALSE(node4->identity.peer_id);
  EXPECT_FALSE(node4->addresses[0].has_port());  // no port tag, no app_port: a host
}

TEST_P(TailscaleFixtureTest, StoppedAndLoggedOutAreErrorsNotPeers) {
  auto stopped = Look(Fixture(GetParam(), "status-stopped.json"));
  ASSERT_FALSE(stopped);
  EXPECT_THAT(stopped.error(), HasSubstr("tailscale down"));
  // The stopped status still holds the old netmap's peers: they exist, and are not used.
  auto status = ParseStatus(Fixture(GetParam(), "status-stopped.json"));
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->peers.empty());
  auto logged_out = Look(Fixture(GetParam(), "status-needslogin.json"));
  ASSERT_FALSE(logged_out);
  EXPECT_THAT(logged_out.error(), HasSubstr("NeedsLogin"));
}

TEST_P(TailscaleFixtureTest, EveryIpnBusLineIsOneJsonObject) {
  std::stringstream lines(Fixture(GetParam(), "watch-ipn-bus-mask18.ndjson"));
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
  }
  EXPECT_GE(count, 2u);  // the initial state, then at least one change
}

INSTANTIATE_TEST_SUITE_P(Captured, TailscaleFixtureTest, ::testing::Values("v1.102.5", "v1.80.3"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace peerscout::tailscale
