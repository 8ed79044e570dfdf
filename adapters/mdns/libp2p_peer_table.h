// The libp2p peers heard on the LAN, each address until its TTL runs out, or sooner when the
// peer stops answering our queries (RFC 6762 §10.5, passive observation of failures): exo
// announces a 2,500 s TTL and never says goodbye, so a TTL alone keeps a dead peer for 40 min.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <vector>

#include "adapters/mdns/libp2p_message.h"
#include "sidecar/core/observation.h"

namespace peerscout::mdns {

class Libp2pPeerTable {
 public:
  // `missed_queries`: after this many of our queries (each given `answer_grace` to be answered)
  // with no answer from a peer, it is dropped; 0 keeps every peer until its TTL.
  Libp2pPeerTable(int missed_queries, std::chrono::nanoseconds answer_grace)
      : missed_queries_(missed_queries), answer_grace_(answer_grace) {}

  // True when the peers as observations changed (a new peer or address; a goodbye).
  bool Heard(const Libp2pAnnouncement& announcement, Clock::time_point now);
  // We sent a query now: peers that keep not answering go.
  void Queried(Clock::time_point now);
  // Drops what expired or stopped answering by `now`; true when something went.
  bool Expire(Clock::time_point now);
  // When Expire next has something to do.
  std::optional<Clock::time_point> NextDeadline() const;

  std::vector<Observation> Observations() const;
  size_t size() const { return peers_.size(); }

 private:
  struct Address {
    Clock::time_point expiry;
    Clock::time_point heard;
  };
  struct Peer {
    std::map<Endpoint, Address> addresses;
    Clock::time_point heard;
  };
  // When the peer will have missed `missed_queries_` queries in a row, if it has been asked.
  std::optional<Clock::time_point> MissedBy(const Peer& peer) const;

  int missed_queries_;
  std::chrono::nanoseconds answer_grace_;
  std::vector<Clock::time_point> queries_;  // our latest queries, oldest first
  std::map<PeerId, Peer> peers_;
};

}  // namespace peerscout::mdns
