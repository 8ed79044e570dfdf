// Names in bootstrap lists, resolved by the system resolver (glibc NSS, the hosts file), as
// Docker Compose service names are. peerscout runs in a private mount namespace whose
// /etc/hosts is a file of the test's, so the test changes what names resolve to.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

const char* kConfig = R"(
[registry]
startup_deadline = "0s"
[sources.env]
resolve_interval = "100ms"
)";

class ResolutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteHosts("10.66.0.2 exo-2\n10.66.0.5 svc\n10.66.0.6 svc\n");
    const std::vector<std::string> wrapper{"unshare",
                                           "-m",
                                           "--propagation",
                                           "private",
                                           "--",
                                           "sh",
                                           "-c",
                                           "mount --bind \"$0\" /etc/hosts && exec \"$@\"",
                                           hosts_};
    ProcessResult probe = RunCommand([&] {
      std::vector<std::string> argv = wrapper;
      argv.insert(argv.end(), {"getent", "hosts", "exo-2"});
      return argv;
    }());
    if (probe.exit_code != 0) {
      if (IntegrationRequired()) FAIL() << "needs unshare and mount (root): " << probe.err;
      GTEST_SKIP() << "needs unshare and mount (root): " << probe.err;
    }
    sidecar_.emplace(directory_,
                     SidecarProcess::Options{
                         kConfig,
                         {{"EXO_BOOTSTRAP_PEERS", "/dns4/exo-2/tcp/30000,exo-3:30000,svc:30000"}},
                         wrapper});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  // In place (same inode): the bind mount shows the file, not the name.
  void WriteHosts(const std::string& entries) {
    std::ofstream(hosts_, std::ios::trunc) << "127.0.0.1 localhost\n" << entries;
  }

  // Blocks until the exo list equals `expected`; returns the last one seen.
  std::string WaitForExo(const std::string& expected) {
    std::string body;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      auto reply = sidecar_->Get("/v1/peers?format=exo");
      if (!reply) break;
      body = reply->body;
      if (body == expected) break;
      sidecar_->Get("/v1/peers?format=exo&index=" + std::to_string(*reply->index) + "&wait=1s");
    }
    return body;
  }

  TestDirectory directory_;
  std::string hosts_ = directory_ / "hosts";
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(ResolutionTest, NamesBecomeIpLiteralsForExoAndUnresolvedOnesAreReported) {
  // svc has two addresses: two instances of one service, two peers.
  EXPECT_EQ(
      WaitForExo("/ip4/10.66.0.2/tcp/30000,/ip4/10.66.0.5/tcp/30000,/ip4/10.66.0.6/tcp/30000"),
      "/ip4/10.66.0.2/tcp/30000,/ip4/10.66.0.5/tcp/30000,/ip4/10.66.0.6/tcp/30000");
  auto sources = sidecar_->Get("/v1/sources");
  EXPECT_THAT(
      sources->body,
      HasSubstr(
          R"("entry":"exo-3","origin":"EXO_BOOTSTRAP_PEERS entry 2","reason":"does not resolve)"));
  // The unresolved name is still a peer, with its name, for formats that take names.
  auto multiaddr = sidecar_->Get("/v1/peers?format=multiaddr");
  EXPECT_THAT(multiaddr->body, HasSubstr("/dns/exo-3/tcp/30000\n"));
  EXPECT_THAT(multiaddr->body, HasSubstr("/dns4/exo-2/tcp/30000\n"));
}

TEST_F(ResolutionTest, ReResolutionFollowsChanges) {
  WriteHosts("10.66.0.3 exo-2\n10.66.0.4 exo-3\n10.66.0.5 svc\n");
  // svc now has one address: one peer, named by the service (it sorts last).
  EXPECT_EQ(
      WaitForExo("/ip4/10.66.0.3/tcp/30000,/ip4/10.66.0.4/tcp/30000,/ip4/10.66.0.5/tcp/30000"),
      "/ip4/10.66.0.3/tcp/30000,/ip4/10.66.0.4/tcp/30000,/ip4/10.66.0.5/tcp/30000");
  auto sources = sidecar_->Get("/v1/sources");
  EXPECT_THAT(sources->body, HasSubstr("\"issues\":[]"));
}

TEST_F(ResolutionTest, ANameThatStopsResolvingKeepsItsLastAddressMarkedStale) {
  WaitForExo("/ip4/10.66.0.2/tcp/30000,/ip4/10.66.0.5/tcp/30000,/ip4/10.66.0.6/tcp/30000");
  WriteHosts("10.66.0.5 svc\n10.66.0.6 svc\n");
  std::string json;
  for (int i = 0; i < 200 && json.find("\"stale\":true") == std::string::npos; ++i) {
    json = sidecar_->Get("/v1/peers")->body;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  rapidjson::Document document;
  document.Parse(json.c_str());
  ASSERT_FALSE(document.HasParseError());
  const auto& peers = document["peers"];
  bool found = false;
  for (const auto& peer : peers.GetArray()) {
    if (std::string(peer["id"].GetString()) != "exo-2:30000") continue;
    found = true;
    EXPECT_TRUE(peer["stale"].GetBool());
    EXPECT_STREQ(peer["addresses"][0]["ip"].GetString(), "10.66.0.2");
  }
  EXPECT_TRUE(found) << json;
  EXPECT_EQ(sidecar_->Get("/v1/peers?format=exo")->body,
            "/ip4/10.66.0.2/tcp/30000,/ip4/10.66.0.5/tcp/30000,/ip4/10.66.0.6/tcp/30000");
  EXPECT_THAT(sidecar_->Get("/v1/sources")->body, HasSubstr("keeping the addresses it had at"));
}

}  // namespace
}  // namespace peerscout::testing
