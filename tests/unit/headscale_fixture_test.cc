// The Headscale source's parser on responses captured from real Headscale releases
// (tests/fixtures/capture-headscale.sh; the tailnet is described in tests/fixtures/headscale/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_snapshot.h"
#include "adapters/headscale/self_tags.h"

namespace peerscout::headscale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kPeerA = "12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A";
constexpr const char* kPeerB = "12D3KooWBynX2HaNg73xSLq9TJDQjQKozxCh7MgVqKgGGXWXYzQn";

std::string Fixture(const std::string& version, const std::string& name) {
  std::ifstream file(std::string(PEERSCOUT_SOURCE_DIR) + "/tests/fixtures/headscale/" + version +
                     "/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<std::string> Ids(const Snapshot& snapshot) {
  std::vector<std::string> ids;
  for (const Observation& o : snapshot.observations) ids.push_back(o.identity.tailnet_node);
  return ids;
}

class HeadscaleFixtureTest : public ::testing::TestWithParam<std::string> {
 protected:
  NodeList Nodes(const std::string& file = "nodes.json") {
    auto list = ParseNodeList(Fixture(GetParam(), file));
    EXPECT_TRUE(list) << list.error();
    return list ? *list : NodeList{};
  }
};

TEST_P(HeadscaleFixtureTest, TheGenerationIsTold) {
  EXPECT_EQ(Nodes().generation,
            GetParam() >= "v0.28" ? ApiGeneration::kTags : ApiGeneration::kForcedTags);
  EXPECT_EQ(Nodes().nodes.size(), 6u);
}

TEST_P(HeadscaleFixtureTest, TaggedOnlineNodesAreListedWithTheirAppsPeerIdAndPort) {
  const Snapshot snapshot = SnapshotFromNodes(Nodes(), {}, Clock::now());
  // 2: underscore tags, 3: dash tags; 4 has only tag:exo; 5 is offline; 6 has expired.
  ASSERT_THAT(Ids(snapshot), ElementsAre("2", "3"));
  EXPECT_EQ(snapshot.observations[0].identity.peer_id->ToString(), kPeerA);
  EXPECT_EQ(snapshot.observations[0].addresses[0].ToMultiaddr(), "/ip4/100.64.0.2/tcp/52416");
  EXPECT_EQ(snapshot.observations[1].identity.peer_id->ToString(), kPeerB);
  EXPECT_EQ(snapshot.observations[1].addresses[0].ToMultiaddr(), "/ip4/100.64.0.3/tcp/52418");
  EXPECT_EQ(snapshot.observations[1].identity.hostname, "node3");
  EXPECT_TRUE(snapshot.issues.empty());
}

TEST_P(HeadscaleFixtureTest, TheMemberTagAndOfflineNodesOnRequest) {
  NodeSelection selection;
  selection.member_tag = "tag:exo";
  selection.online_only = false;
  const Snapshot snapshot = SnapshotFromNodes(Nodes(), selection, Clock::now());
  EXPECT_THAT(Ids(snapshot), ElementsAre("2", "3", "4", "6"));  // 5 is untagged
  EXPECT_EQ(snapshot.observations[3].online, false);            // 6 expired, "online" or not
}

TEST_P(HeadscaleFixtureTest, OurNodeGetsItsTagsKeepingTheOthers) {
  SelfIdentity self;
  self.addresses = {*IpAddress::Parse("100.64.0.2")};
  const std::vector<std::string> wanted =
      AppTagsFor(*PeerId::Parse(kPeerB), 52420, "exo", TagStyle::kDash);
  auto change = PlanTagChange(Nodes(), self, wanted, "exo");
  ASSERT_TRUE(change) << change.error();
  ASSERT_TRUE(*change);
  EXPECT_EQ((*change)->node_id, "2");
  // Node 2's underscore app tags are replaced; tag:exo stays.
  EXPECT_THAT((*change)->tags, ElementsAre("tag:exo", wanted[0], "tag:exo-port-52420"));
  // Node 3 already carries exactly its tags: nothing to do.
  self.addresses = {*IpAddress::Parse("fd7a:115c:a1e0::3")};
  auto none = PlanTagChange(
      Nodes(), self, AppTagsFor(*PeerId::Parse(kPeerB), 52418, "exo", TagStyle::kDash), "exo");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  self.addresses = {*IpAddress::Parse("100.64.0.99")};
  EXPECT_THAT(PlanTagChange(Nodes(), self, wanted, "exo").error(), HasSubstr("not in"));
}

TEST_P(HeadscaleFixtureTest, TheUserFilteredListParses) {
  EXPECT_FALSE(Nodes("nodes-user.json").nodes.empty());
}

TEST_P(HeadscaleFixtureTest, ErrorBodiesAreNotNodeLists) {
  for (const char* file :
       {"error-no-key.txt", "error-wrong-key.txt", "machine.json", "set-tags-uppercase.json"}) {
    EXPECT_FALSE(ParseNodeList(Fixture(GetParam(), file))) << file;
  }
  EXPECT_THAT(Fixture(GetParam(), "error-wrong-key.txt"), ::testing::StartsWith("Unauthorized"));
}

INSTANTIATE_TEST_SUITE_P(Captured, HeadscaleFixtureTest,
                         ::testing::Values("v0.23.0", "v0.26.1", "v0.29.2"), [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

// The policy as a real v0.29.2 keeps it in its database: entries added, nothing else changed.
TEST(HeadscalePolicyTest, AddsOnlyTheMissingTagOwnersAndKeepsTheRest) {
  rapidjson::Document document;
  document.Parse(Fixture("v0.29.2", "db-policy.json").c_str());
  const std::string policy = document["policy"].GetString();
  auto edited = AddTagOwners(policy, {"tag:exo", "tag:exo-port-52420"});
  ASSERT_TRUE(edited) << edited.error();
  rapidjson::Document after;
  after.Parse<rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag>(edited->c_str());
  ASSERT_FALSE(after.HasParseError()) << *edited;
  EXPECT_TRUE(after["tagOwners"].HasMember("tag:exo-port-52420"));
  EXPECT_EQ(after["tagOwners"]["tag:exo"].Size(), 1u);  // kept as it was
  EXPECT_EQ(after["acls"].Size(), 1u);
  EXPECT_EQ(*AddTagOwners(*edited, {"tag:exo-port-52420"}), *edited);  // nothing missing
}

TEST(HeadscalePolicyTest, CommentsSurviveAndAMissingTableIsAdded) {
  const std::string policy = "// ours\n{\n  \"acls\": [], // keep\n}\n";
  auto edited = AddTagOwners(policy, {"tag:exo-port-1"});
  ASSERT_TRUE(edited) << edited.error();
  EXPECT_THAT(*edited, HasSubstr("// ours"));
  EXPECT_THAT(*edited, HasSubstr("// keep"));
  EXPECT_THAT(*edited, HasSubstr("\"tagOwners\": {\n    \"tag:exo-port-1\": []\n  },"));
  auto empty = AddTagOwners("{\"tagOwners\": {}}", {"tag:a"});
  rapidjson::Document after;
  after.Parse(empty->c_str());
  EXPECT_FALSE(after.HasParseError()) << *empty;  // no trailing comma in an empty table
  EXPECT_FALSE(AddTagOwners("[1]", {"tag:a"}));
  EXPECT_FALSE(AddTagOwners("{", {"tag:a"}));
}

TEST(HeadscalePolicyTest, TheSnippetIsPolicyText) {
  const std::string snippet = PolicySnippet({"tag:exo-peer-b", "tag:exo-port-1"});
  rapidjson::Document document;
  document.Parse(("{" + snippet + "}").c_str());
  ASSERT_FALSE(document.HasParseError()) << snippet;
  EXPECT_TRUE(document["tagOwners"].HasMember("tag:exo-port-1"));
}

}  // namespace
}  // namespace peerscout::headscale
