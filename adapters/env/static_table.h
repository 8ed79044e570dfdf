// The env source's [[static]] table: peers written into the config, each with one or more
// addresses and an optional name. The config loader reads it through the factory's tables and
// refuses an entry this checks as bad, so check-config and a reload report it.
#pragma once

#include <string>
#include <vector>

#include "sidecar/config/config.h"
#include "sidecar/core/source.h"
#include "sidecar/option/option.h"

namespace peerscout::env {

// One [[static]] entry: a peer's addresses (multiaddr or host:port), with an optional name.
struct StaticPeer {
  std::vector<std::string> addresses;
  std::string name;
  std::string origin;  // "sidecar.toml:40"
};

const SourceTable& StaticTable();

// What is wrong with an entry, one whole line each ("sidecar.toml:40: [[static]] ...").
std::vector<std::string> CheckStaticEntry(const TableEntry& entry);

// The loaded config's [[static]] entries, in the order written.
std::vector<StaticPeer> StaticPeers(const Config& config);

}  // namespace peerscout::env
