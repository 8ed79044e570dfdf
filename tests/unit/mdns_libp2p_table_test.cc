// Which libp2p peers the mdns source lists over time: TTLs, goodbyes, silent peers, and when it
// asks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/mdns/libp2p_peer_table.h"
#include "adapters/mdns/query_schedule.h"
#include "tests/unit/observation_builders.h"

namespace peerscout::mdns {
namespace {

using namespace std::chrono_literals;
using testing::At;
using ::testing::ElementsAre;
using testing::Id;
using ::testing::IsEmpty;
using testing::kPeerA;
using testing::kPeerC;

const Clock::time_point kStart = Clock::time_point() + std::chrono::hours(1000);

Libp2pAnnouncement Announce(const std::string& id, const std::string& address,
                            std::chrono::seconds ttl) {
  return {Id(id), {At(address)}, ttl};
}

TEST(Libp2pPeerTableTest, APeerStaysForItsTtlThenGoes) {
  Libp2pPeerTable table(0, 3s);
  EXPECT_TRUE(table.Heard(Announce(kPeerA, "10.0.0.2:52416", 120s), kStart));
  EXPECT_FALSE(table.Heard(Announce(kPeerA, "10.0.0.2:52416", 120s), kStart + 60s));
  ASSERT_EQ(table.Observations().size(), 1u);
  EXPECT_EQ(table.Observations()[0].identity.peer_id, Id(kPeerA));
  EXPECT_EQ(table.NextDeadline(), kStart + 180s);  // refreshed by the second answer
  EXPECT_FALSE(table.Expire(kStart + 179s));
  EXPECT_TRUE(table.Expire(kStart + 180s));
  EXPECT_THAT(table.Observations(), IsEmpty());
}

TEST(Libp2pPeerTableTest, AGoodbyeRemovesAtOnce) {
  Libp2pPeerTable table(0, 3s);
  table.Heard(Announce(kPeerA, "10.0.0.2:4001", 3200s), kStart);
  EXPECT_TRUE(table.Heard(Announce(kPeerA, "10.0.0.2:4001", 0s), kStart + 1s));
  EXPECT_THAT(table.Observations(), IsEmpty());
  EXPECT_FALSE(table.Heard(Announce(kPeerC, "10.0.0.3:4001", 0s), kStart + 1s));
}

TEST(Libp2pPeerTableTest, AddressesAccumulateAndExpireApart) {
  Libp2pPeerTable table(0, 3s);
  table.Heard(Announce(kPeerA, "10.0.0.2:52416", 100s), kStart);
  EXPECT_TRUE(table.Heard(Announce(kPeerA, "192.168.1.2:52416", 200s), kStart));
  ASSERT_EQ(table.Observations().size(), 1u);
  EXPECT_THAT(table.Observations()[0].addresses,
              ElementsAre(At("10.0.0.2:52416"), At("192.168.1.2:52416")));
  EXPECT_TRUE(table.Expire(kStart + 100s));
  EXPECT_THAT(table.Observations()[0].addresses, ElementsAre(At("192.168.1.2:52416")));
}

TEST(Libp2pPeerTableTest, APeerThatStopsAnsweringOurQueriesGoesLongBeforeItsTtl) {
  Libp2pPeerTable table(2, 3s);
  table.Queried(kStart);
  table.Heard(Announce(kPeerA, "10.0.0.2:52416", 2500s), kStart + 100ms);
  table.Heard(Announce(kPeerC, "10.0.0.3:52416", 2500s), kStart + 100ms);
  table.Queried(kStart + 60s);
  table.Heard(Announce(kPeerC, "10.0.0.3:52416", 2500s), kStart + 60s + 100ms);
  EXPECT_FALSE(table.Expire(kStart + 64s));  // one miss is not enough: packets get lost
  table.Queried(kStart + 120s);
  table.Heard(Announce(kPeerC, "10.0.0.3:52416", 2500s), kStart + 120s + 100ms);
  EXPECT_FALSE(table.Expire(kStart + 122s));  // still within the grace of the second query
  EXPECT_EQ(table.NextDeadline(), kStart + 123s);
  EXPECT_TRUE(table.Expire(kStart + 123s));
  ASSERT_EQ(table.Observations().size(), 1u);
  EXPECT_EQ(table.Observations()[0].identity.peer_id, Id(kPeerC));
}

TEST(Libp2pPeerTableTest, QueriesFasterThanTheGraceStillCountAsMissed) {
  Libp2pPeerTable table(2, 3s);
  table.Heard(Announce(kPeerA, "10.0.0.2:52416", 2500s), kStart);
  for (int i = 1; i <= 4; ++i) table.Queried(kStart + i * 2s);
  EXPECT_EQ(table.NextDeadline(), kStart + 7s);  // the second query after it, plus grace
  EXPECT_TRUE(table.Expire(kStart + 8s));
  EXPECT_THAT(table.Observations(), IsEmpty());
}

TEST(Libp2pPeerTableTest, WithMissedQueriesZeroOnlyTheTtlCounts) {
  Libp2pPeerTable table(0, 3s);
  table.Heard(Announce(kPeerA, "10.0.0.2:52416", 2500s), kStart);
  for (int i = 1; i <= 10; ++i) table.Queried(kStart + i * 60s);
  EXPECT_FALSE(table.Expire(kStart + 700s));
  EXPECT_EQ(table.Observations().size(), 1u);
}

TEST(QueryScheduleTest, AQuickFewThenEveryInterval) {
  QuerySchedule schedule(60s, kStart);
  std::vector<std::chrono::seconds> sent;
  for (int i = 0; i < 9; ++i) {
    const Clock::time_point now = schedule.next();
    sent.push_back(std::chrono::duration_cast<std::chrono::seconds>(now - kStart));
    schedule.Sent(now);
  }
  EXPECT_THAT(sent, ElementsAre(0s, 1s, 3s, 7s, 15s, 31s, 63s, 123s, 183s));
}

TEST(QueryScheduleTest, AnotherNodesQueryHurriesOursButNotWithinASecond) {
  QuerySchedule schedule(60s, kStart);
  for (int i = 0; i < 8; ++i) schedule.Sent(schedule.next());
  const Clock::time_point last = kStart + 123s;
  EXPECT_EQ(schedule.next(), last + 60s);
  schedule.Hurry(last + 200ms);
  EXPECT_EQ(schedule.next(), last + 1s);
  schedule.Sent(last + 1s);
  schedule.Hurry(last + 30s);
  EXPECT_EQ(schedule.next(), last + 30s);
}

}  // namespace
}  // namespace peerscout::mdns
