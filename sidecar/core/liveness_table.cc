#include "sidecar/core/liveness_table.h"

#include <algorithm>

namespace peerscout {

std::string_view ProbeOutcomeName(ProbeOutcome outcome) {
  switch (outcome) {
    case ProbeOutcome::kAnswered:
      return "answered";
    case ProbeOutcome::kRefused:
      return "refused";
    case ProbeOutcome::kTimedOut:
      return "timed_out";
    case ProbeOutcome::kFailed:
      return "failed";
  }
  return "failed";
}

std::vector<Endpoint> ProbeTargets(const PeerSet& peers) {
  std::vector<Endpoint> targets;
  for (const Peer& peer : peers.peers) {
    for (const PeerAddress& address : peer.addresses) {
      const Endpoint& endpoint = address.endpoint;
      if (endpoint.transport != Transport::kTcp || endpoint.ip() == nullptr) continue;
      if (address.reach && address.reach->probe != ProbeKind::kTcpConnect) continue;
      targets.push_back(endpoint);
    }
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  return targets;
}

bool LivenessTable::SetTargets(const std::vector<Endpoint>& targets) {
  std::map<Endpoint, Entry> kept;
  for (const Endpoint& target : targets) {
    auto found = entries_.find(target);
    kept.emplace(target, found == entries_.end() ? Entry{} : found->second);
  }
  entries_ = std::move(kept);
  const size_t before = reachability_.size();
  std::erase_if(reachability_, [&](const auto& item) { return !entries_.contains(item.first); });
  return reachability_.size() != before;
}

std::vector<Endpoint> LivenessTable::Due(TimePoint now, size_t limit) {
  std::vector<Endpoint> fresh;
  std::vector<Endpoint> due;
  for (const auto& [endpoint, entry] : entries_) {
    if (entry.in_flight) continue;
    if (!entry.next_probe) {
      fresh.push_back(endpoint);
    } else if (*entry.next_probe <= now) {
      due.push_back(endpoint);
    }
  }
  fresh.insert(fresh.end(), due.begin(), due.end());
  std::vector<Endpoint> started;
  for (Endpoint& endpoint : fresh) {
    if (started.size() >= limit || !rate_.Take(now)) break;
    Entry& entry = entries_.at(endpoint);
    entry.in_flight = true;
    entry.next_probe = now + cadence_.interval;
    started.push_back(std::move(endpoint));
  }
  return started;
}

bool LivenessTable::Record(const Endpoint& endpoint, ProbeOutcome outcome,
                           std::chrono::microseconds round_trip, TimePoint now) {
  auto found = entries_.find(endpoint);
  if (found == entries_.end()) return false;  // no longer a target
  Entry& entry = found->second;
  entry.in_flight = false;
  entry.next_probe = now + cadence_.interval;
  switch (outcome) {
    case ProbeOutcome::kAnswered:
      entry.misses = 0;
      return Mark(endpoint, true, round_trip, now);
    case ProbeOutcome::kRefused:
      entry.misses = cadence_.misses_to_unreachable;
      return Mark(endpoint, false, {}, now);
    case ProbeOutcome::kTimedOut:
    case ProbeOutcome::kFailed:
      if (++entry.misses >= cadence_.misses_to_unreachable) return Mark(endpoint, false, {}, now);
      // Not decided yet: ask again as soon as the rate allows rather than a whole interval on.
      entry.next_probe = now;
      return false;
  }
  return false;
}

bool LivenessTable::Mark(const Endpoint& endpoint, bool reachable,
                         std::chrono::microseconds round_trip, TimePoint now) {
  auto found = reachability_.find(endpoint);
  if (found != reachability_.end() && found->second.reachable == reachable) return false;
  reachability_[endpoint] = Reachability{reachable, now, round_trip, ProbeKind::kTcpConnect};
  return true;
}

std::optional<LivenessTable::TimePoint> LivenessTable::NextDeadline() const {
  std::optional<TimePoint> next;
  for (const auto& [endpoint, entry] : entries_) {
    if (entry.in_flight) continue;
    const TimePoint at = entry.next_probe.value_or(TimePoint::min());
    next = next ? std::min(*next, at) : at;
  }
  if (next) {
    if (auto refill = rate_.Refill()) next = std::max(*next, *refill);
  }
  return next;
}

}  // namespace peerscout
