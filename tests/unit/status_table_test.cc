#include "sidecar/terminal/status_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "sidecar/core/clock_text.h"
#include "sidecar/server/api.h"
#include "tests/unit/observation_builders.h"

namespace peerscout::terminal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Seen;
using ::testing::StartsWith;

const Clock::time_point kNow = *ParseTimestamp("2026-01-10T12:00:00Z");

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// The sidecar's own /v1/sources and /v1/health for three sources: ok with a refused entry,
// failing, and not yet reported.
class StatusTableTest : public ::testing::Test {
 protected:
  StatusTableTest() : registry_(Registry::Options{}), api_(registry_, telemetry_, Options()) {
    registry_.DeclareSources(
        {{"env", "env", true}, {"tail", "tailscale", true}, {"hs", "headscale", true}});
    Snapshot snapshot{{Seen().at("10.0.0.2:1"), Seen().at("10.0.0.3:1")},
                      {{"10.0.0.300:1", "PEERSCOUT_BOOTSTRAP_PEERS entry 2", "not an address"}},
                      {},
                      {}};
    registry_.Publish("env", snapshot, kNow - std::chrono::seconds(12));
    registry_.Publish("tail", Snapshot{{Seen().at("100.64.0.2")}, {}, {}, {}},
                      kNow - std::chrono::minutes(5));
    registry_.Fail("tail", "tailscale: no tailscaled socket at /run/x.sock",
                   kNow - std::chrono::seconds(3));
  }

  static Api::Options Options() {
    Api::Options options;
    options.startup_deadline = std::chrono::hours(1);
    return options;
  }

  std::string Body(const std::string& path) const {
    ApiRequest request;
    request.method = "GET";
    request.path = path;
    request.query = [](std::string_view) { return std::optional<std::string>(); };
    return std::get<ApiResponse>(api_.Handle(request)).text();
  }

  std::string Status(const TerminalView& view = {}) const {
    auto text = RenderStatus(Body("/v1/sources"), Body("/v1/health"), kNow, view);
    EXPECT_TRUE(text) << text.error();
    return text ? *text : "";
  }

  Telemetry telemetry_;
  Registry registry_;
  Api api_;
};

TEST_F(StatusTableTest, SummaryThenOneRowPerSourceWithItsProblemsBeneath) {
  EXPECT_THAT(
      Lines(Status()),
      ElementsAre("health starting, version 4, 3 peers, sources: 1 ok, 1 waiting, 1 stale", "",
                  "SOURCE  TYPE       STATE    PEERS  LAST SUCCESS  LAST ERROR",
                  "env     env        ok       2      12s ago       -",
                  "  refused: PEERSCOUT_BOOTSTRAP_PEERS entry 2: 10.0.0.300:1: not an address",
                  "hs      headscale  waiting  0      -             -",
                  "tail    tailscale  stale    1      5m ago        3s ago",
                  "  error: tailscale: no tailscaled socket at /run/x.sock"));
}

TEST_F(StatusTableTest, ColourForStatesOnlyWhenAsked) {
  const std::string colored = Status({std::nullopt, true});
  EXPECT_THAT(colored, StartsWith("health \x1b[33mstarting\x1b[0m"));
  EXPECT_THAT(colored, HasSubstr("\x1b[32mok\x1b[0m"));
  EXPECT_THAT(colored, HasSubstr("\x1b[33mstale\x1b[0m"));
  EXPECT_THAT(colored, HasSubstr("\n  \x1b[31merror: tailscale: no tailscaled"));
  EXPECT_THAT(Status(), Not(HasSubstr("\x1b")));
}

TEST_F(StatusTableTest, CutToTheTerminal) {
  const std::string text = Status({60, false});
  for (const std::string& line : Lines(text)) {
    if (line.starts_with("health")) continue;  // the summary is one line of short words
    EXPECT_LE(DisplayWidth(line), 60u) << line;
  }
  EXPECT_THAT(text,
              HasSubstr("\n  refused: PEERSCOUT_BOOTSTRAP_PEERS entry 2: 10.0.0.300:1:\u2026\n"));
  EXPECT_THAT(text, HasSubstr("\nhs      headscale  waiting  0"));  // states are never cut
}

TEST(StatusTableJsonTest, FailingIsRedAndAnUnknownHealthIsSaid) {
  const std::string sources =
      R"({"version":7,"peer_count":0,"sources":[{"name":"tail","type":"tailscale",)"
      R"("state":"failing","last_success":null,"last_error":"refused",)"
      R"("last_error_at":"2026-01-10T11:58:00.000Z","peer_count":0,"issues":[]}]})";
  auto text = RenderStatus(sources, "", kNow, {std::nullopt, true});
  ASSERT_TRUE(text) << text.error();
  EXPECT_THAT(*text, StartsWith("health \x1b[33munknown\x1b[0m, version 7, 0 peers, sources: 0 ok, "
                                "\x1b[31m1 failing\x1b[0m\n"));
  EXPECT_THAT(*text, HasSubstr("\x1b[31mfailing\x1b[0m"));
  EXPECT_THAT(*text, HasSubstr("2m ago"));
  EXPECT_THAT(*text, HasSubstr("  \x1b[31merror: refused\x1b[0m"));
  EXPECT_FALSE(RenderStatus("not json", "", kNow, {}));
}

}  // namespace
}  // namespace peerscout::terminal
