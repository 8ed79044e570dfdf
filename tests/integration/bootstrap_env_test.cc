// The issue's end-to-end case: a hostile EXO_BOOTSTRAP_PEERS in, a clean deduplicated list
// out, over the socket (with the real curl), in files, and in the environment of `exec`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <regex>
#include <sstream>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kId = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

const std::string kHostileList =
    std::string("/ip4/10.77.0.2/tcp/52416/p2p/") + kId +  // valid, with a peer id
    ",/ip4/10.77.0.3/tcp/52416,10.77.0.3:52416"           // one peer, twice
    "\n/ip4/10.77.0.4/tcp/52416 /ip4/10.77.0.2/tcp/52416/p2p/" +
    kId +                                                        // newline, space, dup
    ",,$(touch /tmp/peerscout-pwned),\"/ip4/10.77.0.5/tcp/1\","  // command, quotes
    "'/ip4/10.77.0.6/tcp/1',/ip4/10.77.0.7/tcp/1;reboot,`id`,"   // quotes, ;, backticks
    "/ip4/10.77.0.8/tcp/99999,/dns4/bad_name!/tcp/1,/ip4/exo-2/tcp/30000";
// By address, as numbers: the listing order.
const std::string kExpectedExo = std::string("/ip4/10.77.0.2/tcp/52416/p2p/") + kId +
                                 ",/ip4/10.77.0.3/tcp/52416,/ip4/10.77.0.4/tcp/52416";

const char* kConfig = R"(
[[output]]
path = "peers.json"
format = "json"

[[output]]
path = "peers.env"
format = "env"
vars = { EXO_BOOTSTRAP_PEERS = "exo" }

[[output]]
path = "peers.exo"
format = "exo"
)";

class BootstrapEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sidecar_.emplace(directory_,
                     SidecarProcess::Options{kConfig, {{"EXO_BOOTSTRAP_PEERS", kHostileList}}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  // Files are written on the writer thread just after the sidecar turns healthy.
  std::string ReadWhenPresent(const std::string& name) {
    for (int i = 0; i < 500 && directory_.Read(name).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return directory_.Read(name);
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(BootstrapEnvTest, CurlGetsTheDeduplicatedList) {
  ProcessResult curl =
      RunCommand({"curl", "-sS", "--unix-socket", sidecar_->socket(), "http://localhost/v1/peers"});
  if (curl.exit_code != 0 && !IntegrationRequired()) GTEST_SKIP() << "no curl: " << curl.err;
  ASSERT_EQ(curl.exit_code, 0) << curl.err;
  rapidjson::Document document;
  document.Parse(curl.out.c_str());
  ASSERT_FALSE(document.HasParseError()) << curl.out;
  const auto& peers = document["peers"];
  ASSERT_EQ(peers.Size(), 3u) << curl.out;
  EXPECT_STREQ(peers[0]["id"].GetString(), kId);
  EXPECT_STREQ(peers[1]["id"].GetString(), "10.77.0.3:52416");
  EXPECT_STREQ(peers[2]["id"].GetString(), "10.77.0.4:52416");
  EXPECT_STREQ(peers[0]["addresses"][0]["multiaddr"].GetString(),
               (std::string("/ip4/10.77.0.2/tcp/52416/p2p/") + kId).c_str());
  EXPECT_STREQ(peers[0]["sources"][0].GetString(), "env");

  ProcessResult exo = RunCommand(
      {"curl", "-sS", "--unix-socket", sidecar_->socket(), "http://localhost/v1/peers?format=exo"});
  EXPECT_EQ(exo.out, kExpectedExo);
}

TEST_F(BootstrapEnvTest, ExoFormatIsExactlyWhatExoAccepts) {
  auto reply = sidecar_->Get("/v1/peers?format=exo");
  ASSERT_TRUE(reply) << reply.error();
  EXPECT_EQ(reply->body, kExpectedExo);
  const std::regex accepted(
      R"(/ip4/(\d{1,3}\.){3}\d{1,3}/tcp/\d{1,5}(/p2p/[1-9A-HJ-NP-Za-km-z]+)?)");
  std::stringstream entries(reply->body);
  std::string entry;
  while (std::getline(entries, entry, ',')) EXPECT_TRUE(std::regex_match(entry, accepted)) << entry;
}

TEST_F(BootstrapEnvTest, FilesAgreeWithTheSocket) {
  auto json = sidecar_->Get("/v1/peers");
  ASSERT_TRUE(json);
  EXPECT_EQ(ReadWhenPresent("peers.json"), json->body);
  EXPECT_EQ(ReadWhenPresent("peers.exo"), kExpectedExo);
  const std::string env = ReadWhenPresent("peers.env");
  EXPECT_THAT(env, HasSubstr("\nEXO_BOOTSTRAP_PEERS=" + kExpectedExo + "\n"));
  EXPECT_THAT(env, HasSubstr("\nPEERSCOUT_PEER_COUNT=3\n"));
  EXPECT_THAT(env, HasSubstr("\nPEERSCOUT_VERSION=" + std::to_string(*json->index) + "\n"));
  // Nothing hostile reaches the env file: every line is a comment or a plain assignment.
  const std::regex safe(R"(#[^\n]*|[A-Z_][A-Z0-9_]*=[A-Za-z0-9/.,:_@%+=\[\]-]*)");
  std::stringstream lines(env);
  std::string line;
  while (std::getline(lines, line)) EXPECT_TRUE(std::regex_match(line, safe)) << line;
  EXPECT_FALSE(std::filesystem::exists("/tmp/peerscout-pwned"));
}

TEST_F(BootstrapEnvTest, ExecPutsTheListInTheAppsEnvironment) {
  ProcessResult exec = RunPeerscout(
      {"--socket", sidecar_->socket(), "exec", "--env", "EXO_BOOTSTRAP_PEERS=exo", "--", "env"},
      {{"EXO_BOOTSTRAP_PEERS", kHostileList}});
  ASSERT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_THAT(exec.out, HasSubstr("\nEXO_BOOTSTRAP_PEERS=" + kExpectedExo + "\n"));
  EXPECT_THAT(exec.out, ::testing::Not(HasSubstr("pwned")));
}

TEST_F(BootstrapEnvTest, InvalidEntriesAreListedInSources) {
  auto reply = sidecar_->Get("/v1/sources");
  ASSERT_TRUE(reply);
  rapidjson::Document document;
  document.Parse(reply->body.c_str());
  ASSERT_FALSE(document.HasParseError()) << reply->body;
  const auto& env = document["sources"][0];
  EXPECT_STREQ(env["name"].GetString(), "env");
  EXPECT_EQ(env["peer_count"].GetUint(), 3u);
  std::map<std::string, std::string> reasons;
  for (const auto& issue : env["issues"].GetArray()) {
    reasons[issue["entry"].GetString()] = issue["reason"].GetString();
    EXPECT_THAT(issue["origin"].GetString(), HasSubstr("EXO_BOOTSTRAP_PEERS entry "));
  }
  EXPECT_THAT(reasons["$(touch"], HasSubstr("missing :port"));
  EXPECT_THAT(reasons["\"/ip4/10.77.0.5/tcp/1\""], HasSubstr("quotes"));
  EXPECT_THAT(reasons["'/ip4/10.77.0.6/tcp/1'"], HasSubstr("quotes"));
  EXPECT_THAT(reasons["/ip4/10.77.0.7/tcp/1;reboot"], HasSubstr("port is not a decimal number"));
  EXPECT_THAT(reasons["`id`"], HasSubstr("neither a multiaddr nor host:port"));
  EXPECT_THAT(reasons["/ip4/10.77.0.8/tcp/99999"], HasSubstr("out of range"));
  EXPECT_THAT(reasons["/dns4/bad_name!/tcp/1"], HasSubstr("bad host name"));
  EXPECT_THAT(reasons["/ip4/exo-2/tcp/30000"], HasSubstr("not an IPv4 address"));
  EXPECT_EQ(reasons.size(), 9u);  // "$(touch" and "/tmp/peerscout-pwned)" are two entries
  // And each is in the log once, escaped.
  EXPECT_THAT(sidecar_->Log(), HasSubstr("env: EXO_BOOTSTRAP_PEERS entry"));
}

}  // namespace
}  // namespace peerscout::testing
