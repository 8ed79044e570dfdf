// The Headscale source's pure part: node lists in, observations out. Captured payloads are in
// tests/fixtures/headscale/<version>/ (tests/fixtures/capture-headscale.sh makes them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_snapshot.h"
#include "sidecar/core/clock_text.h"

namespace peerscout::headscale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kPeerA = "12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A";
constexpr const char* kCidA = "bafzaajaiaejcaaabaibqibiga4eascqlbqgq4dyqcejbgfavcylrqgi2dmob2hq7";

const Clock::time_point kNow = *ParseTimestamp("2026-12-01T10:00:00Z");

// A node as Headscale lists it; `fields` come first, so they win over the defaults after them
// (RapidJSON finds the first of two equal keys).
std::string Node(const std::string& id, const std::string& fields) {
  return "{" + (fields.empty() ? "" : fields + ",") + R"("id":")" + id + R"(","name":"node)" + id +
         R"(","ipAddresses":["100.64.0.)" + id + R"(","fd7a:115c:a1e0::)" + id +
         R"("],"online":true})";
}

Snapshot Look(const std::string& json, const NodeSelection& selection = {}) {
  auto list = ParseNodeList(json);
  EXPECT_TRUE(list) << list.error();
  return list ? SnapshotFromNodes(*list, selection, kNow) : Snapshot{};
}

std::vector<std::string> Addresses(const Observation& observation) {
  std::vector<std::string> texts;
  for (const Endpoint& endpoint : observation.addresses) texts.push_back(endpoint.ToMultiaddr());
  return texts;
}

TEST(HeadscaleNodesTest, TheGenerationIsReadFromTheShape) {
  EXPECT_EQ(ParseNodeList(R"({"nodes":[)" + Node("1", R"("tags":[])") + "]}")->generation,
            ApiGeneration::kTags);
  EXPECT_EQ(ParseNodeList(R"({"nodes":[)" + Node("1", R"("forcedTags":[],"validTags":[])") + "]}")
                ->generation,
            ApiGeneration::kForcedTags);
  EXPECT_EQ(ParseNodeList(R"({"machines":[)" + Node("1", R"("forcedTags":[])") + "]}")->generation,
            ApiGeneration::kMachines);
  EXPECT_EQ(ParseNodeList(R"({"nodes": []})")->generation, ApiGeneration::kUnknown);
}

TEST(HeadscaleNodesTest, TagsAreTheUnionOfEveryTagFieldButInvalidTags) {
  const Snapshot snapshot =
      Look(R"({"nodes":[)" +
           Node("2", R"("forcedTags":["tag:exo_peer_id=)" + std::string(kCidA) +
                         R"("],"validTags":["tag:exo_port=52416","tag:exo_peer_id=)" + kCidA +
                         R"("],"invalidTags":["tag:exo_port=1"])") +
           "]}");
  ASSERT_EQ(snapshot.observations.size(), 1u);
  const Observation& node = snapshot.observations[0];
  EXPECT_EQ(node.identity.peer_id->ToString(), kPeerA);
  EXPECT_EQ(node.identity.tailnet_node, "2");
  EXPECT_THAT(Addresses(node),
              ElementsAre("/ip4/100.64.0.2/tcp/52416", "/ip6/fd7a:115c:a1e0::2/tcp/52416"));
  EXPECT_THAT(snapshot.issues, IsEmpty());
}

TEST(HeadscaleNodesTest, OnlyNodesWithAnAppTagOrTheMemberTagAreListed) {
  const std::string json = R"({"nodes":[)" + Node("2", R"("tags":["tag:exo-port-52418"])") + "," +
                           Node("3", R"("tags":["tag:exo"])") + "," + Node("4", R"("tags":[])") +
                           "]}";
  std::vector<std::string> ids;
  for (const Observation& o : Look(json).observations) ids.push_back(o.identity.tailnet_node);
  EXPECT_THAT(ids, ElementsAre("2"));
  NodeSelection members;
  members.member_tag = "tag:exo";
  members.app_port = 52416;
  const Snapshot with_members = Look(json, members);
  ASSERT_EQ(with_members.observations.size(), 2u);
  EXPECT_THAT(Addresses(with_members.observations[1])[0], "/ip4/100.64.0.3/tcp/52416");
}

TEST(HeadscaleNodesTest, OfflineAndExpiredNodesAreDroppedOrMarked) {
  const std::string json =
      R"({"nodes":[)" + Node("2", R"("online":false,"tags":["tag:exo-port-1"])") + "," +
      Node("3", R"("expiry":"2026-11-30T10:00:00Z","tags":["tag:exo-port-1"])") + "," +
      Node("4", R"("expiry":"0001-01-01T00:00:00Z","tags":["tag:exo-port-1"])") + "," +
      Node("5", R"("expiry":null,"tags":["tag:exo-port-1"],"user":null)") + "]}";
  std::vector<std::string> ids;
  for (const Observation& o : Look(json).observations) ids.push_back(o.identity.tailnet_node);
  EXPECT_THAT(ids, ElementsAre("4", "5"));
  NodeSelection all;
  all.online_only = false;
  const Snapshot every = Look(json, all);
  ASSERT_EQ(every.observations.size(), 4u);
  EXPECT_EQ(every.observations[0].online, false);
  EXPECT_EQ(every.observations[1].online, false);
  EXPECT_EQ(every.observations[2].online, true);
}

TEST(HeadscaleNodesTest, TheUserFilterReadsTheUsersName) {
  const std::string json =
      R"({"nodes":[)" + Node("2", R"("user":{"id":"1","name":"lab"},"tags":["tag:exo-port-1"])") +
      "," + Node("3", R"("user":{"id":"2","name":"other"},"tags":["tag:exo-port-1"])") + "]}";
  NodeSelection lab;
  lab.user = "lab";
  const Snapshot snapshot = Look(json, lab);
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.tailnet_node, "2");
}

TEST(HeadscaleNodesTest, ANodeLeftOutForAMalformedAppTagSaysWhy) {
  const Snapshot snapshot = Look(R"({"nodes":[)" + Node("2", R"("tags":["tag:exo-port-99999"])") +
                                 "," + Node("3", R"("tags":["tag:a b"])") + "]}");
  EXPECT_THAT(snapshot.observations, IsEmpty());
  ASSERT_EQ(snapshot.issues.size(), 1u);  // node 3 is no app node: its tags are its own affair
  EXPECT_EQ(snapshot.issues[0].subject, "tag:exo-port-99999");
}

TEST(HeadscaleNodesTest, IdsAreStringsOrNumbers) {
  const Snapshot snapshot = Look(
      R"({"nodes":[{"id":7,"ipAddresses":["100.64.0.7"],"online":true,"tags":["tag:exo-port-9"]}]})");
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.tailnet_node, "7");
}

TEST(HeadscaleNodesTest, MalformedTruncatedAndOversizedBodiesAreRefused) {
  EXPECT_THAT(ParseNodeList("").error(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseNodeList("Unauthorized").error(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseNodeList("[]").error(), HasSubstr("not a JSON object"));
  EXPECT_THAT(ParseNodeList(R"({"code":2,"message":"x"})").error(), HasSubstr("neither"));
  EXPECT_THAT(ParseNodeList(R"({"nodes":{}})").error(), HasSubstr("not a list"));
  const std::string whole = R"({"nodes":[)" + Node("2", "") + "]}";
  EXPECT_FALSE(ParseNodeList(whole.substr(0, whole.size() - 3)));
  EXPECT_THAT(ParseNodeList(std::string(kMaxNodeListBytes + 1, ' ')).error(), HasSubstr("larger"));
  EXPECT_FALSE(ParseNodeList("{\"nodes\":[{\"name\":\"\xc3\x28\"}]}"));
  const std::string deep =
      "{\"nodes\":" + std::string(500'000, '[') + std::string(500'000, ']') + "}";
  auto nested = ParseNodeList(deep);  // read without exhausting the stack; holds no node
  ASSERT_TRUE(nested);
  EXPECT_THAT(nested->nodes, IsEmpty());
}

TEST(HeadscaleNodesTest, AValueTooLongToKeepIsLeftOutWholeAndReported) {
  // 1,023 bytes and a two-byte character: a cut at 1,024 bytes would split the character.
  const std::string longer = std::string(1023, 'h') + "\xC3\xA9";
  const Snapshot snapshot = Look(
      R"({"nodes":[)" + Node("2", R"("name":")" + longer + R"(","tags":["tag:exo-port-52416"])") +
      "," + Node("3", R"("tags":["tag:)" + longer + R"("])") + "]}");
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.hostname, "");
  ASSERT_EQ(snapshot.issues.size(), 2u);
  EXPECT_EQ(snapshot.issues[0].subject, "name");
  EXPECT_EQ(snapshot.issues[0].origin, "node ? (2)");
  EXPECT_THAT(snapshot.issues[0].reason, HasSubstr("longer than"));
  EXPECT_EQ(snapshot.issues[1].subject, "tags");  // maybe the app tag: why node 3 is missing
  EXPECT_EQ(snapshot.issues[1].origin, "node node3 (3)");
}

TEST(HeadscaleNodesTest, HostileNamesAndTagValuesAreRefusedOrKeptAsData) {
  const Snapshot snapshot = Look(
      R"j({"nodes":[)j" +
      Node("2",
           R"j("name":"x\n127.0.0.1 evil","tags":["tag:exo_port=$(id)","tag:a b","tag:exo-peer-)j" +
               std::string(kCidA) + R"j("],"ipAddresses":["100.64.0.2","$(reboot)"])j") +
      "]}");
  ASSERT_EQ(snapshot.observations.size(), 1u);
  const Observation& node = snapshot.observations[0];
  EXPECT_EQ(node.identity.hostname, "x\n127.0.0.1 evil");
  EXPECT_THAT(Addresses(node), ElementsAre("/ip4/100.64.0.2"));
  ASSERT_EQ(snapshot.issues.size(), 3u);
  EXPECT_EQ(snapshot.issues[0].subject, "tag:a b");
  EXPECT_EQ(snapshot.issues[1].subject, "tag:exo_port=$(id)");
  EXPECT_EQ(snapshot.issues[2].subject, "$(reboot)");
}

}  // namespace
}  // namespace peerscout::headscale
