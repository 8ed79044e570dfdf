// Which items share a key, found by sorting the keys instead of inserting them into a hash map
// of strings: the keys live in one buffer and the entries in one array, so grouping 50k peers'
// keys reads memory in order rather than chasing a map node and a string per key. The merge
// joins the items that share a key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerscout {

class SharedKeys {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // A key of `item`. A probe only looks the key up: it is never the item found for a key.
  void Add(uint32_t item, std::string_view key, bool probe = false);

  // For each key in the order added: the lowest item that added the same key other than as a
  // probe, or kNone when only probes did.
  std::vector<uint32_t> Lowest() const;

  size_t size() const { return entries_.size(); }
  uint32_t item(size_t index) const { return entries_[index].item; }

 private:
  struct Entry {
    uint64_t hash;
    uint32_t offset;  // of the key in bytes_
    uint32_t size;
    uint32_t item;
    uint32_t index;  // the place it was added at; the top bit marks a probe
  };

  std::string_view KeyOf(const Entry& entry) const {
    return {bytes_.data() + entry.offset, entry.size};
  }

  std::string bytes_;
  std::vector<Entry> entries_;
};

}  // namespace peerscout
