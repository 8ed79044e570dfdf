// Output formats: pure functions from a peer set to bytes. A new format is a new entry here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sidecar/core/peer.h"

namespace peerscout {

struct RenderOptions {
  // List formats (multiaddr, lines): what goes between entries. Empty: the format's default.
  std::string separator;
  // env format: variable name and the list format of its value.
  std::vector<std::pair<std::string, std::string>> env_vars;
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
std::string RenderLines(const PeerSet& peers, const RenderOptions& options);
std::string RenderEnv(const PeerSet& peers, const RenderOptions& options);
std::string RenderHosts(const PeerSet& peers, const RenderOptions& options);
std::string RenderFileSd(const PeerSet& peers, const RenderOptions& options);

}  // namespace peerscout
