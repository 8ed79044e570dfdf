#include "sidecar/server/connection_slots.h"

namespace peerscout {

std::optional<int> ConnectionSlots::Opened(Id id, int fd) {
  slots_[id] = Slot{fd, false, false, ++sequence_};
  ++counted_;
  if (counted_ <= limit_) return std::nullopt;
  return EvictLongestIdle(id);
}

std::optional<int> ConnectionSlots::EvictLongestIdle(Id spare) {
  Slot* longest = nullptr;
  for (auto& [id, slot] : slots_) {
    if (id == spare || slot.busy || slot.evicted) continue;
    if (longest == nullptr || slot.idle_since < longest->idle_since) longest = &slot;
  }
  if (longest == nullptr) return std::nullopt;
  longest->evicted = true;
  --counted_;
  ++evicted_;
  return longest->fd;
}

void ConnectionSlots::RequestBegun(Id id) {
  if (auto it = slots_.find(id); it != slots_.end()) it->second.busy = true;
}

void ConnectionSlots::RequestEnded(Id id) {
  auto it = slots_.find(id);
  if (it == slots_.end()) return;
  it->second.busy = false;
  it->second.idle_since = ++sequence_;
}

void ConnectionSlots::Closed(Id id) {
  auto it = slots_.find(id);
  if (it == slots_.end()) return;
  if (!it->second.evicted) --counted_;
  slots_.erase(it);
}

}  // namespace peerscout
