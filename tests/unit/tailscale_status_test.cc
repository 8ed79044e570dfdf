// The tailscale source's pure part: status JSON in, observations out. Captured payloads are
// in tests/fixtures/tailscale/<version>/ (tests/fixtures/capture-tailscale.sh makes them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "adapters/tailscale/status.h"
#include "adapters/tailscale/status_snapshot.h"
#include "sidecar/core/clock_text.h"
#include "sidecar/tailnet/app_tags.h"

namespace peerscout::tailscale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Peer(const std::string& id, const std::string& fields) {
  return "\"nodekey:" + id + "\":{\"ID\":\"" + id + "\",\"TailscaleIPs\":[\"100.64.0." + id +
         "\"],\"Online\":true" + (fields.empty() ? "" : "," + fields) + "}";
}

std::string Status(const std::string& peers, const std::string& state = "Running") {
  return R"({"Version":"1.2.3","BackendState":")" + state +
         R"(","Self":{"ID":"1","TailscaleIPs":["100.64.0.1","fd7a:115c:a1e0::1"],"Online":true},)"
         R"("Peer":{)" +
         peers + "}}";
}

Snapshot Look(const std::string& json, const PeerSelection& selection = {}) {
  auto status = ParseStatus(json);
  EXPECT_TRUE(status) << status.error();
  if (!status) return {};
  auto snapshot = SnapshotFromStatus(*status, selection);
  EXPECT_TRUE(snapshot) << snapshot.error();
  return snapshot ? *snapshot : Snapshot{};
}

std::vector<std::string> Addresses(const Observation& observation) {
  std::vector<std::string> texts;
  for (const Endpoint& endpoint : observation.addresses) texts.push_back(endpoint.ToMultiaddr());
  return texts;
}

TEST(TailscaleStatusTest, SelfIsWhoWeAreAndNeverAPeer) {
  const Snapshot snapshot = Look(Status(Peer("1", "") + "," + Peer("2", "")));
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.tailnet_node, "2");
  EXPECT_THAT(snapshot.self.tailnet_nodes, ElementsAre("1"));
  ASSERT_EQ(snapshot.self.addresses.size(), 2u);
  EXPECT_EQ(snapshot.self.addresses[1].ToString(), "fd7a:115c:a1e0::1");
}

TEST(TailscaleStatusTest, AStateOtherThanRunningIsAnErrorNotAnEmptyList) {
  for (const auto& [state, words] :
       std::vector<std::pair<std::string, std::string>>{{"Stopped", "tailscale down"},
                                                        {"NeedsLogin", "logged out"},
                                                        {"NeedsMachineAuth", "approve"},
                                                        {"Starting", "starting"},
                                                        {"", "no BackendState"}}) {
    auto status = ParseStatus(Status(Peer("2", ""), state));
    ASSERT_TRUE(status);
    auto snapshot = SnapshotFromStatus(*status, {});
    ASSERT_FALSE(snapshot) << state;
    EXPECT_THAT(snapshot.error(), HasSubstr(words));
  }
}

TEST(TailscaleStatusTest, UnknownFieldsAreSkippedAndMissingOnesAreDefaults) {
  const Snapshot snapshot = Look(Status(Peer(
      "2", R"("Future":{"Nested":[{"ID":"x","TailscaleIPs":["1.1.1.1"]}]},"Tags":null,"X":[[]])")));
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_THAT(Addresses(snapshot.observations[0]), ElementsAre("/ip4/100.64.0.2"));
  EXPECT_THAT(snapshot.observations[0].tags, IsEmpty());
  EXPECT_FALSE(snapshot.observations[0].identity.magic_dns);
}

TEST(TailscaleStatusTest, MalformedTruncatedAndOversizedBodiesAreRefused) {
  EXPECT_THAT(ParseStatus("").error(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseStatus("[1,2]").error(), HasSubstr("not a JSON object"));
  const std::string whole = Status(Peer("2", ""));
  EXPECT_THAT(ParseStatus(whole.substr(0, whole.size() / 2)).error(), HasSubstr("at byte"));
  EXPECT_THAT(ParseStatus(std::string(kMaxStatusBytes + 1, ' ')).error(), HasSubstr("larger than"));
  EXPECT_THAT(ParseStatus("{\"Version\":\"\xff\xfe\"}").error(), HasSubstr("not UTF-8"));
  // Bytes that are not UTF-8 where nothing is kept cost nothing and do no harm.
  EXPECT_TRUE(ParseStatus("{\"BackendState\":\"Running\",\"Other\":\"\xff\"}"));
  // A million nested arrays: refused before the parser's recursion could exhaust the stack.
  std::string deep = "{\"X\":" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
  EXPECT_THAT(ParseStatus(deep).error(), HasSubstr("nested deeper"));
}

TEST(TailscaleStatusTest, AValueTooLongToKeepIsReportedNotLeftOutSilently) {
  const std::string longer(1025, 'h');
  const Snapshot snapshot = Look(Status(
      Peer("2", R"("HostName":")" + longer + R"(","Tags":["tag:)" + longer + R"(","tag:ok"])") +
      R"(,"nodekey:9":{"ID":")" + longer +
      R"(","HostName":"big","TailscaleIPs":["100.64.0.9"],"Online":true})"));
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.hostname, "");
  EXPECT_THAT(snapshot.observations[0].tags, ElementsAre("tag:ok"));
  ASSERT_EQ(snapshot.issues.size(), 3u);
  EXPECT_EQ(snapshot.issues[0].subject, "HostName");
  EXPECT_EQ(snapshot.issues[0].origin, "node ? (2)");
  EXPECT_THAT(snapshot.issues[0].reason, HasSubstr("longer than"));
  EXPECT_EQ(snapshot.issues[1].subject, "Tags");
  EXPECT_EQ(snapshot.issues[2].subject, "ID");
  EXPECT_EQ(snapshot.issues[2].origin, "node big ()");
}

TEST(TailscaleStatusTest, HostileNamesAndTagsAreRefusedOrKeptAsDataOnly) {
  const Snapshot snapshot = Look(Status(
      Peer("2", R"j("HostName":"x\n127.0.0.1 evil","DNSName":"$(reboot).lab.test.",)j"
                R"j("Tags":["tag:ok","tag:a\nb","tag:exo-port-$(id)","tag:exo_peer_id='x'"])j")));
  ASSERT_EQ(snapshot.observations.size(), 1u);
  const Observation& peer = snapshot.observations[0];
  EXPECT_FALSE(peer.identity.magic_dns);
  EXPECT_EQ(peer.identity.hostname, "x\n127.0.0.1 evil");  // never a key; sanitized for names
  EXPECT_THAT(peer.tags, ElementsAre("tag:ok", "tag:exo-port-$(id)", "tag:exo_peer_id='x'"));
  EXPECT_FALSE(peer.identity.peer_id);
  EXPECT_THAT(Addresses(peer), ElementsAre("/ip4/100.64.0.2"));  // no port from a bad tag
  ASSERT_EQ(snapshot.issues.size(), 4u);
  EXPECT_EQ(snapshot.issues[0].subject, "tag:a\nb");
  EXPECT_EQ(snapshot.issues[1].subject, "tag:exo-port-$(id)");
  EXPECT_THAT(snapshot.issues[3].reason, HasSubstr("MagicDNS"));
}

TEST(TailscaleStatusTest, SelectionFiltersByOnlineTagsOsHostnameAndSharing) {
  const std::string json =
      Status(Peer("2", R"("HostName":"exo-a","OS":"linux","Tags":["tag:exo"])") + "," +
             Peer("3", R"("HostName":"exo-b","OS":"macOS","Online":false)") + "," +
             Peer("4", R"("HostName":"laptop","OS":"windows","ShareeNode":true)") + "," +
             Peer("5", R"("HostName":"exo-c","OS":"linux","Expired":true)"));
  auto nodes = [&json](const PeerSelection& selection) {
    std::vector<std::string> ids;
    for (const Observation& o : Look(json, selection).observations) {
      ids.push_back(o.identity.tailnet_node);
    }
    return ids;
  };
  EXPECT_THAT(nodes({}), ElementsAre("2"));
  PeerSelection all;
  all.online_only = false;
  all.include_shared = true;
  EXPECT_THAT(nodes(all), ElementsAre("2", "3", "4", "5"));
  PeerSelection tagged = all;
  tagged.tags = {"tag:other", "tag:exo"};
  EXPECT_THAT(nodes(tagged), ElementsAre("2"));
  PeerSelection mac = all;
  mac.os = {"MACOS"};
  EXPECT_THAT(nodes(mac), ElementsAre("3"));
  PeerSelection exo = all;
  exo.hostname = "exo-*";
  EXPECT_THAT(nodes(exo), ElementsAre("2", "3", "5"));
}

TEST(TailscaleStatusTest, OfflineAndExpiredPeersSayOfflineWithTheirLastSeen) {
  PeerSelection selection;
  selection.online_only = false;
  const Snapshot snapshot =
      Look(Status(Peer("2", R"("Online":false,"LastSeen":"2025-07-10T14:06:52.1Z")") + "," +
                  Peer("3", R"("Expired":true,"LastSeen":"0001-01-01T00:00:00Z")")),
           selection);
  ASSERT_EQ(snapshot.observations.size(), 2u);
  EXPECT_EQ(snapshot.observations[0].online, false);
  EXPECT_EQ(FormatTimestamp(*snapshot.observations[0].last_seen), "2025-07-10T14:06:52.100Z");
  EXPECT_EQ(snapshot.observations[1].online, false);
  EXPECT_FALSE(snapshot.observations[1].last_seen);
}

TEST(TailscaleStatusTest, DirectAndRelayedPathsAreTold) {
  const Snapshot snapshot =
      Look(Status(Peer("2", R"("CurAddr":"192.0.2.1:41641","Relay":"fra")") + "," +
                  Peer("3", R"("Relay":"999")") + "," + Peer("4", R"("PeerRelay":"10.0.0.1:7:1")") +
                  "," + Peer("5", "")));
  ASSERT_EQ(snapshot.observations.size(), 4u);
  EXPECT_EQ(snapshot.observations[0].tailnet_path, TailnetPath::kDirect);
  EXPECT_EQ(snapshot.observations[1].tailnet_path, TailnetPath::kRelayed);
  EXPECT_EQ(snapshot.observations[2].tailnet_path, TailnetPath::kRelayed);
  EXPECT_EQ(snapshot.observations[3].tailnet_path, TailnetPath::kUnknown);
}

TEST(TailscaleStatusTest, TagsGiveTheAppsPeerIdAndPortElseAppPortElseAHost) {
  const std::string id = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
  const std::string cid = PeerIdTag(*PeerId::Parse(id), "exo", TagStyle::kDash);
  const std::string json = Status(Peer("2", "\"Tags\":[\"" + cid + "\",\"tag:exo-port-52418\"]") +
                                  "," + Peer("3", R"("Tags":["tag:exo"])"));
  const Snapshot hosts = Look(json);
  ASSERT_EQ(hosts.observations.size(), 2u);
  EXPECT_EQ(hosts.observations[0].identity.peer_id->ToString(), id);
  EXPECT_THAT(Addresses(hosts.observations[0]), ElementsAre("/ip4/100.64.0.2/tcp/52418"));
  EXPECT_THAT(Addresses(hosts.observations[1]), ElementsAre("/ip4/100.64.0.3"));
  PeerSelection with_port;
  with_port.app_port = 52416;
  EXPECT_THAT(Addresses(Look(json, with_port).observations[1]),
              ElementsAre("/ip4/100.64.0.3/tcp/52416"));
}

TEST(TailscaleStatusTest, OurOwnTagsNameOurOwnApp) {
  const std::string json =
      R"({"BackendState":"Running","Self":{"ID":"1","TailscaleIPs":["100.64.0.1"],)"
      R"("Tags":["tag:exo_peer_id=12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",)"
      R"("tag:exo_port=52416"]},"Peer":null})";
  const Snapshot snapshot = Look(json);
  EXPECT_THAT(snapshot.observations, IsEmpty());
  ASSERT_EQ(snapshot.self.peer_ids.size(), 1u);
  EXPECT_THAT(snapshot.self.app_ports, ElementsAre(52416));
}

}  // namespace
}  // namespace peerscout::tailscale
