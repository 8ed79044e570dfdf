#include "sidecar/tailnet/app_tags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using ::testing::HasSubstr;
using testing::kPeerA;
using testing::kPeerC;

TEST(AppTagsTest, ThePeerIdTagUsesTheLowercaseCidFormThatReadsBackToTheSameId) {
  const PeerId id = *PeerId::Parse(kPeerA);
  const std::string dash = PeerIdTag(id, "exo", TagStyle::kDash);
  const std::string underscore = PeerIdTag(id, "exo", TagStyle::kUnderscore);
  EXPECT_EQ(dash.rfind("tag:exo-peer-bafz", 0), 0u) << dash;
  EXPECT_EQ(underscore.rfind("tag:exo_peer_id=bafz", 0), 0u) << underscore;
  // Headscale refuses uppercase in tags; Tailscale allows only letters, digits and dashes.
  for (char c : dash.substr(4))
    EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << dash;
  EXPECT_EQ(ReadAppTags({dash}, "exo").peer_id, id);
  EXPECT_EQ(ReadAppTags({underscore}, "exo").peer_id, id);
  EXPECT_EQ(PortTag(52416, "skulk", TagStyle::kDash), "tag:skulk-port-52416");
  EXPECT_EQ(PortTag(52416, "exo", TagStyle::kUnderscore), "tag:exo_port=52416");
}

TEST(AppTagsTest, ReadsBothStylesAndIgnoresOtherPrefixesAndTags) {
  const AppTags tags = ReadAppTags({"tag:exo", "tag:server", "tag:exo_peer_id=" + kPeerA,
                                    "tag:exo-port-52418", "tag:skulk-port-1"},
                                   "exo");
  EXPECT_EQ(tags.peer_id, *PeerId::Parse(kPeerA));
  EXPECT_EQ(tags.port, 52418);
  EXPECT_TRUE(tags.refused.empty());
}

TEST(AppTagsTest, TheSameIdInBothStylesAndFormsAgrees) {
  const PeerId id = *PeerId::Parse(kPeerA);
  const AppTags tags =
      ReadAppTags({PeerIdTag(id, "exo", TagStyle::kDash), "tag:exo_peer_id=" + kPeerA,
                   "tag:exo_port=1", "tag:exo-port-1"},
                  "exo");
  EXPECT_EQ(tags.peer_id, id);
  EXPECT_EQ(tags.port, 1);
  EXPECT_TRUE(tags.refused.empty());
}

TEST(AppTagsTest, MalformedValuesAreRefusedWithAReasonAndNeverHalfUsed) {
  const AppTags tags = ReadAppTags(
      {"tag:exo-peer-bafzNOTBASE32", "tag:exo_port=0", "tag:exo-port-65536", "tag:exo_port=12ab"},
      "exo");
  EXPECT_FALSE(tags.peer_id);
  EXPECT_FALSE(tags.port);
  ASSERT_EQ(tags.refused.size(), 4u);
  EXPECT_EQ(tags.refused[0].tag, "tag:exo-peer-bafzNOTBASE32");
  EXPECT_THAT(tags.refused[1].reason, HasSubstr("out of range"));
  EXPECT_THAT(tags.refused[3].reason, HasSubstr("not a decimal number"));
}

TEST(AppTagsTest, TwoDifferentIdsOrPortsRefuseTheFieldAltogether) {
  const AppTags tags = ReadAppTags(
      {"tag:exo_peer_id=" + kPeerA, "tag:exo-peer-" + kPeerC, "tag:exo-port-1", "tag:exo_port=2"},
      "exo");
  EXPECT_FALSE(tags.peer_id);
  EXPECT_FALSE(tags.port);
  ASSERT_EQ(tags.refused.size(), 4u);
  EXPECT_THAT(tags.refused[0].reason, HasSubstr("more than one peer id"));
  EXPECT_THAT(tags.refused[3].reason, HasSubstr("more than one port"));
}

TEST(AppTagsTest, PrefixesAndTagsAreChecked) {
  EXPECT_TRUE(CheckTagPrefix("exo"));
  EXPECT_TRUE(CheckTagPrefix("my-app2"));
  EXPECT_FALSE(CheckTagPrefix("Exo"));
  EXPECT_FALSE(CheckTagPrefix("2exo"));
  EXPECT_FALSE(CheckTagPrefix("ex_o"));
  EXPECT_FALSE(CheckTagPrefix(""));
  EXPECT_TRUE(CheckTag("tag:exo_port=52416"));
  EXPECT_FALSE(CheckTag("tag:a\nb"));
  EXPECT_FALSE(CheckTag("tag:$(reboot) x"));
  EXPECT_FALSE(CheckTag("server"));
  EXPECT_FALSE(CheckTag("tag:" + std::string(200, 'a')));
}

}  // namespace
}  // namespace peerscout
