#include "sidecar/server/connection_slots.h"

#include <gtest/gtest.h>

namespace peerscout {
namespace {

// Stand-ins for libmicrohttpd's connection pointers.
const int kA = 0, kB = 0, kC = 0, kD = 0;

TEST(ConnectionSlotsTest, WithinTheLimitNobodyGivesWay) {
  ConnectionSlots slots(2);
  EXPECT_EQ(slots.Opened(&kA, 10), std::nullopt);
  EXPECT_EQ(slots.Opened(&kB, 11), std::nullopt);
  EXPECT_FALSE(slots.OverLimit());
  EXPECT_EQ(slots.counted(), 2);
}

TEST(ConnectionSlotsTest, TheConnectionIdleLongestGivesWayToANewOne) {
  ConnectionSlots slots(2);
  slots.Opened(&kA, 10);
  slots.Opened(&kB, 11);
  slots.RequestBegun(&kA);
  slots.RequestEnded(&kA);  // A was served since: B has waited longer
  EXPECT_EQ(slots.Opened(&kC, 12), 11);
  EXPECT_FALSE(slots.OverLimit());
  EXPECT_EQ(slots.evicted(), 1u);
  slots.Closed(&kB);  // libmicrohttpd closes it: it was already not counted
  EXPECT_EQ(slots.counted(), 2);
}

TEST(ConnectionSlotsTest, ABusyConnectionNeverGivesWayAndTheNewcomerIsOverTheLimit) {
  ConnectionSlots slots(2);
  slots.Opened(&kA, 10);
  slots.Opened(&kB, 11);
  slots.RequestBegun(&kA);
  slots.RequestBegun(&kB);
  EXPECT_EQ(slots.Opened(&kC, 12), std::nullopt);
  EXPECT_TRUE(slots.OverLimit());
  slots.Closed(&kC);
  EXPECT_FALSE(slots.OverLimit());
}

TEST(ConnectionSlotsTest, AConnectionGivesWayOnlyOnce) {
  ConnectionSlots slots(1);
  slots.Opened(&kA, 10);
  EXPECT_EQ(slots.Opened(&kB, 11), 10);
  EXPECT_EQ(slots.Opened(&kC, 12), 11);  // A is on its way out already
  EXPECT_EQ(slots.Opened(&kD, 13), 12);
  EXPECT_EQ(slots.counted(), 1);
  EXPECT_EQ(slots.evicted(), 3u);
}

}  // namespace
}  // namespace peerscout
