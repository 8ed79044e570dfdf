#include "adapters/mdns/service_table.h"

#include <algorithm>

#include "adapters/mdns/service_txt.h"
#include "sidecar/net/dns_name.h"

namespace peerscout::mdns {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// A service instance seen over several announcements, as one.
struct MergedInstance {
  const ServiceInstance* first = nullptr;
  std::vector<IpAddress> addresses;
};

Observation ToObservation(const ServiceInstance& instance, const ServiceTxt& txt,
                          const std::vector<IpAddress>& addresses) {
  Observation observation;
  observation.identity.peer_id = txt.peer_id;
  observation.identity.tailnet_node = txt.tailnet_node;
  const std::string_view host = instance.host;
  observation.identity.hostname = SanitizeHostLabel(host.substr(0, host.find('.')));
  const uint16_t port = txt.port.value_or(instance.port);
  const Transport transport =
      EndsWith(instance.key.type, "._udp") ? Transport::kUdp : Transport::kTcp;
  for (const IpAddress& ip : addresses) {
    observation.addresses.push_back(port == 0 ? Endpoint{ip} : Endpoint{ip, port, transport});
  }
  observation.online = true;
  return observation;
}

}  // namespace

void ServiceTable::Resolved(const Announcement& announcement, ServiceInstance instance) {
  instances_[announcement] = std::move(instance);
}

void ServiceTable::Removed(const Announcement& announcement) { instances_.erase(announcement); }

void ServiceTable::RetainOnly(const std::set<Announcement>& kept) {
  std::erase_if(instances_, [&](const auto& entry) { return kept.count(entry.first) == 0; });
}

void ServiceTable::Fill(const ServiceSelection& selection, Snapshot& snapshot) const {
  std::map<ServiceKey, MergedInstance> merged;
  for (const auto& [announcement, instance] : instances_) {
    MergedInstance& entry = merged[announcement.key];
    if (entry.first == nullptr) entry.first = &instance;
    for (const IpAddress& ip : instance.addresses) {
      if (std::find(entry.addresses.begin(), entry.addresses.end(), ip) == entry.addresses.end()) {
        entry.addresses.push_back(ip);
      }
    }
  }
  for (const auto& [key, entry] : merged) {
    const ServiceTxt txt = ReadServiceTxt(entry.first->txt);
    for (const std::string& refused : txt.refused) {
      snapshot.issues.push_back({key.name, key.type + " TXT", refused});
    }
    if (!selection.apps.empty() &&
        std::find(selection.apps.begin(), selection.apps.end(), txt.app) == selection.apps.end()) {
      continue;
    }
    if (entry.addresses.empty()) continue;
    snapshot.observations.push_back(ToObservation(*entry.first, txt, entry.addresses));
  }
}

}  // namespace peerscout::mdns
