// The source types this binary is built with: one line per adapter.
#include <array>

#include "adapters/env/env_source.h"
#include "adapters/exo/exo_source.h"
#include "adapters/headscale/headscale_source.h"
#include "adapters/mdns/mdns_source.h"
#include "adapters/tailscale/tailscale_source.h"
#include "sidecar/cli/commands.h"

namespace peerscout::cli {

SourceCatalog Catalog() {
  static const std::array kCatalog{env::Factory(), tailscale::Factory(), headscale::Factory(),
                                   mdns::Factory(), exo::Factory()};
  return kCatalog;
}

}  // namespace peerscout::cli
