#include "adapters/exo/discovery_socket.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78  // linux/in6.h; glibc's headers may lack it
#endif

namespace peerscout::exo {
namespace {

// exo's group: transient, link-local scope.
constexpr std::array<uint8_t, 16> kGroup{0xff, 0x12, 0, 0, 0,    0,    0,    0,
                                         0,    0,    0, 0, 0xe0, 0xa1, 0xde, 0x89};

sockaddr_in6 ToSockaddr(const IpAddress& ip, uint16_t port, uint32_t scope) {
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(port);
  address.sin6_scope_id = scope;
  std::memcpy(&address.sin6_addr, ip.bytes(), 16);
  return address;
}

// IPv4 as ::ffff:a.b.c.d, so one IPv6 socket reaches both.
IpAddress AsV6(const IpAddress& ip) {
  if (ip.is_v6()) return ip;
  std::array<uint8_t, 16> bytes{};
  bytes[10] = bytes[11] = 0xff;
  std::memcpy(bytes.data() + 12, ip.bytes(), 4);
  return IpAddress::V6(bytes);
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

int NewSocket() { return ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0); }

}  // namespace

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

ErrorOr<UdpSocket> UdpSocket::OpenProbe() {
  const int fd = NewSocket();
  if (fd < 0) return ErrorOr<UdpSocket>::Error(Errno("socket"));
  UdpSocket socket(fd);
  const int off = 0;
  ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  const sockaddr_in6 any = ToSockaddr(IpAddress::V6({}), 0, 0);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof(any)) != 0) {
    return ErrorOr<UdpSocket>::Error(Errno("bind [::]:0"));
  }
  return socket;
}

ErrorOr<UdpSocket> UdpSocket::OpenGroup(uint16_t port, uint32_t interface) {
  const int fd = NewSocket();
  if (fd < 0) return ErrorOr<UdpSocket>::Error(Errno("socket"));
  UdpSocket socket(fd);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  const IpAddress group = IpAddress::V6(kGroup);
  const sockaddr_in6 bound = ToSockaddr(group, port, interface);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&bound), sizeof(bound)) != 0) {
    return ErrorOr<UdpSocket>::Error(Errno("bind [ff12::e0a1:de89]:" + std::to_string(port)));
  }
  ipv6_mreq request{};
  std::memcpy(&request.ipv6mr_multiaddr, kGroup.data(), 16);
  request.ipv6mr_interface = interface;
  if (::setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request, sizeof(request)) != 0) {
    return ErrorOr<UdpSocket>::Error(Errno("join ff12::e0a1:de89"));
  }
  return socket;
}

std::optional<Datagram> UdpSocket::Receive() const {
  Datagram datagram;
  datagram.bytes.resize(kMaxDatagram);
  sockaddr_in6 from{};
  socklen_t from_size = sizeof(from);
  const ssize_t got = ::recvfrom(fd_, datagram.bytes.data(), datagram.bytes.size(), MSG_TRUNC,
                                 reinterpret_cast<sockaddr*>(&from), &from_size);
  if (got < 0 || from.sin6_family != AF_INET6) return std::nullopt;
  datagram.bytes.resize(std::min(static_cast<size_t>(got), kMaxDatagram));
  std::array<uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), &from.sin6_addr, 16);
  const IpAddress ip = IpAddress::V6(bytes);
  // A mapped IPv4 source is shown as the IPv4 address it is.
  const bool mapped =
      std::all_of(bytes.begin(), bytes.begin() + 10, [](uint8_t b) { return b == 0; }) &&
      bytes[10] == 0xff && bytes[11] == 0xff;
  datagram.from.ip = mapped ? IpAddress::V4({bytes[12], bytes[13], bytes[14], bytes[15]}) : ip;
  datagram.from.port = ntohs(from.sin6_port);
  datagram.from.scope = from.sin6_scope_id;
  return datagram;
}

std::string UdpSocket::SendTo(const UdpAddress& to, std::span<const uint8_t> bytes) const {
  const sockaddr_in6 address = ToSockaddr(AsV6(to.ip), to.port, to.scope);
  if (::sendto(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL,
               reinterpret_cast<const sockaddr*>(&address), sizeof(address)) < 0) {
    return Errno("send to " + to.ip.ToString());
  }
  return "";
}

std::vector<Interface> ListIpv6Interfaces(const std::vector<std::string>& only) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  std::vector<Interface> interfaces;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET6) continue;
    if ((entry->ifa_flags & IFF_UP) == 0 || (entry->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const std::string name = entry->ifa_name;
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    const uint32_t index = ::if_nametoindex(entry->ifa_name);
    const bool known = std::any_of(interfaces.begin(), interfaces.end(),
                                   [&](const Interface& i) { return i.index == index; });
    if (index != 0 && !known) interfaces.push_back({name, index});
  }
  ::freeifaddrs(list);
  return interfaces;
}

bool IsOwnAddress(const UdpAddress& address) {
  const int fd = NewSocket();
  if (fd < 0) return false;
  const sockaddr_in6 bound = ToSockaddr(AsV6(address.ip), 0, address.scope);
  const bool own = ::bind(fd, reinterpret_cast<const sockaddr*>(&bound), sizeof(bound)) == 0;
  ::close(fd);
  return own;
}

std::string SendAsPeer(const IpAddress& from, const UdpAddress& to,
                       std::span<const uint8_t> bytes) {
  if (!IsOwnAddress(to)) return to.ip.ToString() + " is not an address of this host";
  const int fd = NewSocket();
  if (fd < 0) return Errno("socket");
  const int on = 1;
  std::string error;
  if (::setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof(on)) != 0) {
    error = Errno("IPV6_FREEBIND") +
            " (Linux 4.15 or later has it; else set net.ipv6.ip_nonlocal_bind=1)";
  } else {
    const sockaddr_in6 source = ToSockaddr(from, 0, 0);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof(source)) != 0) {
      error = Errno("bind " + from.ToString() + " with IPV6_FREEBIND") +
              " (set net.ipv6.ip_nonlocal_bind=1, or introduce = false)";
    } else {
      const sockaddr_in6 target = ToSockaddr(to.ip, to.port, to.scope);
      if (::sendto(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr*>(&target), sizeof(target)) < 0) {
        error = Errno("send as " + from.ToString() + " to the local exo");
      }
    }
  }
  ::close(fd);
  return error;
}

}  // namespace peerscout::exo
