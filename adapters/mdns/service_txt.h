// What a DNS-SD service's TXT record says about the app behind it: the keys peerscout
// advertises itself (peer_id, port, app, tailnet_node), read from anyone's announcement.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sidecar/net/peer_id.h"

namespace peerscout::mdns {

struct ServiceTxt {
  std::optional<PeerId> peer_id;
  std::optional<uint16_t> port;  // the app's port when it differs from the SRV port
  std::string app;               // the app's name: letters, digits, '.', '_', '-'
  std::string tailnet_node;      // the publisher's tailnet stable node id
  // "port: '99999' is not a port": one line per refused value; that key stays unset.
  std::vector<std::string> refused;
};

// Keys are case-insensitive and the first of a key counts (RFC 6763 §6.4); unknown keys are
// ignored. Values are checked against what each key may hold before anything keeps them.
ServiceTxt ReadServiceTxt(std::span<const std::string> strings);

// The strings of our own advertisement, each within the 255 bytes a TXT string can hold.
std::vector<std::string> WriteServiceTxt(const ServiceTxt& txt);

}  // namespace peerscout::mdns
