#include "sidecar/render/peer_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sidecar/core/merge.h"
#include "sidecar/render/format.h"
#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using ::testing::HasSubstr;
using testing::kPeerA;
using testing::Seen;
using ::testing::StartsWith;

class PeerTemplateTest : public ::testing::Test {
 protected:
  PeerTemplateTest() {
    observations_["env"] = {Seen().peer_id(kPeerA).at("10.9.0.7:30000").at("192.168.1.5:30000"),
                            Seen().at("10.9.0.8:30000")};
    observations_["tailscale"] = {
        Seen().node("n-b").hostname("b\n127.0.0.1 evil<&>'\"").at("100.64.0.6").online(false)};
    MergeInput input;
    input.network.local_subnets = {*Subnet::Parse("192.168.1.0/24")};
    for (const auto& [source, list] : observations_) {
      input.sources.push_back({source, &list, false});
    }
    peers_ = PeerSet{12, Merge(input)};
  }

  std::string Render(const std::string& text) {
    auto parsed = PeerTemplate::Parse(text);
    EXPECT_TRUE(parsed) << parsed.error();
    if (!parsed) return "";
    auto rendered = parsed->Render(peers_);
    EXPECT_TRUE(rendered) << rendered.error();
    return rendered ? *rendered : "";
  }

  std::map<std::string, std::vector<Observation>> observations_;
  PeerSet peers_;
};

TEST_F(PeerTemplateTest, VersionAndPeerCount) {
  EXPECT_EQ(Render("v{{version}} n={{peer_count}}"), "v12 n=3");
}

TEST_F(PeerTemplateTest, EachListFormatIsOneCommaSeparatedString) {
  RenderOptions comma;
  comma.separator = ",";
  size_t lists = 0;
  for (const Format& format : Formats()) {
    if (!format.is_list) continue;
    ++lists;
    const std::string name(format.name);
    EXPECT_EQ(Render("{{{" + name + "}}}"), format.render(peers_, comma)) << name;
  }
  EXPECT_GE(lists, 3u);
  // One best address per peer, the LAN one first.
  EXPECT_EQ(Render("{{{exo}}}"),
            "/ip4/10.9.0.8/tcp/30000,/ip4/192.168.1.5/tcp/30000/p2p/" + kPeerA);
  EXPECT_EQ(Render("{{{lines}}}"), "10.9.0.8:30000,192.168.1.5:30000");
  // No trailing separator, as in an environment variable.
  EXPECT_THAT(Render("{{{multiaddr}}}"), ::testing::Not(::testing::EndsWith(",")));
}

TEST_F(PeerTemplateTest, PeersHaveTheFieldsOfTheJsonApi) {
  const std::string text =
      "{{#peers}}{{id}}|{{name}}|{{peer_id}}|{{tailnet_node}}|{{#online}}up{{/online}}"
      "{{^online}}down{{/online}}|{{#sources}}{{.}};{{/sources}}|"
      "{{#addresses}}{{ip}}:{{port}}/{{kind}}/{{transport}} {{/addresses}}\n{{/peers}}";
  // In the listing order: named peers first.
  EXPECT_EQ(Render(text),
            "node:n-b|b-127-0-0-1-evil||n-b|down|tailscale;|100.64.0.6:/tailnet/ \n"
            "10.9.0.8:30000||||up|env;|10.9.0.8:30000/other/tcp \n" +
                kPeerA + "||" + kPeerA +
                "||up|env;|192.168.1.5:30000/lan/tcp 10.9.0.7:30000/other/tcp \n");
}

TEST_F(PeerTemplateTest, UnknownFieldsAreFalseNotTheOuterContext) {
  // The env peer has no tailnet node: an inverted section shows, and the top level's keys
  // (here `version`) never stand in for a peer's missing one.
  EXPECT_EQ(Render("{{#peers}}{{^tailnet_node}}-{{/tailnet_node}}{{/peers}}"), "--");
  EXPECT_EQ(Render("{{#peers}}{{#addresses}}[{{multiaddr}}]{{/addresses}}{{/peers}}"),
            "[/ip4/100.64.0.6][/ip4/10.9.0.8/tcp/30000][/ip4/192.168.1.5/tcp/30000/p2p/" + kPeerA +
                "][/ip4/10.9.0.7/tcp/30000/p2p/" + kPeerA + "]");
}

TEST_F(PeerTemplateTest, DoubleBracesEscapeHtmlTripleBracesAndAmpersandDoNot) {
  const std::string select = "{{#peers}}{{#tailnet_node}}";
  const std::string end = "{{/tailnet_node}}{{/peers}}";
  EXPECT_EQ(Render(select + "{{hostname}}" + end), "b\n127.0.0.1 evil&lt;&amp;&gt;&apos;&quot;");
  EXPECT_EQ(Render(select + "{{{hostname}}}" + end), "b\n127.0.0.1 evil<&>'\"");
  EXPECT_EQ(Render(select + "{{&hostname}}" + end), "b\n127.0.0.1 evil<&>'\"");
  // The name is the validated form of the same hostname.
  EXPECT_EQ(Render(select + "{{{name}}}" + end), "b-127-0-0-1-evil");
}

TEST_F(PeerTemplateTest, PartialsRenderNothing) {
  // A partial named after a key would otherwise render that value as a template.
  EXPECT_EQ(Render("[{{> exo}}][{{> missing}}]"), "[][]");
}

TEST_F(PeerTemplateTest, SyntaxErrorsNameTheLine) {
  auto unclosed = PeerTemplate::Parse("a\nb\n{{#peers}}\n{{id}}\n");
  ASSERT_FALSE(unclosed);
  EXPECT_THAT(unclosed.error(), StartsWith("line 3: "));
  EXPECT_THAT(unclosed.error(), HasSubstr("Unclosed section \"peers\""));
  auto tag = PeerTemplate::Parse("ok\n{{id");
  ASSERT_FALSE(tag);
  EXPECT_EQ(tag.error(), "line 2: Unclosed tag");
  EXPECT_FALSE(PeerTemplate::Parse("{{/peers}}"));
}

TEST_F(PeerTemplateTest, AnEmptyListRendersItsInvertedSection) {
  const PeerSet empty{3, {}};
  auto parsed = PeerTemplate::Parse("{{^peers}}none{{/peers}} {{peer_count}} [{{exo}}]");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed->Render(empty), "none 0 []");
}

}  // namespace
}  // namespace peerscout
