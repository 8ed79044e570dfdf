#include "sidecar/core/peer_order.h"

#include <algorithm>
#include <cstdint>
#include <utility>

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

// The first 16 bytes of a name as CompareNames orders them (case folded, a char compared as
// signed), in two integers: most peers are told apart by these alone, without reading the
// scattered Peer again. Equal prefixes say nothing: the peers are then compared in full.
struct NamePrefix {
  bool empty = true;  // empty names go last
  uint64_t high = 0;
  uint64_t low = 0;

  explicit NamePrefix(std::string_view name) : empty(name.empty()) {
    for (size_t i = 0; i < 16; ++i) {
      const auto folded = static_cast<uint8_t>(i < name.size() ? Lower(name[i]) : 0);
      const uint64_t byte = i < name.size() ? folded ^ 0x80u : 0;
      uint64_t& half = i < 8 ? high : low;
      half = (half << 8) | byte;
    }
  }

  auto operator<=>(const NamePrefix&) const = default;
};

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

bool ListedBefore(const Peer& a, const Peer& b) {
  if (auto by_name = CompareNames(a.name, b.name); by_name != 0) return by_name < 0;
  if (auto by_address = CompareAddresses(a.addresses, b.addresses); by_address != 0) {
    return by_address < 0;
  }
  return a.id < b.id;
}

void SortForListing(std::vector<Peer>& peers) {
  // Sort positions, not peers: a Peer is large to move around.
  std::vector<std::pair<NamePrefix, size_t>> order;
  order.reserve(peers.size());
  for (size_t i = 0; i < peers.size(); ++i) order.emplace_back(NamePrefix(peers[i].name), i);
  std::sort(order.begin(), order.end(), [&](const auto& x, const auto& y) {
    if (auto by_prefix = x.first <=> y.first; by_prefix != 0) return by_prefix < 0;
    return ListedBefore(peers[x.second], peers[y.second]);
  });
  std::vector<Peer> sorted;
  sorted.reserve(peers.size());
  for (const auto& [prefix, i] : order) sorted.push_back(std::move(peers[i]));
  peers = std::move(sorted);
}

}  // namespace peerscout
