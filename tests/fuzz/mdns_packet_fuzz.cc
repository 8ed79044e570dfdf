// Fuzz target: one mDNS packet from anyone on the LAN, through everything that reads it: the
// libp2p parser (ldns underneath), then the TXT reader on the same bytes cut into strings.
// Built for libFuzzer by tests/fuzz/run.sh; replayed over its corpus by peerscout_fuzz_replay.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "adapters/mdns/libp2p_message.h"
#include "adapters/mdns/service_txt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace peerscout;
  const IpAddress source = *IpAddress::Parse("192.0.2.1");
  Parsed<mdns::Libp2pMessage> message = mdns::ParseLibp2pMessage(std::span(data, size), source);
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
  for (const char c : txt.app + txt.tailnet_node) {
    if (c == '\n' || c == '"' || c == '$' || c == ' ') __builtin_trap();
  }
  return 0;
}
