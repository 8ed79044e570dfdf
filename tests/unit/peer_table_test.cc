#include "sidecar/terminal/peer_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "sidecar/core/clock_text.h"
#include "sidecar/core/merge.h"
#include "sidecar/render/format.h"
#include "tests/unit/observation_builders.h"

namespace peerscout::terminal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const Clock::time_point kNow = *ParseTimestamp("2026-01-10T12:00:00Z");

// One peer as /v1/peers?format=json writes it.
std::string PeerJson(const std::string& id, const std::string& name,
                     const std::vector<std::string>& addresses, bool online = true,
                     const std::string& last_seen = "null") {
  std::string json = R"({"id":")" + id + R"(","name":)" +
                     (name.empty() ? "null" : '"' + name + '"') + R"(,"addresses":[)";
  for (size_t i = 0; i < addresses.size(); ++i) json += (i ? "," : "") + addresses[i];
  json += R"(],"sources":["env"],"tags":[],"online":)" + std::string(online ? "true" : "false") +
          R"(,"stale":false,"last_seen":)" + last_seen + "}";
  return json;
}

std::string V4(const std::string& ip, int port, const std::string& kind = "other") {
  return R"({"host":")" + ip + R"(","ip":")" + ip + R"(","port":)" + std::to_string(port) +
         R"(,"transport":"tcp","kind":")" + kind + R"(","sources":["env"]})";
}

std::string List(const std::vector<std::string>& peers) {
  std::string json = R"({"version":3,"peers":[)";
  for (size_t i = 0; i < peers.size(); ++i) json += (i ? "," : "") + peers[i];
  return json + "]}";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

std::string Table(const std::string& json, const TerminalView& view = {}) {
  auto table = RenderPeerTable(json, kNow, view);
  EXPECT_TRUE(table) << table.error();
  return table ? *table : "";
}

TEST(PeerTableTest, HeaderAndOneRowPerPeer) {
  const std::string text = Table(List({PeerJson("10.0.0.2:1", "exo-1", {V4("10.0.0.2", 1, "lan")},
                                                true, R"("2026-01-10T11:59:48.000Z")")}));
  EXPECT_EQ(text,
            "NAME   ADDRESS           SOURCES  ONLINE  LAST SEEN  STALE\n"
            "exo-1  10.0.0.2:1 (lan)  env      yes     12s ago    no\n");
}

TEST(PeerTableTest, SortedByNameThenAddressAsNumbers) {
  const std::string text = Table(List({
      PeerJson("10.200.0.100:4001", "", {V4("10.200.0.100", 4001)}),
      PeerJson("x", "",
               {R"({"host":"fd7a:115c:a1e0::1","ip":"fd7a:115c:a1e0::1","port":4001,)"
                R"("transport":"tcp","kind":"tailnet"})"}),
      PeerJson("10.200.0.10:4001", "", {V4("10.200.0.10", 4001)}),
      PeerJson("10.200.0.9:4001", "", {V4("10.200.0.9", 4001)}),
      PeerJson("b", "beta", {V4("10.0.0.1", 1)}),
      PeerJson("a", "Alpha", {V4("10.0.0.2", 1)}),
  }));
  std::vector<std::string> firsts;
  for (const std::string& line : Lines(text)) firsts.push_back(line.substr(0, line.find(" (")));
  EXPECT_THAT(firsts, ElementsAre(StartsWith("NAME"), "Alpha  10.0.0.2:1", "beta   10.0.0.1:1",
                                  "-      10.200.0.9:4001", "-      10.200.0.10:4001",
                                  "-      10.200.0.100:4001", "-      [fd7a:115c:a1e0::1]:4001"));
}

TEST(PeerTableTest, FurtherAddressesGetTheirOwnLineUnderThePeer) {
  const std::string text = Table(List({PeerJson(
      "p", "gpu",
      {V4("192.168.1.5", 52416, "lan"), V4("100.64.0.2", 52416, "tailnet-direct"),
       R"({"host":"exo-2","ip":null,"port":5,"transport":"quic-v1","kind":"dns"})",
       R"({"host":"100.64.0.2","ip":"100.64.0.2","port":null,"transport":null,"kind":"tailnet"})"},
      false)}));
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[1], "gpu   192.168.1.5:52416 (lan)            env      no      -          no");
  // Best first, as the sidecar ranked them; a bare host and a non-TCP transport are shown.
  EXPECT_EQ(lines[2], "      100.64.0.2:52416 (tailnet-direct)");
  EXPECT_EQ(lines[3], "      exo-2:5/quic-v1 (dns)");
  EXPECT_EQ(lines[4], "      100.64.0.2 (tailnet)");
}

TEST(PeerTableTest, LongFieldsAreCutOnlyWhenTheWidthIsKnown) {
  const std::string name(70, 'n');
  const std::string json = List({PeerJson("a", name, {V4("10.0.0.2", 1)})});
  for (const std::string& line : Lines(Table(json, {80, false}))) {
    EXPECT_LE(DisplayWidth(line), 80u) << line;
  }
  EXPECT_THAT(Table(json, {80, false}), HasSubstr("n\u2026  10.0.0.2:1 (other)"));
  EXPECT_THAT(Table(json), HasSubstr(name + "  10.0.0.2:1 (other)"));
}

TEST(PeerTableTest, ColourMarksOnlineOfflineAndTheHeader) {
  const std::string json = List({PeerJson("a", "up", {V4("10.0.0.2", 1)}, true),
                                 PeerJson("b", "down", {V4("10.0.0.3", 1)}, false)});
  const std::string colored = Table(json, {std::nullopt, true});
  EXPECT_THAT(colored, StartsWith("\x1b[2mNAME\x1b[0m"));
  EXPECT_THAT(colored, HasSubstr("\x1b[32myes\x1b[0m"));
  EXPECT_THAT(colored, HasSubstr("\x1b[33mno\x1b[0m"));
  EXPECT_THAT(Table(json), Not(HasSubstr("\x1b")));
}

TEST(PeerTableTest, ReadsWhatTheSidecarWrites) {
  std::vector<Observation> observations = {
      testing::Seen().hostname("node-b").at("100.64.0.6:52416").at("192.168.1.5:52416"),
      testing::Seen().at("10.9.0.10:30000"), testing::Seen().at("10.9.0.9:30000")};
  MergeInput input;
  input.network.local_subnets = {*Subnet::Parse("192.168.1.0/24")};
  input.sources.push_back({"env", &observations, false});
  const PeerSet peers{4, Merge(input)};
  const std::string json = FindFormat("json")->render(peers, {});
  EXPECT_THAT(Lines(Table(json)),
              ElementsAre(StartsWith("NAME"),
                          "node-b  192.168.1.5:52416 (lan)     env      yes     -          no",
                          "        100.64.0.6:52416 (tailnet)",
                          "-       10.9.0.9:30000 (other)      env      yes     -          no",
                          "-       10.9.0.10:30000 (other)     env      yes     -          no"));
}

TEST(PeerTableTest, NotAPeerListIsAnError) {
  EXPECT_FALSE(RenderPeerTable("<html>", kNow, {}));
  EXPECT_FALSE(RenderPeerTable(R"({"error":"format"})", kNow, {}));
  EXPECT_EQ(*RenderPeerTable(R"({"version":1,"peers":[]})", kNow, {}),
            "NAME  ADDRESS  SOURCES  ONLINE  LAST SEEN  STALE\n");
}

}  // namespace
}  // namespace peerscout::terminal
