// The CLI against a running sidecar: peers, watch, health, exec, check-config, version.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "sidecar/config/config_schema.h"
#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

std::string StaticConfig(const std::vector<std::string>& peers) {
  std::string config = "[registry]\nstartup_deadline = \"0s\"\n";
  for (const std::string& peer : peers) config += "[[static]]\naddress = \"" + peer + "\"\n";
  return config;
}

class CliTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& peers) {
    sidecar_.emplace(directory_, SidecarProcess::Options{StaticConfig(peers), {}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  std::vector<std::string> With(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", sidecar_->socket()});
    return args;
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(CliTest, PeersPrintsAnyFormat) {
  Start({"10.99.0.2:1", "10.99.0.3:1"});
  ProcessResult peers = RunPeerscout(With({"peers", "--format", "lines"}));
  EXPECT_EQ(peers.exit_code, 0) << peers.err;
  EXPECT_EQ(peers.out, "10.99.0.2:1\n10.99.0.3:1\n");
  peers = RunPeerscout(With({"peers", "--format", "multiaddr", "--separator", ","}));
  EXPECT_EQ(peers.out, "/ip4/10.99.0.2/tcp/1,/ip4/10.99.0.3/tcp/1");
  peers = RunPeerscout(With({"peers", "--format", "yaml"}));
  EXPECT_EQ(peers.exit_code, 1);
  EXPECT_THAT(peers.err, HasSubstr("format: expected json"));
}

TEST_F(CliTest, SocketComesFromTheEnvironment) {
  Start({"10.99.0.2:1"});
  ProcessResult peers =
      RunPeerscout({"peers", "--format", "exo"}, {{"PEERSCOUT_SOCKET", sidecar_->socket()}});
  EXPECT_EQ(peers.out, "/ip4/10.99.0.2/tcp/1");
  peers = RunPeerscout({"peers", "--format", "exo"},
                       {{"PEERSCOUT_RUNTIME_DIR", directory_.path().string()}});
  EXPECT_EQ(peers.out, "/ip4/10.99.0.2/tcp/1");
}

TEST_F(CliTest, HealthExitCodeForHealthchecks) {
  Start({});
  ProcessResult health = RunPeerscout(With({"health"}));
  EXPECT_EQ(health.exit_code, 0);
  EXPECT_THAT(health.out, HasSubstr("\"status\":\"ok\""));
  health = RunPeerscout({"--socket", directory_ / "nothing.sock", "health"});
  EXPECT_EQ(health.exit_code, 1);
  EXPECT_THAT(health.err, HasSubstr("unhealthy"));
}

TEST_F(CliTest, WatchPrintsTheListAndEveryChange) {
  Start({"10.99.0.2:1"});
  BackgroundCommand watch(
      {PEERSCOUT_BINARY, "--socket", sidecar_->socket(), "watch", "--format", "exo"});
  ASSERT_TRUE(watch.WaitForOutput("/ip4/10.99.0.2/tcp/1\n", std::chrono::seconds(10)))
      << watch.Err();
  sidecar_->RewriteConfig(StaticConfig({"10.99.0.2:1", "10.99.0.4:1"}));
  sidecar_->Signal(SIGHUP);
  EXPECT_TRUE(
      watch.WaitForOutput("/ip4/10.99.0.2/tcp/1,/ip4/10.99.0.4/tcp/1\n", std::chrono::seconds(10)))
      << watch.Out();
}

TEST_F(CliTest, ExecWaitsForEnoughPeers) {
  Start({"10.99.0.2:1"});
  BackgroundCommand exec({PEERSCOUT_BINARY, "--socket", sidecar_->socket(), "exec", "--min-peers",
                          "2", "--wait", "30s", "--env", "PEERS=lines", "--", "env"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(exec.WaitForExit(std::chrono::milliseconds(0)), -1);  // still waiting
  sidecar_->RewriteConfig(StaticConfig({"10.99.0.2:1", "10.99.0.3:1"}));
  sidecar_->Signal(SIGHUP);
  ASSERT_EQ(exec.WaitForExit(std::chrono::seconds(10)), 0) << exec.Err();
  // A list format in a variable is comma-separated.
  EXPECT_THAT(exec.Out(), HasSubstr("\nPEERS=10.99.0.2:1,10.99.0.3:1\n"));
}

TEST_F(CliTest, ExecStartsAnywayAfterTheWait) {
  Start({"10.99.0.2:1"});
  ProcessResult exec = RunPeerscout(With({"exec", "--min-peers", "3", "--wait", "500ms", "--", "sh",
                                          "-c", "echo \"$PEERSCOUT_PEERS\""}));
  EXPECT_EQ(exec.exit_code, 0);
  EXPECT_EQ(exec.out, "/ip4/10.99.0.2/tcp/1\n");
  EXPECT_THAT(exec.err, HasSubstr("1 of 3 peers after --wait; starting anyway"));
}

TEST_F(CliTest, ExecFailsClearlyWithoutASidecarOrWithBadArguments) {
  ProcessResult exec =
      RunPeerscout({"--socket", directory_ / "none.sock", "exec", "--wait", "300ms", "--", "true"});
  EXPECT_EQ(exec.exit_code, 69);
  EXPECT_THAT(exec.err, HasSubstr("sidecar not ready"));
  exec =
      RunPeerscout({"--socket", directory_ / "none.sock", "exec", "--env", "X=yaml", "--", "true"});
  EXPECT_EQ(exec.exit_code, 64);
  exec =
      RunPeerscout({"--socket", directory_ / "none.sock", "exec", "--env", "1X=exo", "--", "true"});
  EXPECT_EQ(exec.exit_code, 64);
}

TEST_F(CliTest, ExecReportsACommandThatCannotRun) {
  Start({});
  ProcessResult exec = RunPeerscout(With({"exec", "--", "/nonexistent/app"}));
  EXPECT_EQ(exec.exit_code, 127);
  EXPECT_THAT(exec.err, HasSubstr("/nonexistent/app"));
}

TEST_F(CliTest, CheckConfigNamesKeyAndLine) {
  directory_.Write("bad.toml", "[server]\nsocket_mode = \"rw\"\n[[output]]\npath = \"x\"\n");
  ProcessResult check = RunPeerscout({"check-config", "--config", directory_ / "bad.toml"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err, HasSubstr("bad.toml:2: socket_mode: expected an octal file mode"));
  EXPECT_THAT(check.err, HasSubstr("bad.toml:3: [[output]] format '': expected json"));
  check = RunPeerscout(
      {"check-config", "--config", std::string(PEERSCOUT_SOURCE_DIR) + "/sidecar.toml.example"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("config ok"));
}

TEST_F(CliTest, CheckConfigKeysListsEveryKey) {
  ProcessResult keys = RunPeerscout({"check-config", "--keys"});
  ASSERT_EQ(keys.exit_code, 0);
  for (const SectionSpec& section : CoreSections()) {
    for (const OptionSpec& option : section.options) {
      EXPECT_THAT(keys.out, HasSubstr(std::string(option.key) + " (")) << option.key;
    }
  }
  EXPECT_THAT(keys.out, HasSubstr("PEERSCOUT_SOURCES_ENV_RESOLVE_INTERVAL"));
  EXPECT_THAT(keys.out, HasSubstr("static.addresses ("));
  EXPECT_THAT(keys.out, HasSubstr("PEERSCOUT_STATIC_<INDEX>_ADDRESSES"));
}

TEST_F(CliTest, VersionAndHelp) {
  ProcessResult version = RunPeerscout({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("peerscout " PEERSCOUT_VERSION));
  for (const char* command :
       {"run", "peers", "watch", "status", "health", "exec", "check-config"}) {
    ProcessResult help = RunPeerscout({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_THAT(help.out, HasSubstr("Usage")) << command;
  }
}

}  // namespace
}  // namespace peerscout::testing

namespace peerscout::testing {
namespace {

TEST(CliErrorsTest, AMissingSocketOrConfigIsToldPlainly) {
  TestDirectory directory;
  ProcessResult peers = RunPeerscout({"peers", "--socket", directory / "missing.sock"});
  EXPECT_NE(peers.exit_code, 0);
  EXPECT_THAT(peers.err, HasSubstr("no peerscout socket at " + (directory / "missing.sock")));
  EXPECT_THAT(peers.err, ::testing::Not(HasSubstr("port 80")));
  ProcessResult check = RunPeerscout({"check-config", "-c", directory / "missing.toml"});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_THAT(check.out + check.err, HasSubstr(directory / "missing.toml" + ": "));
  EXPECT_THAT(check.out + check.err, ::testing::Not(HasSubstr(":0:")));
}

TEST(CliErrorsTest, RunServesOnTheSocketFlagOverTheConfigs) {
  TestDirectory directory;
  directory.Write("sidecar.toml", "[registry]\nstartup_deadline = \"0s\"\n[server]\nsocket = \"" +
                                      (directory / "config.sock") + "\"\n");
  BackgroundCommand run({PEERSCOUT_BINARY, "run", "--socket", directory / "flag.sock", "-c",
                         directory / "sidecar.toml"},
                        {{"PEERSCOUT_RUNTIME_DIR", directory.path().string()}});
  ProcessResult health;
  for (int i = 0; i < 100; ++i) {
    health = RunPeerscout({"health", "--socket", directory / "flag.sock"});
    if (health.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(health.exit_code, 0) << health.err << run.Err();
  EXPECT_FALSE(std::filesystem::exists(directory / "config.sock"));
}

}  // namespace
}  // namespace peerscout::testing
