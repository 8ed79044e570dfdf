// peerscout exec with real child processes against a real sidecar: restart policies, the
// debounce, kill signal and timeout, signals passed on, exit codes, the child's environment,
// --min-peers with --on-timeout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

std::string StaticConfig(const std::vector<std::string>& peers) {
  std::string config =
      "[registry]\nstartup_deadline = \"0s\"\n[sources.tailscale]\nenabled = false\n";
  for (const std::string& peer : peers) config += "[[static]]\naddress = \"" + peer + "\"\n";
  return config;
}

// The app: says when it starts and with which peers, then runs until told to stop.
const std::vector<std::string> kApp{"sh", "-c", "echo \"start $PEERS\"; exec sleep 1000"};

size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sidecar_.emplace(directory_, SidecarProcess::Options{StaticConfig({"10.99.0.2:1"}), {}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  // Changes the sidecar's list and waits until it serves it.
  void SetPeers(const std::vector<std::string>& peers) {
    sidecar_->RewriteConfig(StaticConfig(peers));
    sidecar_->Signal(SIGHUP);
    std::string expected;
    for (const std::string& peer : peers) expected += peer + "\n";
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto reply = sidecar_->Get("/v1/peers?format=lines");
      if (reply && reply->body == expected) return;
      std::this_thread::sleep_for(milliseconds(20));
    }
    ADD_FAILURE() << "the sidecar never served " << expected;
  }

  std::unique_ptr<BackgroundCommand> Exec(std::vector<std::string> flags,
                                          const std::vector<std::string>& app = kApp,
                                          const std::map<std::string, std::string>& env = {}) {
    flags.insert(flags.begin(), {PEERSCOUT_BINARY, "--socket", sidecar_->socket(), "exec", "--env",
                                 "PEERS=lines"});
    flags.push_back("--");
    flags.insert(flags.end(), app.begin(), app.end());
    return std::make_unique<BackgroundCommand>(flags, env);
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(ExecTest, OnChangeRestartsForAnAdditionAndARemoval) {
  auto exec = Exec({"--restart", "on-change", "--wait-min", "100ms"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1\n", seconds(10))) << exec->Err();
  SetPeers({"10.99.0.2:1", "10.99.0.3:1"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1,10.99.0.3:1\n", seconds(10))) << exec->Err();
  SetPeers({"10.99.0.3:1"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.3:1\n", seconds(10))) << exec->Err();
  EXPECT_EQ(Count(exec->Out(), "start "), 3u);
  EXPECT_THAT(exec->Err(), HasSubstr("restarting the app"));
}

TEST_F(ExecTest, OnAddIgnoresARemovalAndRestartsForAnAddition) {
  SetPeers({"10.99.0.2:1", "10.99.0.3:1"});
  auto exec = Exec({"--restart", "on-add", "--wait-min", "100ms"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1,10.99.0.3:1\n", seconds(10))) << exec->Err();
  SetPeers({"10.99.0.2:1"});
  // The removal is past the debounce well before the addition comes.
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(Count(exec->Out(), "start "), 1u);
  SetPeers({"10.99.0.2:1", "10.99.0.4:1"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1,10.99.0.4:1\n", seconds(10))) << exec->Err();
  EXPECT_EQ(Count(exec->Out(), "start "), 2u);
}

TEST_F(ExecTest, NeverRestartsAndBecomesTheApp) {
  auto exec = Exec({}, {"sh", "-c", "echo \"start $PEERS $PPID\"; exec sleep 1000"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1 ", seconds(10))) << exec->Err();
  SetPeers({"10.99.0.2:1", "10.99.0.3:1"});
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(Count(exec->Out(), "start "), 1u);
  // No peerscout in between: the app's parent is what started peerscout (the test).
  EXPECT_THAT(exec->Out(), HasSubstr(" " + std::to_string(::getpid()) + "\n"));
}

TEST_F(ExecTest, ABurstOfChangesIsOneRestartWithTheLastList) {
  auto exec = Exec({"--restart", "on-change", "--wait-min", "1500ms", "--wait-max", "20s"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1\n", seconds(10))) << exec->Err();
  SetPeers({"10.99.0.2:1", "10.99.0.3:1"});
  SetPeers({"10.99.0.2:1", "10.99.0.3:1", "10.99.0.4:1"});
  SetPeers({"10.99.0.2:1", "10.99.0.3:1", "10.99.0.4:1", "10.99.0.5:1"});
  ASSERT_TRUE(
      exec->WaitForOutput("start 10.99.0.2:1,10.99.0.3:1,10.99.0.4:1,10.99.0.5:1\n", seconds(10)))
      << exec->Err();
  std::this_thread::sleep_for(milliseconds(2000));
  EXPECT_EQ(Count(exec->Out(), "start "), 2u) << exec->Out();
}

TEST_F(ExecTest, WaitMaxBoundsAnEndlessTrickle) {
  auto exec = Exec({"--restart", "on-change", "--wait-min", "1s", "--wait-max", "2s"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1\n", seconds(10))) << exec->Err();
  // A change every 400 ms never leaves 1 s of quiet; the restart still comes after 2 s.
  std::vector<std::string> peers{"10.99.0.2:1"};
  for (int i = 3; i < 14 && Count(exec->Out(), "start ") < 2; ++i) {
    peers.push_back("10.99.0." + std::to_string(i) + ":1");
    SetPeers(peers);
    std::this_thread::sleep_for(milliseconds(400));
  }
  EXPECT_GE(Count(exec->Out(), "start "), 2u) << exec->Out();
}

TEST_F(ExecTest, TheKillSignalStopsTheAppForARestart) {
  auto exec = Exec({"--restart", "on-change", "--wait-min", "0s", "--kill-signal", "USR1"},
                   {"sh", "-c",
                    "trap 'echo got USR1; exit 0' USR1; echo \"start $PEERS\"; "
                    "while :; do sleep 0.1; done"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1\n", seconds(10))) << exec->Err();
  SetPeers({"10.99.0.3:1"});
  ASSERT_TRUE(exec->WaitForOutput("got USR1\nstart 10.99.0.3:1\n", seconds(10))) << exec->Out();
}

TEST_F(ExecTest, AnAppThatIgnoresTheKillSignalIsKilledAfterTheTimeout) {
  auto exec =
      Exec({"--restart", "on-change", "--wait-min", "0s", "--kill-timeout", "500ms"},
           {"sh", "-c", "trap '' TERM; echo \"start $PEERS\"; while :; do sleep 0.1; done"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1\n", seconds(10))) << exec->Err();
  SetPeers({"10.99.0.3:1"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.3:1\n", seconds(10))) << exec->Err();
  EXPECT_THAT(exec->Err(), HasSubstr("sending SIGKILL"));
}

TEST_F(ExecTest, SignalsArePassedOnAndTheAppsExitIsOurs) {
  auto exec = Exec({"--restart", "on-change"},
                   {"sh", "-c",
                    "trap 'echo got HUP' HUP; trap 'echo got TERM; exit 7' TERM; "
                    "echo \"start $PEERS\"; while :; do sleep 0.1; done"});
  ASSERT_TRUE(exec->WaitForOutput("start 10.99.0.2:1\n", seconds(10))) << exec->Err();
  exec->Signal(SIGHUP);
  ASSERT_TRUE(exec->WaitForOutput("got HUP\n", seconds(10))) << exec->Out();
  EXPECT_EQ(exec->WaitForExit(milliseconds(300)), -1);  // HUP does not end it
  exec->Signal(SIGTERM);
  EXPECT_EQ(exec->WaitForExit(seconds(10)), 7) << exec->Err();
  EXPECT_THAT(exec->Out(), HasSubstr("got TERM\n"));
}

TEST_F(ExecTest, TheAppsExitCodeOrSignalIsOurs) {
  for (const char* restart : {"never", "on-change"}) {
    auto exited = Exec({"--restart", restart}, {"sh", "-c", "exit 3"});
    EXPECT_EQ(exited->WaitForExit(seconds(10)), 3) << restart << exited->Err();
    auto killed = Exec({"--restart", restart}, {"sh", "-c", "kill -KILL $$"});
    EXPECT_EQ(killed->WaitForExit(seconds(10)), 128 + SIGKILL) << restart << killed->Err();
  }
}

TEST_F(ExecTest, TheAppsEnvironmentIsFilteredAsAsked) {
  const std::map<std::string, std::string> env{{"SECRET_TOKEN", "s3cret"}, {"KEEP_ME", "1"}};
  for (const char* restart : {"never", "on-change"}) {
    auto denied =
        Exec({"--restart", restart, "--env-deny", "SECRET_*"}, {"sh", "-c", "env; exit 0"}, env);
    ASSERT_EQ(denied->WaitForExit(seconds(10)), 0) << denied->Err();
    EXPECT_THAT(denied->Out(), Not(HasSubstr("SECRET_TOKEN")));
    EXPECT_THAT("\n" + denied->Out(), HasSubstr("\nKEEP_ME=1\n"));
    EXPECT_THAT("\n" + denied->Out(), HasSubstr("\nPEERS=10.99.0.2:1\n"));

    auto pristine =
        Exec({"--restart", restart, "--pristine", "--env-allow", "PATH"}, {"/usr/bin/env"}, env);
    ASSERT_EQ(pristine->WaitForExit(seconds(10)), 0) << pristine->Err();
    EXPECT_EQ(Count(pristine->Out(), "\n"), 2u) << pristine->Out();  // PATH and PEERS alone
    EXPECT_THAT(pristine->Out(), HasSubstr("PATH="));
    EXPECT_THAT(pristine->Out(), HasSubstr("PEERS=10.99.0.2:1\n"));
  }
}

TEST_F(ExecTest, MinPeersFailsAtTheDeadlineWhenAsked) {
  auto exec = Exec({"--min-peers", "2", "--wait", "700ms", "--on-timeout", "fail"}, {"true"});
  EXPECT_EQ(exec->WaitForExit(seconds(10)), 75);
  EXPECT_THAT(exec->Err(), HasSubstr("1 of 2 peers after --wait; giving up"));
  auto waiting = Exec({"--min-peers", "2", "--wait", "30s", "--on-timeout", "fail"},
                      {"sh", "-c", "echo \"start $PEERS\""});
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(waiting->WaitForExit(milliseconds(0)), -1);
  SetPeers({"10.99.0.2:1", "10.99.0.3:1"});
  EXPECT_EQ(waiting->WaitForExit(seconds(10)), 0) << waiting->Err();
  EXPECT_EQ(waiting->Out(), "start 10.99.0.2:1,10.99.0.3:1\n");
}

}  // namespace
}  // namespace peerscout::testing
