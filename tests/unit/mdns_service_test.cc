// The mdns source's DNS-SD half without a daemon: what TXT records and resolved services
// become.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mdns/service_table.h"
#include "adapters/mdns/service_txt.h"
#include "tests/unit/observation_builders.h"

namespace peerscout::mdns {
namespace {

using testing::At;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Id;
using ::testing::IsEmpty;
using testing::kPeerA;

TEST(ServiceTxtTest, ReadsTheKeysWeAdvertise) {
  const std::vector<std::string> strings{"peer_id=" + kPeerA,         "port=52416",    "app=exo",
                                         "tailnet_node=nABC123CNTRL", "other=ignored", "flag"};
  const ServiceTxt txt = ReadServiceTxt(strings);
  EXPECT_EQ(txt.peer_id, Id(kPeerA));
  EXPECT_EQ(txt.port, 52416);
  EXPECT_EQ(txt.app, "exo");
  EXPECT_EQ(txt.tailnet_node, "nABC123CNTRL");
  EXPECT_THAT(txt.refused, IsEmpty());
  EXPECT_EQ(ReadServiceTxt(WriteServiceTxt(txt)).peer_id, txt.peer_id);
  EXPECT_EQ(WriteServiceTxt(txt).size(), 4u);
}

TEST(ServiceTxtTest, KeysAreCaseInsensitiveAndTheFirstCounts) {
  const ServiceTxt txt = ReadServiceTxt(std::vector<std::string>{"PORT=1", "port=2"});
  EXPECT_EQ(txt.port, 1);
}

TEST(ServiceTxtTest, HostileValuesAreRefusedAndLeftUnset) {
  const std::vector<std::string> strings{"peer_id=$(reboot)", "port=99999",
                                         "app=exo\nEXO_BOOTSTRAP_PEERS=evil", "tailnet_node=a b"};
  const ServiceTxt txt = ReadServiceTxt(strings);
  EXPECT_FALSE(txt.peer_id);
  EXPECT_FALSE(txt.port);
  EXPECT_THAT(txt.app, IsEmpty());
  EXPECT_THAT(txt.tailnet_node, IsEmpty());
  ASSERT_EQ(txt.refused.size(), 4u);
  EXPECT_THAT(txt.refused[0], HasSubstr("peer_id"));
  EXPECT_THAT(txt.refused[1], HasSubstr("port"));
}

ServiceInstance Instance(const std::string& name, const std::string& ip, uint16_t port,
                         std::vector<std::string> txt) {
  ServiceInstance instance;
  instance.key = {name, "_peerscout._tcp", "local"};
  instance.host = name + ".local";
  instance.addresses.push_back(*IpAddress::Parse(ip));
  instance.port = port;
  instance.txt = std::move(txt);
  return instance;
}

TEST(ServiceTableTest, OneObservationPerInstanceWithEveryAnnouncedAddress) {
  ServiceTable table;
  const ServiceInstance v4 = Instance("exo-2", "192.168.1.20", 4242, {"peer_id=" + kPeerA});
  ServiceInstance v6 = v4;
  v6.addresses = {*IpAddress::Parse("fd00::20")};
  table.Resolved({2, 0, v4.key}, v4);
  table.Resolved({2, 1, v6.key}, v6);
  Snapshot snapshot;
  table.Fill({}, snapshot);
  ASSERT_EQ(snapshot.observations.size(), 1u);
  const Observation& observation = snapshot.observations[0];
  EXPECT_EQ(observation.identity.peer_id, Id(kPeerA));
  EXPECT_EQ(observation.identity.hostname, "exo-2");
  EXPECT_THAT(observation.addresses, ElementsAre(At("192.168.1.20:4242"), At("[fd00::20]:4242")));

  table.Removed({2, 0, v4.key});
  table.Removed({2, 1, v6.key});
  Snapshot after;
  table.Fill({}, after);
  EXPECT_THAT(after.observations, IsEmpty());
}

TEST(ServiceTableTest, AfterADaemonRestartOnlyWhatWasFoundAgainStays) {
  ServiceTable table;
  const ServiceInstance back = Instance("back", "10.0.0.2", 1, {});
  const ServiceInstance gone = Instance("gone", "10.0.0.3", 1, {});
  table.Resolved({1, 0, back.key}, back);
  table.Resolved({1, 0, gone.key}, gone);
  table.RetainOnly({{1, 0, back.key}});
  Snapshot snapshot;
  table.Fill({}, snapshot);
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.hostname, "back");
}

TEST(ServiceTableTest, TheTxtPortIsTheAppsAndPortZeroIsAHostOnly) {
  ServiceTable table;
  const ServiceInstance app = Instance("a", "10.0.0.2", 9, {"port=52416"});
  const ServiceInstance host = Instance("b", "10.0.0.3", 0, {});
  table.Resolved({1, 0, app.key}, app);
  table.Resolved({1, 0, host.key}, host);
  Snapshot snapshot;
  table.Fill({}, snapshot);
  ASSERT_EQ(snapshot.observations.size(), 2u);
  EXPECT_THAT(snapshot.observations[0].addresses, ElementsAre(At("10.0.0.2:52416")));
  EXPECT_THAT(snapshot.observations[1].addresses, ElementsAre(At("10.0.0.3")));
}

TEST(ServiceTableTest, AppsSelectByTheTxtAppAndRefusedValuesAreIssues) {
  ServiceTable table;
  const ServiceInstance exo = Instance("exo", "10.0.0.2", 1, {"app=exo"});
  const ServiceInstance other = Instance("ipfs", "10.0.0.3", 1, {"app=ipfs", "port=x"});
  table.Resolved({1, 0, exo.key}, exo);
  table.Resolved({1, 0, other.key}, other);
  Snapshot snapshot;
  table.Fill({{"exo"}}, snapshot);
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.hostname, "exo");
  ASSERT_EQ(snapshot.issues.size(), 1u);
  EXPECT_EQ(snapshot.issues[0].subject, "ipfs");
  EXPECT_THAT(snapshot.issues[0].reason, HasSubstr("port"));
}

TEST(ServiceTableTest, AHostileHostNameBecomesOneSafeLabel) {
  ServiceTable table;
  ServiceInstance hostile = Instance("x", "10.0.0.2", 1, {});
  hostile.host = "evil host;rm -rf /\n.local";
  table.Resolved({1, 0, hostile.key}, hostile);
  Snapshot snapshot;
  table.Fill({}, snapshot);
  ASSERT_EQ(snapshot.observations.size(), 1u);
  EXPECT_EQ(snapshot.observations[0].identity.hostname, "evil-host-rm-rf");
}

}  // namespace
}  // namespace peerscout::mdns
