// The DNS-SD services a backend sees now, and what they become: peers, or facts about us.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/mdns/service_instance.h"
#include "sidecar/core/snapshot.h"

namespace peerscout::mdns {

// Where one announcement was seen: Avahi and dns_sd report each (interface, protocol) apart.
struct Announcement {
  int interface = -1;
  int protocol = -1;
  ServiceKey key;
  auto operator<=>(const Announcement&) const = default;
};

struct ServiceSelection {
  std::vector<std::string> apps;  // only instances whose TXT app is one of these; empty: all
};

class ServiceTable {
 public:
  void Resolved(const Announcement& announcement, ServiceInstance instance);
  void Removed(const Announcement& announcement);
  void Clear() { instances_.clear(); }
  // Drops every announcement not in `kept`: what a fresh browse did not find again.
  void RetainOnly(const std::set<Announcement>& kept);
  size_t size() const { return instances_.size(); }

  // Adds one observation per instance (its announcements merged) and a refused TXT value to
  // snapshot.issues. Instances on our own host are listed too: the registry tells which of
  // them are us (our addresses, and app_ports when several app instances share the host).
  void Fill(const ServiceSelection& selection, Snapshot& snapshot) const;

 private:
  std::map<Announcement, ServiceInstance> instances_;
};

}  // namespace peerscout::mdns
