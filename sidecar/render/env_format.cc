#include <algorithm>

#include "sidecar/render/format.h"
#include "sidecar/render/shell_quote.h"

namespace peerscout {

std::string RenderEnv(const PeerSet& peers, const RenderOptions& options) {
  std::string text = "# peerscout peer list, version " + std::to_string(peers.version) + "\n";
  text += "PEERSCOUT_VERSION=" + std::to_string(peers.version) + "\n";
  text += "PEERSCOUT_PEER_COUNT=" + std::to_string(peers.peers.size()) + "\n";
  // PEERSCOUT_PEERS always, unless configured otherwise; the configured variables add to it.
  std::vector<EnvVariable> vars = options.env_vars;
  const bool named = std::any_of(vars.begin(), vars.end(),
                                 [](const auto& var) { return var.name == "PEERSCOUT_PEERS"; });
  if (!named) vars.insert(vars.begin(), {"PEERSCOUT_PEERS", "multiaddr"});
  RenderOptions list_options;
  list_options.separator = ",";
  for (const EnvVariable& var : vars) {
    const Format* format = FindFormat(var.format);
    // Config validation refuses both; a bad pair here is skipped rather than half-written.
    if (format == nullptr || !format->is_list || !IsEnvVarName(var.name)) continue;
    PeerFilter filter;
    filter.families = var.families;
    const std::string value = filter.empty()
                                  ? format->render(peers, list_options)
                                  : format->render(FilterPeers(peers, filter), list_options);
    text += var.name + "=" + ShellQuote(value) + "\n";
  }
  return text;
}

}  // namespace peerscout
