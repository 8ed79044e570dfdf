#include "adapters/mdns/libp2p_peer_table.h"

#include <algorithm>

namespace peerscout::mdns {

bool Libp2pPeerTable::Heard(const Libp2pAnnouncement& announcement, Clock::time_point now) {
  auto found = peers_.find(announcement.peer_id);
  if (announcement.ttl.count() == 0) {
    if (found == peers_.end()) return false;
    bool changed = false;
    for (const Endpoint& endpoint : announcement.endpoints) {
      changed = found->second.addresses.erase(endpoint) > 0 || changed;
    }
    if (found->second.addresses.empty()) peers_.erase(found);
    return changed;
  }
  const bool is_new = found == peers_.end();
  Peer& peer = peers_[announcement.peer_id];
  peer.heard = now;
  bool changed = is_new;
  for (const Endpoint& endpoint : announcement.endpoints) {
    auto [slot, inserted] = peer.addresses.try_emplace(endpoint);
    slot->second = {now + announcement.ttl, now};
    changed = changed || inserted;
  }
  if (peer.addresses.empty()) {
    peers_.erase(announcement.peer_id);
    return false;
  }
  return changed;
}

void Libp2pPeerTable::Queried(Clock::time_point now) {
  if (missed_queries_ <= 0) return;
  queries_.push_back(now);
  // Queries sent faster than answers are given grace pile up; a few more than we count is
  // enough to find the oldest one a peer could have answered.
  const size_t keep = static_cast<size_t>(missed_queries_) + 8;
  if (queries_.size() > keep) queries_.erase(queries_.begin());
}

std::optional<Clock::time_point> Libp2pPeerTable::MissedBy(const Peer& peer) const {
  if (missed_queries_ <= 0) return std::nullopt;
  // The `missed_queries_`-th query after the peer was last heard: once its grace is over, the
  // peer has missed that many in a row.
  int after = 0;
  for (const Clock::time_point query : queries_) {
    if (query > peer.heard && ++after == missed_queries_) return query + answer_grace_;
  }
  return std::nullopt;
}

bool Libp2pPeerTable::Expire(Clock::time_point now) {
  bool changed = false;
  for (auto peer = peers_.begin(); peer != peers_.end();) {
    std::erase_if(peer->second.addresses, [&](const auto& entry) {
      const bool expired = entry.second.expiry <= now;
      changed = changed || expired;
      return expired;
    });
    const std::optional<Clock::time_point> missed = MissedBy(peer->second);
    if (peer->second.addresses.empty() || (missed && *missed <= now)) {
      peer = peers_.erase(peer);
      changed = true;
    } else {
      ++peer;
    }
  }
  return changed;
}

std::optional<Clock::time_point> Libp2pPeerTable::NextDeadline() const {
  std::optional<Clock::time_point> next;
  const auto consider = [&next](Clock::time_point when) {
    if (!next || when < *next) next = when;
  };
  for (const auto& [id, peer] : peers_) {
    for (const auto& [endpoint, address] : peer.addresses) consider(address.expiry);
    if (const std::optional<Clock::time_point> missed = MissedBy(peer)) consider(*missed);
  }
  return next;
}

std::vector<Observation> Libp2pPeerTable::Observations() const {
  std::vector<Observation> observations;
  for (const auto& [id, peer] : peers_) {
    Observation observation;
    observation.identity.peer_id = id;
    for (const auto& [endpoint, address] : peer.addresses)
      observation.addresses.push_back(endpoint);
    observation.last_seen = peer.heard;
    observation.online = true;
    observations.push_back(std::move(observation));
  }
  return observations;
}

}  // namespace peerscout::mdns
