#include "sidecar/core/shared_keys.h"

#include <algorithm>
#include <functional>

namespace peerscout {
namespace {

constexpr uint32_t kProbe = uint32_t{1} << 31;

}  // namespace

void SharedKeys::Add(uint32_t item, std::string_view key, bool probe) {
  const auto index = static_cast<uint32_t>(entries_.size());
  entries_.push_back({std::hash<std::string_view>{}(key), static_cast<uint32_t>(bytes_.size()),
                      static_cast<uint32_t>(key.size()), item, probe ? index | kProbe : index});
  bytes_.append(key);
}

std::vector<uint32_t> SharedKeys::Lowest() const {
  // Equal keys end up side by side, each run led by its lowest item that is not a probe.
  std::vector<Entry> sorted = entries_;
  std::sort(sorted.begin(), sorted.end(), [this](const Entry& a, const Entry& b) {
    if (a.hash != b.hash) return a.hash < b.hash;
    if (const int order = KeyOf(a).compare(KeyOf(b)); order != 0) return order < 0;
    if ((a.index & kProbe) != (b.index & kProbe)) return (a.index & kProbe) == 0;
    return a.item < b.item;
  });
  std::vector<uint32_t> lowest(sorted.size(), kNone);
  uint32_t run_item = kNone;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const Entry& entry = sorted[i];
    const bool run_starts =
        i == 0 || entry.hash != sorted[i - 1].hash || KeyOf(entry) != KeyOf(sorted[i - 1]);
    if (run_starts) run_item = (entry.index & kProbe) != 0 ? kNone : entry.item;
    lowest[entry.index & ~kProbe] = run_item;
  }
  return lowest;
}

}  // namespace peerscout
