#include "adapters/env/name_resolver.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace peerscout::env {

ErrorOr<std::vector<IpAddress>> ResolveWithSystem(const HostName& name) {
  addrinfo hints{};
  hints.ai_family = name.family == NameFamily::kV4   ? AF_INET
                    : name.family == NameFamily::kV6 ? AF_INET6
                                                     : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  const int status = getaddrinfo(name.name.ToString().c_str(), nullptr, &hints, &results);
  if (status != 0) {
    return ErrorOr<std::vector<IpAddress>>::Error(std::string("does not resolve: ") +
                                                  gai_strerror(status));
  }
  std::vector<IpAddress> addresses;
  for (const addrinfo* result = results; result != nullptr; result = result->ai_next) {
    if (result->ai_family == AF_INET) {
      std::array<uint8_t, 4> bytes;
      const auto* address = reinterpret_cast<const sockaddr_in*>(result->ai_addr);
      std::memcpy(bytes.data(), &address->sin_addr, 4);
      addresses.push_back(IpAddress::V4(bytes));
    } else if (result->ai_family == AF_INET6) {
      std::array<uint8_t, 16> bytes;
      const auto* address = reinterpret_cast<const sockaddr_in6*>(result->ai_addr);
      std::memcpy(bytes.data(), &address->sin6_addr, 16);
      addresses.push_back(IpAddress::V6(bytes));
    }
  }
  freeaddrinfo(results);
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  if (addresses.empty()) return ErrorOr<std::vector<IpAddress>>::Error("resolves to no address");
  return addresses;
}

}  // namespace peerscout::env
