// Our own addresses and subnets, read from the network interfaces.
#pragma once

#include "sidecar/core/address_rank.h"
#include "sidecar/core/self_identity.h"

namespace peerscout {

struct LocalNetwork {
  NetworkView view;   // subnets of up, non-loopback, non-tailnet interfaces
  SelfIdentity self;  // every address of every up interface, loopback included
  bool operator==(const LocalNetwork&) const = default;
};

LocalNetwork ReadLocalNetwork();

}  // namespace peerscout
