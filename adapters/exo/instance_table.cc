#include "adapters/exo/instance_table.h"

#include <algorithm>

namespace peerscout::exo {

void InstanceTable::SetCandidates(const std::vector<IpAddress>& candidates) {
  std::map<IpAddress, Entry> kept;
  for (const IpAddress& address : candidates) {
    auto found = entries_.find(address);
    kept.emplace(address, found == entries_.end() ? Entry{} : found->second);
  }
  entries_ = std::move(kept);
}

// New addresses (never probed) first, so one that appears is asked before the rate runs out
// on the ones already known.
std::vector<IpAddress> InstanceTable::DueAddresses(Clock::time_point now) const {
  std::vector<IpAddress> fresh;
  std::vector<IpAddress> due;
  for (const auto& [address, entry] : entries_) {
    if (entry.outstanding) continue;
    if (!entry.next_probe) {
      fresh.push_back(address);
    } else if (*entry.next_probe <= now) {
      due.push_back(address);
    }
  }
  fresh.insert(fresh.end(), due.begin(), due.end());
  return fresh;
}

bool InstanceTable::Answer(const IpAddress& source, const WhatsUp& whats_up,
                           Clock::time_point now) {
  auto found = entries_.find(source);
  if (found == entries_.end()) return false;
  Entry& entry = found->second;
  if (!entry.outstanding || *entry.outstanding != whats_up.nonce) return false;
  entry.outstanding.reset();
  entry.misses = 0;
  entry.answered_ever = true;
  // The same instance answering again keeps the moment and round trip of its first answer:
  // they are shown as when it became reachable, and a steady peer must not change each round.
  const bool same =
      entry.live && entry.live->zid == whats_up.zid && entry.live->port == whats_up.port;
  if (!same) entry.live = ExoInstance{source, whats_up.zid, whats_up.port, now, now - entry.sent};
  return true;
}

void InstanceTable::Expire(Clock::time_point now) {
  for (auto& [address, entry] : entries_) {
    if (!entry.outstanding || now - entry.sent < cadence_.answer_timeout) continue;
    entry.outstanding.reset();
    if (++entry.misses >= cadence_.misses_to_silent) entry.live.reset();
  }
}

std::vector<ExoInstance> InstanceTable::Live() const {
  std::vector<ExoInstance> live;
  for (const auto& [address, entry] : entries_) {
    if (entry.live) live.push_back(*entry.live);
  }
  return live;
}

size_t InstanceTable::silent() const {
  return static_cast<size_t>(std::count_if(entries_.begin(), entries_.end(), [&](const auto& e) {
    return !e.second.live && e.second.misses >= cadence_.misses_to_silent;
  }));
}

std::optional<Clock::time_point> InstanceTable::NextDeadline() const {
  std::optional<Clock::time_point> next;
  const auto consider = [&](Clock::time_point at) { next = next ? std::min(*next, at) : at; };
  for (const auto& [address, entry] : entries_) {
    if (entry.outstanding) {
      consider(entry.sent + cadence_.answer_timeout);
    } else {
      consider(entry.next_probe.value_or(Clock::time_point::min()));
    }
  }
  if (next) {
    if (auto refill = rate_.Refill()) next = std::max(*next, *refill);
  }
  return next;
}

}  // namespace peerscout::exo
