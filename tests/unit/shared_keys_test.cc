#include "sidecar/core/shared_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace peerscout {
namespace {

using ::testing::ElementsAre;
constexpr uint32_t kNone = SharedKeys::kNone;

TEST(SharedKeysTest, EachKeyFindsTheLowestItemThatAddedIt) {
  SharedKeys keys;
  keys.Add(7, "a");
  keys.Add(3, "b");
  keys.Add(5, "a");
  keys.Add(3, "a");
  keys.Add(9, "c");
  EXPECT_THAT(keys.Lowest(), ElementsAre(3, 3, 3, 3, 9));
}

TEST(SharedKeysTest, AProbeFindsOthersButIsNeverFound) {
  SharedKeys keys;
  keys.Add(4, "host");
  keys.Add(1, "host", true);
  keys.Add(2, "alone", true);
  keys.Add(0, "alone", true);
  EXPECT_THAT(keys.Lowest(), ElementsAre(4, 4, kNone, kNone));
}

TEST(SharedKeysTest, KeysAreComparedWholeAndByTheirBytes) {
  SharedKeys keys;
  keys.Add(1, std::string_view("a\0b", 3));
  keys.Add(2, std::string_view("a\0c", 3));
  keys.Add(3, "a");
  keys.Add(4, std::string_view("a\0b", 3));
  EXPECT_THAT(keys.Lowest(), ElementsAre(1, 2, 3, 1));
}

TEST(SharedKeysTest, ManyItemsOfOneKeyAllFindTheLowest) {
  SharedKeys keys;
  for (uint32_t item = 50000; item > 0; --item) keys.Add(item, "one address");
  const std::vector<uint32_t> lowest = keys.Lowest();
  EXPECT_EQ(std::count(lowest.begin(), lowest.end(), 1u), 50000);
}

TEST(SharedKeysTest, NoKeysNoneFound) { EXPECT_TRUE(SharedKeys().Lowest().empty()); }

}  // namespace
}  // namespace peerscout
