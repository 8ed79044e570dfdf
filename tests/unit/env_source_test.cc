#include "adapters/env/env_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace peerscout::env {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kId = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

std::vector<std::string> Texts(const Observation& observation) {
  std::vector<std::string> texts;
  for (const Endpoint& endpoint : observation.addresses) texts.push_back(endpoint.ToMultiaddr());
  return texts;
}

TEST(BootstrapListTest, SplitsOnCommasAndWhitespaceAndReportsEachBadEntry) {
  BootstrapList list;
  ParseBootstrapVariable("EXO_BOOTSTRAP_PEERS",
                         " /ip4/10.0.0.2/tcp/52416,,10.0.0.3:52416\n\t/ip4/10.0.0.4/tcp/1/p2p/" +
                             std::string(kId) + ",$(reboot),'10.0.0.5:1',/ip4/exo-2/tcp/30000",
                         list);
  ASSERT_EQ(list.entries.size(), 3u);
  EXPECT_EQ(list.entries[2].addresses[0].peer_id->ToString(), kId);
  EXPECT_EQ(list.entries[1].origin, "EXO_BOOTSTRAP_PEERS entry 2");
  ASSERT_EQ(list.issues.size(), 3u);
  EXPECT_EQ(list.issues[0].subject, "$(reboot)");
  EXPECT_EQ(list.issues[0].origin, "EXO_BOOTSTRAP_PEERS entry 4");
  EXPECT_THAT(list.issues[1].reason, HasSubstr("quotes"));
  EXPECT_THAT(list.issues[2].reason, HasSubstr("not an IPv4 address"));
}

TEST(BootstrapListTest, AHugeHostileEntryIsQuotedShort) {
  BootstrapList list;
  ParseBootstrapVariable("X", std::string(100000, 'A'), list);
  ASSERT_EQ(list.issues.size(), 1u);
  EXPECT_LT(list.issues[0].subject.size(), 210u);
}

TEST(ReadBootstrapListsTest, ReadsTheConfiguredVariablesThenStaticPeers) {
  Environment env({{"EXO_BOOTSTRAP_PEERS", "10.0.0.2:1"}, {"OTHER", "10.0.0.9:1"}});
  StaticPeer peer{{"/ip4/10.0.0.3/tcp/1", "10.1.0.3:1"}, "exo-3", "sidecar.toml:7"};
  BootstrapList list = ReadBootstrapLists({"EXO_BOOTSTRAP_PEERS", "UNSET"}, env, {peer});
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[1].addresses.size(), 2u);
  EXPECT_EQ(list.entries[1].name, "exo-3");
  EXPECT_EQ(list.entries[1].origin, "sidecar.toml:7");
}

class EnvSourceTest : public ::testing::Test {
 protected:
  EnvSource Make(const std::string& value) {
    BootstrapList list;
    ParseBootstrapVariable("PEERS", value, list);
    EnvSourceOptions options;
    options.keep_resolved = std::chrono::minutes(10);
    return EnvSource(std::move(list), options, [this](const HostName& name) {
      ++lookups_[name.name.ToString()];
      auto it = dns_.find(name.name.ToString());
      if (it == dns_.end()) {
        return ErrorOr<std::vector<IpAddress>>::Error(
            "does not resolve: Name or service not known");
      }
      std::vector<IpAddress> addresses;
      for (const std::string& text : it->second) addresses.push_back(*IpAddress::Parse(text));
      return ErrorOr<std::vector<IpAddress>>(addresses);
    });
  }

  std::map<std::string, std::vector<std::string>> dns_;
  std::map<std::string, int> lookups_;
  Clock::time_point now_ = Clock::now();
};

TEST_F(EnvSourceTest, LiteralsNeedNoResolver) {
  EnvSource source = Make("/ip4/10.0.0.2/tcp/1,10.0.0.3:2");
  Snapshot snapshot = source.Look(now_).value();
  ASSERT_EQ(snapshot.observations.size(), 2u);
  EXPECT_TRUE(lookups_.empty());
  EXPECT_THAT(Texts(snapshot.observations[1]), ElementsAre("/ip4/10.0.0.3/tcp/2"));
}

TEST_F(EnvSourceTest, ANameKeepsItselfAndGainsWhatItResolvesTo) {
  dns_["exo-2"] = {"172.18.0.3"};
  EnvSource source = Make("/dns4/exo-2/tcp/30000,exo-2:30000");
  Snapshot snapshot = source.Look(now_).value();
  ASSERT_EQ(snapshot.observations.size(), 2u);
  EXPECT_THAT(Texts(snapshot.observations[0]),
              ElementsAre("/dns4/exo-2/tcp/30000", "/ip4/172.18.0.3/tcp/30000"));
  EXPECT_EQ(lookups_["exo-2"], 2);  // one lookup per name and family per round
  EXPECT_TRUE(snapshot.issues.empty());
}

TEST_F(EnvSourceTest, ANameWithSeveralAddressesIsSeveralPeers) {
  dns_["exo"] = {"172.18.0.3", "172.18.0.4", "172.18.0.5"};
  EnvSource source = Make("exo:30000");
  Snapshot snapshot = source.Look(now_).value();
  ASSERT_EQ(snapshot.observations.size(), 3u);
  EXPECT_THAT(Texts(snapshot.observations[2]), ElementsAre("/ip4/172.18.0.5/tcp/30000"));
}

TEST_F(EnvSourceTest, OneAddressPerFamilyIsOneDualStackHost) {
  dns_["exo"] = {"172.18.0.3", "fd00::3"};
  EnvSource source = Make("exo:30000");
  EXPECT_EQ(source.Look(now_).value().observations.size(), 1u);
}

TEST_F(EnvSourceTest, AnUnresolvedNameIsReportedAndKeptAsAName) {
  EnvSource source = Make("exo-9:30000");
  Snapshot snapshot = source.Look(now_).value();
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_THAT(Texts(snapshot.observations[0]), ElementsAre("/dns/exo-9/tcp/30000"));
  ASSERT_EQ(snapshot.issues.size(), 1u);
  EXPECT_EQ(snapshot.issues[0].subject, "exo-9");
  EXPECT_THAT(snapshot.issues[0].reason, HasSubstr("does not resolve"));
}

TEST_F(EnvSourceTest, ANameThatStopsResolvingKeepsItsAddressesStaleUntilExpiry) {
  dns_["exo-2"] = {"172.18.0.3"};
  EnvSource source = Make("exo-2:30000");
  source.Look(now_);
  dns_.clear();
  Snapshot snapshot = source.Look(now_ + std::chrono::minutes(5)).value();
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_TRUE(snapshot.observations[0].stale);
  EXPECT_THAT(Texts(snapshot.observations[0]),
              ElementsAre("/dns/exo-2/tcp/30000", "/ip4/172.18.0.3/tcp/30000"));
  EXPECT_THAT(snapshot.issues[0].reason, HasSubstr("keeping the addresses it had"));
  snapshot = source.Look(now_ + std::chrono::minutes(11)).value();
  EXPECT_THAT(Texts(snapshot.observations[0]), ElementsAre("/dns/exo-2/tcp/30000"));
}

TEST_F(EnvSourceTest, AStopMidwayPublishesNothing) {
  EnvSource source = Make("exo-2:30000");
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(source.Look(now_, stop.get_token()));
  EXPECT_TRUE(lookups_.empty());
}

TEST_F(EnvSourceTest, ReResolutionFollowsAddressChanges) {
  dns_["exo-2"] = {"172.18.0.3"};
  EnvSource source = Make("exo-2:30000");
  source.Look(now_);
  dns_["exo-2"] = {"172.18.0.7"};
  EXPECT_THAT(Texts(source.Look(now_).value().observations[0]),
              ElementsAre("/dns/exo-2/tcp/30000", "/ip4/172.18.0.7/tcp/30000"));
}

}  // namespace
}  // namespace peerscout::env
