// The mdns source's DNS-SD part: what a backend (Avahi or dns_sd) reports from its own thread,
// kept as the services seen, our advertisement's fate and whether the daemon is away. Its state
// has a lock of its own, since only the source's publishing reads it from another thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "adapters/mdns/service_backend.h"
#include "adapters/mdns/service_table.h"
#include "sidecar/core/snapshot.h"
#include "sidecar/option/duration.h"

namespace peerscout::mdns {

class DnsSdBrowser : public ServiceEvents {
 public:
  // What the browser sees now, for the source's snapshot.
  struct View {
    bool settled = false;    // the first answers are in, or the daemon was found away
    std::string error;       // why the daemon is away; empty while it answers
    std::string advertised;  // our advertisement's name, or why it failed; empty: none yet
    std::vector<Observation> services;  // stale while the daemon is away
    std::vector<SourceIssue> refused;   // TXT values the services' observations left out
    std::map<std::string, uint64_t> counters;

    bool away() const { return !error.empty(); }
  };

  // `changed` is called, with no lock of ours held, whenever the view changed in a way the
  // source publishes.
  DnsSdBrowser(ServiceSelection selection, Duration stale_after, std::function<void()> changed);

  // A Run after a crash waits for the backend's first answers again, as the first Run did.
  void ResetFirstLook();
  // Empty until settled. Services of a daemon away longer than `stale_after` are forgotten
  // here, as the registry forgets the peers of a source failing that long.
  View Look(Clock::time_point now);

  // ServiceEvents, from the backend's thread.
  void Connected() override;
  void Settled() override;
  void Disconnected(const std::string& why) override;
  void Found(const Announcement& announcement, ServiceInstance instance) override;
  void Lost(const Announcement& announcement) override;
  void Advertised(const std::string& name, const std::string& error) override;

 private:
  const ServiceSelection selection_;
  const Duration stale_after_;
  const std::function<void()> changed_;

  std::mutex mutex_;  // everything below
  ServiceTable services_;
  bool refreshing_ = false;           // (re)connected, first answers not all in yet
  std::set<Announcement> refreshed_;  // announcements seen since
  bool settled_ = false;
  std::string error_;  // non-empty while the daemon is away
  Clock::time_point lost_at_{};
  std::string advertised_;
  std::map<std::string, uint64_t> counters_;
};

}  // namespace peerscout::mdns
