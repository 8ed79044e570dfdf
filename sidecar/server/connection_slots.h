// Which connection gives way when more than max_connections are open: the one that has waited
// longest for a request, an idle keep-alive or one still trickling its headers in. So idle and
// slow clients never hold every slot against a new client, as nginx drains idle keep-alive
// connections when it runs short. A connection with a request in progress (being answered, or a
// parked blocking query) never gives way; a new one finding only those is answered 503.
// Pure: the caller closes what it is told to, and serializes the calls.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

namespace peerscout {

class ConnectionSlots {
 public:
  using Id = const void*;

  explicit ConnectionSlots(int64_t limit) : limit_(limit) {}

  // A new connection on socket `fd`. Returns the socket of the connection that must give way to
  // it, if one must: it no longer counts, and the caller shuts it down.
  std::optional<int> Opened(Id id, int fd);
  void RequestBegun(Id id);
  void RequestEnded(Id id);
  void Closed(Id id);

  // More connections than the limit are open, none of them idle: a request here gets 503.
  bool OverLimit() const { return counted_ > limit_; }
  int64_t counted() const { return counted_; }
  uint64_t evicted() const { return evicted_; }

 private:
  struct Slot {
    int fd = -1;
    bool busy = false;        // a request is in progress
    bool evicted = false;     // shut down by us, not yet closed by libmicrohttpd
    uint64_t idle_since = 0;  // a sequence number: lower waited longer
  };

  std::optional<int> EvictLongestIdle(Id spare);

  int64_t limit_;
  std::unordered_map<Id, Slot> slots_;
  int64_t counted_ = 0;  // open and not evicted
  uint64_t sequence_ = 0;
  uint64_t evicted_ = 0;
};

}  // namespace peerscout
