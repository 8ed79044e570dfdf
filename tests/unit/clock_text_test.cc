#include "sidecar/core/clock_text.h"

#include <gtest/gtest.h>

namespace peerscout {
namespace {

TEST(ParseTimestampTest, ReadsGoAndProtojsonTimestamps) {
  auto whole = ParseTimestamp("2025-07-10T14:06:52Z");
  ASSERT_TRUE(whole);
  EXPECT_EQ(FormatTimestamp(*whole), "2025-07-10T14:06:52.000Z");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2025-07-10T14:06:52.1Z")), "2025-07-10T14:06:52.100Z");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2025-07-10T14:06:52.123456789Z")),
            "2025-07-10T14:06:52.123Z");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("2025-07-10T16:06:52+02:00")),
            "2025-07-10T14:06:52.000Z");
}

TEST(ParseTimestampTest, GoZeroTimeAndGarbageAreNothing) {
  EXPECT_FALSE(ParseTimestamp("0001-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseTimestamp(""));
  EXPECT_FALSE(ParseTimestamp("2025-07-10 14:06:52Z"));
  EXPECT_FALSE(ParseTimestamp("2025-13-10T14:06:52Z"));
  EXPECT_FALSE(ParseTimestamp("2025-07-10T14:06:52"));
  EXPECT_FALSE(ParseTimestamp("2025-07-10T14:06:52.Z"));
  EXPECT_FALSE(ParseTimestamp("2025-07-10T14:06:52Zjunk"));
}

TEST(FormatAgoTest, LargestUnitRoundedDown) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  EXPECT_EQ(FormatAgo(milliseconds(999)), "now");
  EXPECT_EQ(FormatAgo(seconds(-30)), "now");  // another host's clock ahead of ours
  EXPECT_EQ(FormatAgo(seconds(12)), "12s ago");
  EXPECT_EQ(FormatAgo(seconds(119)), "1m ago");
  EXPECT_EQ(FormatAgo(minutes(59) + seconds(59)), "59m ago");
  EXPECT_EQ(FormatAgo(hours(5)), "5h ago");
  EXPECT_EQ(FormatAgo(hours(49)), "2d ago");
}

}  // namespace
}  // namespace peerscout
