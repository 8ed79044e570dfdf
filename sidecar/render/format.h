// Output formats: pure functions from a peer set to bytes. A new format is a new entry here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/peer.h"
#include "sidecar/render/peer_filter.h"

namespace peerscout {

// One variable of the env format: its name, the list format of its value, and the address
// families the app reading it can dial.
struct EnvVariable {
  std::string name;
  std::string format;
  AddressFamilies families = AddressFamilies::kAny;
  bool operator==(const EnvVariable&) const = default;
};

struct RenderOptions {
  // List formats (multiaddr, lines): what goes between entries. Empty: the format's default.
  std::string separator;
  // env format: the variables besides PEERSCOUT_PEERS (or instead of it, if named here).
  std::vector<EnvVariable> env_vars;
};

struct Format {
  std::string_view name;
  std::string_view content_type;
  std::string_view help;
  // A list format renders on one line when given a one-line separator, so it can be the value
  // of an environment variable.
  bool is_list;
  std::string (*render)(const PeerSet& peers, const RenderOptions& options);
};

std::span<const Format> Formats();
const Format* FindFormat(std::string_view name);
// "json, multiaddr, exo, …" for help texts and errors.
std::string FormatNames();

std::string RenderJson(const PeerSet& peers, const RenderOptions& options);
std::string RenderMultiaddr(const PeerSet& peers, const RenderOptions& options);
std::string RenderExo(const PeerSet& peers, const RenderOptions& options);
std::string RenderZenoh(const PeerSet& peers, const RenderOptions& options);
std::string RenderLines(const PeerSet& peers, const RenderOptions& options);
std::string RenderEnv(const PeerSet& peers, const RenderOptions& options);
std::string RenderHosts(const PeerSet& peers, const RenderOptions& options);
std::string RenderFileSd(const PeerSet& peers, const RenderOptions& options);

// The format writes RenderJson's bytes, which IncrementalJson writes for successive versions.
inline bool RendersJson(const Format& format) { return format.render == &RenderJson; }

}  // namespace peerscout
