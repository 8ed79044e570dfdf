// The mdns source's libp2p part: libp2p peers (exo, Skulk) heard and asked for on sockets of
// ours bound to UDP 5353, since avahi-daemon cannot see them. Its loop runs on the source's
// thread; its state has a lock of its own, since only the source's publishing reads it from
// another thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "adapters/mdns/libp2p_peer_table.h"
#include "adapters/mdns/multicast_socket.h"
#include "adapters/mdns/query_schedule.h"
#include "sidecar/core/source.h"
#include "sidecar/option/duration.h"

namespace peerscout::mdns {

struct Libp2pListenerOptions {
  bool ipv6 = true;                     // ff02::fb beside 224.0.0.251
  std::vector<std::string> interfaces;  // empty: every multicast-capable one but loopback
  Duration query_interval = std::chrono::seconds(60);
  int missed_queries = 2;
  // [self] app_ports as configured: which local libp2p answers are our app.
  std::vector<uint16_t> own_app_ports;
};

class Libp2pListener {
 public:
  // What the listener hears now, for the source's snapshot.
  struct View {
    bool ready = false;  // our first query's answers are in, or no socket could be opened
    std::string state;   // "listening: IPv4 on eth0", or "failed: " and why
    std::vector<Observation> peers;
    SelfIdentity local_app;  // answers from our own host: the local app's peer ids and ports
    std::map<std::string, uint64_t> counters;
    uint64_t counts = 0;  // how many counts the counters hold: what to tell CountersSent

    bool failed() const { return state.rfind("failed", 0) == 0; }
  };

  // `changed` is called, with no lock of ours held, whenever the view changed in a way the
  // source publishes now; counter changes alone are batched, at most one call a second.
  Libp2pListener(Libp2pListenerOptions options, SelfView self, std::function<void()> changed);

  // Listens, asks and expires peers on the caller's thread until `stop`.
  void Run(std::stop_token stop);
  // A Run after a crash waits for its first answers again, as the first Run did.
  void ResetFirstLook();
  // Empty until ready.
  View Look() const;
  // The sink got the counters of a view whose `counts` these are: they no longer wait for the
  // next batch.
  void CountersSent(uint64_t counts);

 private:
  // The loop's steps. False: no socket could be opened (the view says why).
  bool OpenSockets(std::vector<MulticastSocket>& sockets);
  void TrackInterfaces(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
                       Clock::time_point now);
  void SendQueries(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
                   Clock::time_point now);
  void BecomeReady();
  // Drops peers gone by `now`; true when that, or counters due by `counters_at`, is news.
  bool ExpireDue(Clock::time_point now, Clock::time_point counters_at);
  // When the loop must wake next for the tables' expiry or the counters' batch.
  Clock::time_point NextWake(Clock::time_point until, Clock::time_point counters_at) const;
  // True when the datagram changed the peers.
  bool Hear(const Datagram& datagram, const std::vector<IpAddress>& ours, QuerySchedule& schedule,
            Clock::time_point now);
  bool IsOurApp(const Libp2pAnnouncement& announcement) const;
  void Count(const std::string& counter, uint64_t by = 1);  // mutex_ held

  const Libp2pListenerOptions options_;
  const SelfView self_;
  const std::function<void()> changed_;

  mutable std::mutex mutex_;  // everything below
  Libp2pPeerTable peers_;
  Libp2pPeerTable local_peers_;  // answers from our own host: the local app
  bool ready_ = false;
  std::string state_;
  std::map<std::string, uint64_t> counters_;
  uint64_t counts_ = 0;
  uint64_t counts_sent_ = 0;  // counts_ as of the counters the sink last got
};

}  // namespace peerscout::mdns
