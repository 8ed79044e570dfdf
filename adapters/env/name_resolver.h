// Turning a host name into addresses. The source takes any resolver, so the observation
// building around it is tested without DNS; the real one is getaddrinfo.
#pragma once

#include <functional>
#include <vector>

#include "sidecar/net/endpoint.h"
#include "sidecar/net/parsed.h"

namespace peerscout::env {

using NameResolver = std::function<Parsed<std::vector<IpAddress>>(const HostName& name)>;

// getaddrinfo through the system's NSS (hosts file, DNS, Docker's embedded resolver), honoring
// the name's family (/dns4, /dns6). Addresses come back sorted and without duplicates.
Parsed<std::vector<IpAddress>> ResolveWithSystem(const HostName& name);

}  // namespace peerscout::env
