#include "sidecar/core/peer_order.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sidecar/core/merge.h"
#include "sidecar/core/peer_set_diff.h"
#include "tests/unit/observation_builders.h"

namespace peerscout {
namespace {

using ::testing::ElementsAre;
using testing::Seen;

std::vector<Peer> MergeOf(const std::vector<Observation>& observations) {
  MergeInput input;
  input.sources.push_back({"env", &observations, false});
  return Merge(input);
}

std::vector<std::string> Ids(const std::vector<Peer>& peers) {
  std::vector<std::string> ids;
  ids.reserve(peers.size());
  for (const Peer& peer : peers) ids.push_back(peer.id);
  return ids;
}

TEST(PeerOrderTest, AddressesCompareAsNumbersNotText) {
  // As text, "10.200.0.100:1" sorts before "10.200.0.10:1" and "9" after both.
  const auto peers =
      MergeOf({Seen().at("10.200.0.100:1"), Seen().at("[fd7a:115c:a1e0::1]:1"),
               Seen().at("10.200.0.10:1"), Seen().at("10.200.0.9:1"), Seen().at("10.200.0.10:2")});
  EXPECT_THAT(Ids(peers), ElementsAre("10.200.0.9:1", "10.200.0.10:1", "10.200.0.10:2",
                                      "10.200.0.100:1", "[fd7a:115c:a1e0::1]:1"));
}

TEST(PeerOrderTest, NamesFirstIgnoringCaseThenUnnamed) {
  const auto peers =
      MergeOf({Seen().at("10.0.0.1:1"), Seen().hostname("gamma").at("10.0.0.2:1"),
               Seen().at("/dns4/beta/tcp/1"), Seen().hostname("Alpha").at("10.0.0.9:1")});
  std::vector<std::string> names;
  names.reserve(peers.size());
  for (const Peer& peer : peers) names.push_back(peer.name);
  EXPECT_THAT(names, ElementsAre("alpha", "beta", "gamma", ""));
}

TEST(PeerOrderTest, CompareNamesIsTotal) {
  EXPECT_TRUE(CompareNames("Alpha", "beta") < 0);
  EXPECT_TRUE(CompareNames("alpha", "Beta") < 0);
  EXPECT_TRUE(CompareNames("Exo", "exo") != 0);  // equal ignoring case, still ordered
  EXPECT_TRUE(CompareNames("", "a") > 0);        // unnamed last
  EXPECT_TRUE(CompareNames("", "") == 0);
}

TEST(PeerOrderTest, DiffFindsPeersWhateverTheListingOrder) {
  const auto before = MergeOf({Seen().at("10.0.0.10:1"), Seen().at("10.0.0.9:1")});
  const auto after = MergeOf({Seen().at("10.0.0.100:1"), Seen().at("10.0.0.10:1").online(false)});
  const PeerSetDiff diff = DiffPeers(before, after);
  EXPECT_THAT(diff.added, ElementsAre("10.0.0.100:1"));
  EXPECT_THAT(diff.removed, ElementsAre("10.0.0.9:1"));
  EXPECT_THAT(diff.changed, ElementsAre("10.0.0.10:1"));
  EXPECT_TRUE(DiffPeers(after, after).empty());
}

}  // namespace
}  // namespace peerscout
