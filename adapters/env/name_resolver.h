// Turning a host name into addresses. The source takes any resolver, so the observation
// building around it is tested without DNS; the real one is getaddrinfo.
#pragma once

#include <functional>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/net/endpoint.h"

namespace peerscout::env {

using NameResolver = std::function<ErrorOr<std::vector<IpAddress>>(const HostName& name)>;

// getaddrinfo through the system's NSS (hosts file, DNS, Docker's embedded resolver), honoring
// the name's family (/dns4, /dns6). Addresses come back sorted and without duplicates.
ErrorOr<std::vector<IpAddress>> ResolveWithSystem(const HostName& name);

}  // namespace peerscout::env
