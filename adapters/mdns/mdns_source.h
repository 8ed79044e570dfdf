// The mdns source: the LAN as multicast DNS shows it. DNS-SD services through a backend
// (Avahi or dns_sd), our own node advertised the same way, and libp2p peers (exo, Skulk) heard
// and asked for on a socket of ours, since avahi-daemon cannot see them.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mdns/libp2p_peer_table.h"
#include "adapters/mdns/multicast_socket.h"
#include "adapters/mdns/query_schedule.h"
#include "adapters/mdns/service_backend.h"
#include "adapters/mdns/service_table.h"
#include "sidecar/core/source.h"
#include "sidecar/option/duration.h"

namespace peerscout::mdns {

enum class Backend : uint8_t { kAvahi, kDnsSd, kNone };
std::string_view BackendName(Backend backend);

struct MdnsSourceOptions {
  Backend backend = Backend::kAvahi;
  std::vector<std::string> service_types{"_peerscout._tcp"};
  ServiceSelection selection;
  bool advertise = true;
  std::string advertise_type = "_peerscout._tcp";
  std::string advertise_name;  // empty: the host name
  std::string app;             // our app's name, in the advertisement's TXT
  bool libp2p = true;
  bool ipv6 = true;                     // ff02::fb beside 224.0.0.251
  std::vector<std::string> interfaces;  // empty: every multicast-capable one but loopback
  Duration query_interval = std::chrono::seconds(60);
  int missed_queries = 2;
  // [self] app_ports as configured: which local libp2p answers are our app.
  std::vector<uint16_t> own_app_ports;
  // How long DNS-SD services are kept, stale, while the daemon is away.
  Duration stale_after = std::chrono::minutes(10);
};

class MdnsSource : public Source, private ServiceEvents {
 public:
  MdnsSource(MdnsSourceOptions options, SelfView self);
  void Run(std::stop_token stop, SnapshotSink& sink) override;

 private:
  // ServiceEvents, from the backend's thread.
  void Connected() override;
  void Settled() override;
  void Disconnected(const std::string& why) override;
  void Found(const Announcement& announcement, ServiceInstance instance) override;
  void Lost(const Announcement& announcement) override;
  void Advertised(const std::string& name, const std::string& error) override;

  std::optional<Advertisement> WantedAdvertisement() const;
  bool IsOurApp(const Libp2pAnnouncement& announcement) const;
  void RunLibp2p(std::stop_token stop);
  // The libp2p half's steps. False: no socket could be opened (told to the sink).
  bool OpenSockets(std::vector<MulticastSocket>& sockets);
  void TrackInterfaces(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
                       Clock::time_point now);
  void SendQueries(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
                   Clock::time_point now);
  void Hear(const Datagram& datagram, const std::vector<IpAddress>& ours, QuerySchedule& schedule,
            Clock::time_point now);
  // Hands the sink what both halves see now, once each has had its first look. mutex_ held.
  void PublishLocked();
  void Count(const std::string& counter, uint64_t by = 1);  // mutex_ held

  MdnsSourceOptions options_;
  SelfView self_;

  std::mutex mutex_;  // everything below; serializes calls to the sink
  SnapshotSink* sink_ = nullptr;
  ServiceTable services_;
  bool refreshing_ = false;           // (re)connected, first answers not all in yet
  std::set<Announcement> refreshed_;  // announcements seen since
  bool dns_sd_settled_ = false;
  std::string dns_sd_error_;  // non-empty while the daemon is away
  Clock::time_point dns_sd_lost_at_{};
  std::string advertised_;  // our advertisement's name, or why it failed
  Libp2pPeerTable peers_;
  Libp2pPeerTable local_peers_;  // answers from our own host: the local app
  bool libp2p_ready_ = false;
  std::string libp2p_state_;
  std::map<std::string, uint64_t> counters_;
  bool counters_dirty_ = false;
};

const SourceFactory& Factory();

}  // namespace peerscout::mdns
