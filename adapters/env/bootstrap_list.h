// Parsing EXO_BOOTSTRAP_PEERS-style lists: a pure function from text to entries and issues.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/snapshot.h"
#include "sidecar/net/multiaddr.h"

namespace peerscout::env {

// One peer as the list gives it: one or more addresses (a [[static]] entry may list several).
struct BootstrapEntry {
  std::vector<Multiaddr> addresses;
  std::string name;    // [[static]] name; empty for variables
  std::string origin;  // "EXO_BOOTSTRAP_PEERS entry 2", "sidecar.toml:40"
};

struct BootstrapList {
  std::vector<BootstrapEntry> entries;
  std::vector<SourceIssue> issues;
};

// A multiaddr (/ip4/…/tcp/…[/p2p/…]) or host:port / [v6]:port. Refusals say why.
ErrorOr<Multiaddr> ParseBootstrapAddress(std::string_view text);

// Splits on commas and any whitespace (exo splits on commas only and keeps the spaces, which
// makes it drop entries silently); every entry that does not parse becomes an issue.
void ParseBootstrapVariable(std::string_view variable, std::string_view value, BootstrapList& list);

}  // namespace peerscout::env
