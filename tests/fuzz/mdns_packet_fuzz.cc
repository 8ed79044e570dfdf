// Fuzz target: one mDNS packet from anyone on the LAN, through everything that reads it: the
// libp2p parser (ldns underneath), then the same bytes cut into strings as a DNS-SD service
// that Avahi resolved (the SRV target, then its TXT) through the TXT reader and the service
// table that makes it an observation.
// Built for libFuzzer by tests/fuzz/run.sh; replayed over its corpus by peerscout_fuzz_replay.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "adapters/mdns/libp2p_message.h"
#include "adapters/mdns/service_table.h"
#include "adapters/mdns/service_txt.h"

namespace {

using namespace peerscout;

// Nothing from the TXT record reaches a name unchecked.
void CheckName(std::string_view name) {
  for (const char c : name) {
    if (c == '\n' || c == '"' || c == '$' || c == ' ') __builtin_trap();
  }
}

// The strings as one resolved service: the first is the SRV target, the rest its TXT.
void CheckService(const std::vector<std::string>& strings, const IpAddress& source) {
  if (strings.empty()) return;
  mdns::ServiceInstance instance;
  instance.key = {"fuzz", "_peerscout._tcp", "local"};
  instance.host = strings.front();
  instance.addresses = {source};
  instance.port = 4001;
  instance.txt.assign(strings.begin() + 1, strings.end());
  mdns::ServiceTable table;
  table.Resolved({1, 0, instance.key}, instance);
  Snapshot snapshot;
  table.Fill({}, snapshot);
  if (snapshot.observations.size() != 1) __builtin_trap();
  const Observation& observation = snapshot.observations.front();
  for (const char c : observation.identity.hostname) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) __builtin_trap();
  }
  CheckName(observation.identity.tailnet_node);
  // An announced service is an app instance: it always has a port, the SRV's or the TXT's.
  for (const Endpoint& endpoint : observation.addresses) {
    if (!endpoint.has_port() || endpoint.port == 0) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const IpAddress source = *IpAddress::Parse("192.0.2.1");
  ErrorOr<mdns::Libp2pMessage> message = mdns::ParseLibp2pMessage(std::span(data, size), source);
  if (message) {
    for (const mdns::Libp2pAnnouncement& peer : message->announcements) {
      for (const Endpoint& endpoint : peer.endpoints) {
        // Whatever the packet said: its source address, or one that can be dialed.
        const IpAddress* ip = endpoint.ip();
        if (ip == nullptr) __builtin_trap();
        if (*ip != source && (ip->is_unspecified() || ip->is_link_local() || ip->is_loopback())) {
          __builtin_trap();
        }
      }
    }
  }
  // The same bytes as DNS character-strings: a length byte, then that many bytes.
  std::vector<std::string> strings;
  for (size_t at = 0; at < size;) {
    const size_t length = std::min<size_t>(data[at], size - at - 1);
    strings.emplace_back(reinterpret_cast<const char*>(data + at + 1), length);
    at += length + 1;
  }
  const mdns::ServiceTxt txt = mdns::ReadServiceTxt(strings);
  CheckName(txt.app + txt.tailnet_node);
  CheckService(strings, source);
  return 0;
}
