#include "sidecar/render/format.h"

#include <array>

namespace peerscout {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kText = "text/plain; charset=utf-8";

constexpr std::array kFormats{
    Format{"json", kJson, "everything: version, peers, addresses, sources, state", false,
           RenderJson},
    Format{"multiaddr", kText,
           "every address with a port as a multiaddr (/p2p/<id> when known), newline-separated",
           true, RenderMultiaddr},
    Format{"exo", kText,
           "what exo v1.0.69-71 accepts in EXO_BOOTSTRAP_PEERS: the best /ip4/<ip>/tcp/<port>"
           "[/p2p/<id>] of each peer, comma-separated",
           true, RenderExo},
    Format{"zenoh", kText,
           "zenoh endpoints for exo's EXO_ZENOH_CONNECT: the best tcp/<ip>:<port> of each peer "
           "(IPv6 in brackets), comma-separated",
           true, RenderZenoh},
    Format{"lines", kText, "the best host:port of each peer, one per line", true, RenderLines},
    Format{"env", kText, "shell-safe KEY=value lines (PEERSCOUT_PEERS, counts, configured vars)",
           false, RenderEnv},
    Format{"hosts", kText, "/etc/hosts lines: each peer address with the peer's names", false,
           RenderHosts},
    Format{"file_sd", kJson, "Prometheus file_sd/http_sd JSON: one target group per peer", false,
           RenderFileSd},
};

}  // namespace

std::span<const Format> Formats() { return kFormats; }

const Format* FindFormat(std::string_view name) {
  for (const Format& format : kFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

std::string FormatNames() {
  std::string names;
  for (const Format& format : kFormats) {
    if (!names.empty()) names += ", ";
    names += format.name;
  }
  return names;
}

}  // namespace peerscout
