// The pure half of `peerscout exec`: the app's environment, when a new list restarts it, the
// debounce, and signal names.
#include <gtest/gtest.h>
#include <signal.h>

#include "sidecar/cli/child_environment.h"
#include "sidecar/cli/child_process.h"
#include "sidecar/cli/restart_policy.h"

namespace peerscout::cli {
namespace {

using Strings = std::vector<std::string>;

const Strings kInherited{"PATH=/usr/bin",
                         "HOME=/root",
                         "LC_ALL=C",
                         "API_TOKEN=secret",
                         "EXO_BOOTSTRAP_PEERS=/ip4/1.2.3.4/tcp/1",
                         "SKULK_BOOTSTRAP_PEERS=old"};

TEST(ChildEnvironmentTest, InheritsEverythingAndOverridesOurVariables) {
  const Strings environment =
      ChildEnvironment(kInherited, {}, {{"SKULK_BOOTSTRAP_PEERS", "/ip4/10.0.0.2/tcp/52416"}});
  EXPECT_EQ(environment, (Strings{"PATH=/usr/bin", "HOME=/root", "LC_ALL=C", "API_TOKEN=secret",
                                  "EXO_BOOTSTRAP_PEERS=/ip4/1.2.3.4/tcp/1",
                                  "SKULK_BOOTSTRAP_PEERS=/ip4/10.0.0.2/tcp/52416"}));
}

TEST(ChildEnvironmentTest, PristineKeepsOnlyWhatIsAllowedAndOurs) {
  EnvironmentPolicy policy;
  policy.pristine = true;
  EXPECT_EQ(ChildEnvironment(kInherited, policy, {{"PEERS", "a"}}), (Strings{"PEERS=a"}));
  policy.allow = {"PATH", "LC_*"};
  EXPECT_EQ(ChildEnvironment(kInherited, policy, {{"PEERS", "a"}}),
            (Strings{"PATH=/usr/bin", "LC_ALL=C", "PEERS=a"}));
}

TEST(ChildEnvironmentTest, DenyWinsOverAllow) {
  EnvironmentPolicy policy;
  policy.allow = {"*"};
  policy.deny = {"*_TOKEN", "HOME"};
  const Strings environment = ChildEnvironment(kInherited, policy, {});
  EXPECT_EQ(environment,
            (Strings{"PATH=/usr/bin", "LC_ALL=C", "EXO_BOOTSTRAP_PEERS=/ip4/1.2.3.4/tcp/1",
                     "SKULK_BOOTSTRAP_PEERS=old"}));
}

TEST(ChildEnvironmentTest, ARefusedVariableIsNeitherInheritedNorSet) {
  EnvironmentPolicy policy;
  policy.refused = {"EXO_BOOTSTRAP_PEERS"};
  const Strings environment = ChildEnvironment(
      kInherited, policy, {{"EXO_BOOTSTRAP_PEERS", "x"}, {"EXO_ZENOH_CONNECT", "tcp/1.2.3.4:1"}});
  for (const std::string& entry : environment) {
    EXPECT_NE(entry.rfind("EXO_BOOTSTRAP_PEERS=", 0), 0u) << entry;
  }
  EXPECT_EQ(environment.back(), "EXO_ZENOH_CONNECT=tcp/1.2.3.4:1");
}

TEST(RestartPolicyTest, Names) {
  EXPECT_EQ(ParseRestartPolicy("never"), RestartPolicy::kNever);
  EXPECT_EQ(ParseRestartPolicy("on-change"), RestartPolicy::kOnChange);
  EXPECT_EQ(ParseRestartPolicy("on-add"), RestartPolicy::kOnAdd);
  EXPECT_FALSE(ParseRestartPolicy("always"));
}

TEST(RestartPolicyTest, WhatWarrantsARestart) {
  const EnvValues two{{"P", "/ip4/10.0.0.1/tcp/1,/ip4/10.0.0.2/tcp/1"}};
  const EnvValues one{{"P", "/ip4/10.0.0.1/tcp/1"}};
  const EnvValues reordered{{"P", "/ip4/10.0.0.2/tcp/1,/ip4/10.0.0.1/tcp/1"}};
  const EnvValues other{{"P", "/ip4/10.0.0.1/tcp/1,/ip4/10.0.0.3/tcp/1"}};
  EXPECT_FALSE(WarrantsRestart(RestartPolicy::kNever, one, two));
  EXPECT_TRUE(WarrantsRestart(RestartPolicy::kOnChange, one, two));
  EXPECT_TRUE(WarrantsRestart(RestartPolicy::kOnChange, two, one));
  EXPECT_FALSE(WarrantsRestart(RestartPolicy::kOnChange, two, two));
  EXPECT_TRUE(WarrantsRestart(RestartPolicy::kOnAdd, one, two));
  EXPECT_FALSE(WarrantsRestart(RestartPolicy::kOnAdd, two, one));  // a removal
  EXPECT_FALSE(WarrantsRestart(RestartPolicy::kOnAdd, two, reordered));
  EXPECT_TRUE(WarrantsRestart(RestartPolicy::kOnAdd, two, other));  // one gone, one new
  EXPECT_TRUE(WarrantsRestart(RestartPolicy::kOnAdd, {{"P", ""}}, one));
}

TEST(DebounceTest, QuietForMinButNoLaterThanMax) {
  using std::chrono::seconds;
  const Debounce::Clock::time_point start{};
  Debounce debounce(seconds(2), seconds(5));
  EXPECT_FALSE(debounce.Due());
  debounce.Change(start);
  EXPECT_EQ(debounce.Due(), start + seconds(2));
  debounce.Change(start + seconds(1));
  EXPECT_EQ(debounce.Due(), start + seconds(3));
  debounce.Change(start + seconds(4));
  EXPECT_EQ(debounce.Due(), start + seconds(5));  // the max since the first change
  debounce.Clear();
  EXPECT_FALSE(debounce.Due());
}

TEST(DebounceTest, NoWaitActsAtOnce) {
  const Debounce::Clock::time_point now{};
  Debounce debounce(std::chrono::seconds(0), std::chrono::seconds(0));
  debounce.Change(now);
  EXPECT_EQ(debounce.Due(), now);
}

TEST(ChildProcessTest, SignalNamesAndExitCodes) {
  EXPECT_EQ(ParseSignal("TERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("SIGINT"), SIGINT);
  EXPECT_EQ(ParseSignal("9"), SIGKILL);
  EXPECT_EQ(ParseSignal("NOPE"), 0);
  EXPECT_EQ(ParseSignal("0"), 0);
  EXPECT_EQ(ExitCodeOf(3 << 8), 3);
  EXPECT_EQ(ExitCodeOf(SIGTERM), 128 + SIGTERM);
}

}  // namespace
}  // namespace peerscout::cli
