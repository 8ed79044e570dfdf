// The mdns source: the LAN as multicast DNS shows it. DNS-SD services through a backend
// (Avahi or dns_sd), our own node advertised the same way, and libp2p peers (exo, Skulk) heard
// and asked for on a socket of ours, since avahi-daemon cannot see them.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mdns/dns_sd_browser.h"
#include "adapters/mdns/libp2p_listener.h"
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

// Two parts, each with its own thread, state and lock: a DNS-SD browser fed by the backend's
// thread, and a libp2p listener whose loop runs on Run's thread. Either tells the source when
// its view changed; the source combines both views into the snapshot.
class MdnsSource : public Source {
 public:
  MdnsSource(MdnsSourceOptions options, SelfView self);
  void Run(std::stop_token stop, SnapshotSink& sink) override;

 private:
  std::unique_ptr<ServiceBackend> MakeBackend() const;
  std::optional<Advertisement> WantedAdvertisement() const;
  // Hands the sink what both parts see now, once each has had its first look.
  void Publish();
  Snapshot Combined(DnsSdBrowser::View dns_sd, Libp2pListener::View libp2p) const;

  const MdnsSourceOptions options_;
  const SelfView self_;
  DnsSdBrowser browser_;
  Libp2pListener listener_;

  std::mutex sink_mutex_;  // sink_; serializes calls to the sink, which both parts' threads make
  SnapshotSink* sink_ = nullptr;
};

const SourceFactory& Factory();

}  // namespace peerscout::mdns
