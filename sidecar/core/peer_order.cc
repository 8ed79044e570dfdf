#include "sidecar/core/peer_order.h"

#include <algorithm>
#include <numeric>

namespace peerscout {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Endpoint's own order is numeric: the variant puts addresses before names, an address
// compares by family and then by its bytes.
std::weak_ordering CompareAddresses(const std::vector<PeerAddress>& a,
                                    const std::vector<PeerAddress>& b) {
  return std::lexicographical_compare_three_way(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const PeerAddress& x, const PeerAddress& y) -> std::weak_ordering {
        return x.endpoint <=> y.endpoint;
      });
}

}  // namespace

std::weak_ordering CompareNames(std::string_view a, std::string_view b) {
  if (a.empty() != b.empty()) {
    return a.empty() ? std::weak_ordering::greater : std::weak_ordering::less;
  }
  const auto folded = std::lexicographical_compare_three_way(
      a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) { return Lower(x) <=> Lower(y); });
  if (folded != 0) return folded;
  return a <=> b;
}

void SortForListing(std::vector<Peer>& peers) {
  // Sort positions, not peers: a Peer is large to move around.
  std::vector<size_t> order(peers.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    const Peer& a = peers[i];
    const Peer& b = peers[j];
    if (auto by_name = CompareNames(a.name, b.name); by_name != 0) return by_name < 0;
    if (auto by_address = CompareAddresses(a.addresses, b.addresses); by_address != 0) {
      return by_address < 0;
    }
    return a.id < b.id;
  });
  std::vector<Peer> sorted;
  sorted.reserve(peers.size());
  for (size_t i : order) sorted.push_back(std::move(peers[i]));
  peers = std::move(sorted);
}

}  // namespace peerscout
