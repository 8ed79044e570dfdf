#include "sidecar/server/api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using ::testing::HasSubstr;
using testing::Seen;

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() : registry_(Registry::Options{}), api_(registry_, telemetry_, Options()) {
    registry_.DeclareSources({{"env", "env", true}, {"tail", "tailscale", true}});
  }

  static Api::Options Options() {
    Api::Options options;
    options.default_wait = std::chrono::minutes(5);
    options.max_wait = std::chrono::minutes(10);
    options.startup_deadline = std::chrono::hours(1);
    return options;
  }

  std::variant<ApiResponse, ApiWait> Call(const std::string& path,
                                          const std::map<std::string, std::string>& query = {},
                                          const std::string& method = "GET",
                                          bool wait_over = false) {
    ApiRequest request;
    request.method = method;
    request.path = path;
    request.wait_over = wait_over;
    request.query = [query](std::string_view key) -> std::optional<std::string> {
      auto it = query.find(std::string(key));
      if (it == query.end()) return std::nullopt;
      return it->second;
    };
    return api_.Handle(request);
  }

  ApiResponse Get(const std::string& path, const std::map<std::string, std::string>& query = {}) {
    auto result = Call(path, query);
    EXPECT_TRUE(std::holds_alternative<ApiResponse>(result));
    return std::get<ApiResponse>(result);
  }

  Telemetry telemetry_;
  Registry registry_;
  Api api_;
};

TEST_F(ApiTest, PeersInEveryFormatWithTheIndex) {
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.2:52416")}, {}, {}, {}}, Clock::now());
  ApiResponse json = Get("/v1/peers");
  EXPECT_EQ(json.status, 200u);
  EXPECT_EQ(json.index, 2u);
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_THAT(json.text(), HasSubstr("\"version\":2"));
  ApiResponse exo = Get("/v1/peers", {{"format", "exo"}});
  EXPECT_EQ(exo.text(), "/ip4/10.0.0.2/tcp/52416");
  EXPECT_EQ(exo.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}, {"separator", ";"}}).text(), "10.0.0.2:52416");
}

TEST_F(ApiTest, ACachedBodyIsNeverServedForANewerVersion) {
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.2:1")}, {}, {}, {}}, Clock::now());
  EXPECT_EQ(Get("/v1/peers", {{"format", "exo"}}).text(), "/ip4/10.0.0.2/tcp/1");
  EXPECT_EQ(Get("/v1/peers", {{"format", "exo"}}).text(), "/ip4/10.0.0.2/tcp/1");
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.3:1")}, {}, {}, {}}, Clock::now());
  ApiResponse after = Get("/v1/peers", {{"format", "exo"}});
  EXPECT_EQ(after.text(), "/ip4/10.0.0.3/tcp/1");
  EXPECT_EQ(after.index, 3u);
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}, {"separator", ","}}).text(), "10.0.0.3:1");
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}}).text(), "10.0.0.3:1\n");
}

TEST_F(ApiTest, ABodyOfAnOlderVersionIsLetGoWhenANewerOneIsRendered) {
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.2:1")}, {}, {}, {}}, Clock::now());
  const std::shared_ptr<const std::string> old_json = Get("/v1/peers").shared_body;
  ASSERT_TRUE(old_json);
  EXPECT_GT(old_json.use_count(), 1);  // the cache holds it too
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.3:1")}, {}, {}, {}}, Clock::now());
  // Another format of the new version: nobody asks for the old json again.
  EXPECT_EQ(Get("/v1/peers", {{"format", "exo"}}).text(), "/ip4/10.0.0.3/tcp/1");
  EXPECT_EQ(old_json.use_count(), 1);
}

TEST_F(ApiTest, BodiesNotServedSinceACutoffAreLetGo) {
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.2:1")}, {}, {}, {}}, Clock::now());
  const std::shared_ptr<const std::string> json = Get("/v1/peers").shared_body;
  const auto served = std::chrono::steady_clock::now();
  EXPECT_EQ(api_.DropBodiesServedBefore(served - std::chrono::seconds(10)), 0u);
  EXPECT_GT(json.use_count(), 1);
  EXPECT_EQ(api_.DropBodiesServedBefore(served + std::chrono::seconds(1)), 1u);
  EXPECT_EQ(json.use_count(), 1);
  // The next request renders it again, the same bytes.
  EXPECT_EQ(Get("/v1/peers").text(), *json);
}

TEST_F(ApiTest, FiltersBySourceAndOnline) {
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.2:1")}, {}, {}, {}}, Clock::now());
  registry_.Publish("tail", Snapshot{{Seen().node("n").at("100.64.0.9").online(false)}, {}, {}, {}},
                    Clock::now());
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}, {"source", "env"}}).text(), "10.0.0.2:1\n");
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}, {"online", "true"}}).text(), "10.0.0.2:1\n");
  EXPECT_THAT(Get("/v1/peers", {{"online", "false"}}).text(), HasSubstr("node:n"));
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}, {"source", "nope,env"}}).text(), "10.0.0.2:1\n");
}

TEST_F(ApiTest, BadQueriesAre400WithAReason) {
  EXPECT_EQ(Get("/v1/peers", {{"format", "yaml"}}).status, 400u);
  EXPECT_THAT(Get("/v1/peers", {{"format", "yaml"}}).text(), HasSubstr("format: expected json"));
  EXPECT_EQ(Get("/v1/peers", {{"online", "maybe"}}).status, 400u);
  EXPECT_THAT(Get("/v1/peers", {{"reachable", "yes"}}).text(),
              HasSubstr("reachable: true or false"));
  EXPECT_EQ(Get("/v1/peers", {{"index", "-1"}}).status, 400u);
  EXPECT_EQ(Get("/v1/peers", {{"index", "1"}, {"wait", "soon"}}).status, 400u);
  EXPECT_EQ(Get("/v2/peers").status, 404u);
  auto post = std::get<ApiResponse>(Call("/v1/peers", {}, "POST"));
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.headers[0].first, "Allow");
}

TEST_F(ApiTest, BlockingQueryWaitsOnlyWhenTheIndexIsCurrent) {
  const uint64_t version = registry_.Current()->version;
  auto wait = Call("/v1/peers", {{"index", std::to_string(version)}, {"wait", "30s"}});
  ASSERT_TRUE(std::holds_alternative<ApiWait>(wait));
  EXPECT_EQ(std::get<ApiWait>(wait).index, version);
  EXPECT_EQ(std::get<ApiWait>(wait).wait, std::chrono::seconds(30));
  // Capped at max_wait; default when only index is given.
  EXPECT_EQ(std::get<ApiWait>(Call("/v1/peers", {{"index", "1"}, {"wait", "1h"}})).wait,
            std::chrono::minutes(10));
  EXPECT_EQ(std::get<ApiWait>(Call("/v1/peers", {{"index", "1"}})).wait, std::chrono::minutes(5));
  // Older index: the answer is already there. Newer (from before a restart): answer at once.
  EXPECT_TRUE(std::holds_alternative<ApiResponse>(Call("/v1/peers", {{"index", "0"}})));
  EXPECT_TRUE(std::holds_alternative<ApiResponse>(Call("/v1/peers", {{"index", "99"}})));
  // Once the wait is over the current list is the answer.
  EXPECT_TRUE(std::holds_alternative<ApiResponse>(
      Call("/v1/peers", {{"index", "1"}}, "GET", /*wait_over=*/true)));
}

TEST_F(ApiTest, SourcesShowIssuesErrorsAndCounts) {
  Snapshot snapshot{{Seen().at("10.0.0.2:1")}, {{"$(reboot)", "PEERS entry 2", "bad"}}, {}, {}};
  registry_.Publish("env", snapshot, Clock::now());
  registry_.Fail("tail", "tailscale: no socket", Clock::now());
  ApiResponse sources = Get("/v1/sources");
  EXPECT_THAT(sources.text(), HasSubstr(R"j("entry":"$(reboot)","origin":"PEERS entry 2")j"));
  EXPECT_THAT(sources.text(),
              HasSubstr(R"("name":"tail","type":"tailscale","enabled":true,"state":"failing")"));
  EXPECT_THAT(sources.text(), HasSubstr(R"("last_error":"tailscale: no socket")"));
  EXPECT_THAT(sources.text(), HasSubstr(R"("peer_count":1)"));
  // The merged count, before the sources.
  EXPECT_THAT(sources.text(), HasSubstr(R"(,"peer_count":1,"sources":[)"));
}

TEST_F(ApiTest, AppTellsExecWhatToSetAndWhatNever) {
  api_.SetApp(*FindAppProfile(BuiltinAppProfiles(), "exo-zenoh"));
  ApiResponse app = Get("/v1/app");
  EXPECT_EQ(app.status, 200u);
  EXPECT_THAT(app.text(), HasSubstr(R"("name":"exo-zenoh")"));
  EXPECT_THAT(app.text(), HasSubstr(R"("variable":"EXO_ZENOH_CONNECT","format":"zenoh")"));
  EXPECT_THAT(app.text(), HasSubstr(R"("app_port":52414)"));
  EXPECT_THAT(app.text(),
              HasSubstr(R"("refused_variables":["EXO_BOOTSTRAP_PEERS","EXO_LIBP2P_NAMESPACE"])"));
}

TEST_F(ApiTest, PeersOfOneAddressFamily) {
  registry_.Publish("env",
                    Snapshot{{Seen().at("10.0.0.2:1"), Seen().at("[fd00::3]:1")}, {}, {}, {}},
                    Clock::now());
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}, {"family", "ipv6"}}).text(), "[fd00::3]:1\n");
  EXPECT_EQ(Get("/v1/peers", {{"format", "lines"}, {"family", "ipv4"}}).text(), "10.0.0.2:1\n");
  EXPECT_EQ(Get("/v1/peers", {{"family", "ipx"}}).status, 400u);
}

TEST_F(ApiTest, TheEntityTagFollowsTheBytesAndIfNoneMatchGets304) {
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.2:1")}, {}, {}, {}}, Clock::now());
  const ApiResponse full = Get("/v1/peers");
  ASSERT_EQ(full.headers.size(), 1u);
  EXPECT_EQ(full.headers[0].first, "ETag");
  const std::string etag = full.headers[0].second;
  EXPECT_EQ(Get("/v1/peers").headers[0].second, etag);  // the same bytes, the same tag
  EXPECT_NE(Get("/v1/peers", {{"format", "lines"}}).headers[0].second, etag);
  ApiRequest request{"GET", "/v1/peers", [](std::string_view) { return std::nullopt; }, false,
                     [&etag](std::string_view name) -> std::optional<std::string> {
                       if (name == "If-None-Match") return etag;
                       return std::nullopt;
                     }};
  const ApiResponse cached = std::get<ApiResponse>(api_.Handle(request));
  EXPECT_EQ(cached.status, 304u);
  EXPECT_EQ(cached.text(), "");
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.3:1")}, {}, {}, {}}, Clock::now());
  EXPECT_EQ(std::get<ApiResponse>(api_.Handle(request)).status, 200u);  // the list changed
}

TEST_F(ApiTest, HealthIs503UntilEverySourceReported) {
  EXPECT_EQ(Get("/v1/health").status, 503u);
  registry_.Publish("env", Snapshot{}, Clock::now());
  EXPECT_EQ(Get("/v1/health").status, 503u);
  registry_.Fail("tail", "down", Clock::now());  // reporting a failure counts as reporting
  ApiResponse health = Get("/v1/health");
  EXPECT_EQ(health.status, 200u);
  EXPECT_THAT(health.text(), HasSubstr(R"("tail":"failing")"));
}

TEST_F(ApiTest, HealthTurns200AtTheStartupDeadline) {
  Api::Options options = Options();
  options.startup_deadline = Duration(0);
  Api api(registry_, telemetry_, options);
  ApiRequest request{"GET", "/v1/health", [](std::string_view) { return std::nullopt; }, false, {}};
  EXPECT_EQ(std::get<ApiResponse>(api.Handle(request)).status, 200u);
}

TEST_F(ApiTest, MetricsArePrometheusText) {
  registry_.Publish("env", Snapshot{{Seen().at("10.0.0.2:1"), Seen().at("10.0.0.3:1")}, {}, {}, {}},
                    Clock::now());
  registry_.Fail("tail", "down", Clock::now());
  telemetry_.CountResponse(200);
  ApiResponse metrics = Get("/metrics");
  EXPECT_THAT(metrics.content_type, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_THAT(metrics.text(), HasSubstr("# TYPE peerscout_peers gauge\npeerscout_peers 2\n"));
  EXPECT_THAT(metrics.text(), HasSubstr("peerscout_source_peers{source=\"env\"} 2\n"));
  EXPECT_THAT(metrics.text(), HasSubstr("peerscout_source_errors_total{source=\"tail\"} 1\n"));
  EXPECT_THAT(metrics.text(), HasSubstr("peerscout_source_up{source=\"tail\"} 0\n"));
  EXPECT_THAT(metrics.text(), HasSubstr("peerscout_version 2\n"));
  EXPECT_THAT(metrics.text(), HasSubstr("peerscout_http_responses_total{code=\"2xx\"} 1\n"));
  EXPECT_THAT(metrics.text(), HasSubstr("process_resident_memory_bytes "));
}

TEST_F(ApiTest, TemplatesShowTheirStateAndTheirCommands) {
  TemplateStatus plain;
  plain.source = "/etc/peerscout/a.mustache";
  plain.destination = "/run/a \"quoted\".conf";
  plain.last_rendered = 4;
  plain.renders = 3;
  plain.writes = 2;
  plain.errors = 1;
  plain.last_error = "write /run/a: No space left on device";
  TemplateStatus commanded;
  commanded.destination = "/run/b.conf";
  commanded.command.emplace();
  commanded.command->argv = {"sh", "-c", "exit 3"};
  commanded.command->runs = 2;
  commanded.command->failures = 1;
  commanded.command->last_status = "exited 3";
  commanded.command->exit_code = 3;
  commanded.command->output_tail = "oops\n";
  telemetry_.templates.Replace({plain, commanded});

  ApiResponse templates = Get("/v1/templates");
  EXPECT_EQ(templates.status, 200u);
  EXPECT_THAT(templates.text(),
              HasSubstr("{\"source\":\"/etc/peerscout/a.mustache\",\"destination\":\"/run/a "
                        "\\\"quoted\\\".conf\",\"last_rendered\":4,\"last_written\":null,"
                        "\"renders\":3,\"writes\":2,\"errors\":1,\"last_error\":\"write /run/a: "
                        "No space left on device\",\"command\":null}"));
  EXPECT_THAT(templates.text(),
              HasSubstr("\"command\":{\"argv\":[\"sh\",\"-c\",\"exit 3\"],\"running\":false,"
                        "\"runs\":2,\"failures\":1,\"last_status\":\"exited 3\",\"exit_code\":3,"));
  EXPECT_THAT(templates.text(), HasSubstr("\"output_tail\":\"oops\\n\""));

  ApiResponse metrics = Get("/metrics");
  EXPECT_THAT(metrics.text(), HasSubstr("peerscout_template_renders_total{destination=\"/run/a "
                                        "\\\"quoted\\\".conf\"} 3\n"));
  EXPECT_THAT(
      metrics.text(),
      HasSubstr("peerscout_template_command_failures_total{destination=\"/run/b.conf\"} 1\n"));
  EXPECT_THAT(
      metrics.text(),
      HasSubstr("peerscout_template_command_last_exit_code{destination=\"/run/b.conf\"} 3\n"));
  // A template without a command has no command series.
  EXPECT_THAT(
      metrics.text(),
      ::testing::Not(HasSubstr("peerscout_template_command_runs_total{destination=\"/run/a")));
  EXPECT_THAT(Get("/nope").text(), HasSubstr("/v1/templates"));
}

}  // namespace
}  // namespace peerscout
