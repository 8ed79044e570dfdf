#include "adapters/mdns/multicast_socket.h"

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

namespace peerscout::mdns {
namespace {

constexpr size_t kMaxDatagram = 9000;  // RFC 6762 §17: mDNS packets fit a jumbo frame
constexpr const char* kGroupV4 = "224.0.0.251";
constexpr const char* kGroupV6 = "ff02::fb";

in_addr GroupV4() {
  in_addr group{};
  inet_pton(AF_INET, kGroupV4, &group);
  return group;
}

in6_addr GroupV6() {
  in6_addr group{};
  inet_pton(AF_INET6, kGroupV6, &group);
  return group;
}

IpAddress FromInAddr(in_addr address) {
  std::array<uint8_t, 4> bytes{};
  std::memcpy(bytes.data(), &address, 4);
  return IpAddress::V4(bytes);
}

IpAddress FromIn6Addr(const in6_addr& address) {
  std::array<uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), &address, 16);
  return IpAddress::V6(bytes);
}

in_addr ToInAddr(const IpAddress& address) {
  in_addr out{};
  std::memcpy(&out, address.bytes(), 4);
  return out;
}

std::string Failure(std::string_view what, const std::string& interface) {
  return std::string(what) + " on " + interface + ": " + std::strerror(errno);
}

void Note(const ifaddrs& entry, std::vector<MulticastInterface>& interfaces) {
  const std::string name = entry.ifa_name;
  auto found = std::find_if(interfaces.begin(), interfaces.end(),
                            [&](const MulticastInterface& seen) { return seen.name == name; });
  if (found == interfaces.end()) {
    interfaces.push_back({name, if_nametoindex(entry.ifa_name), std::nullopt, false});
    found = interfaces.end() - 1;
  }
  if (entry.ifa_addr->sa_family == AF_INET && !found->v4) {
    found->v4 = FromInAddr(reinterpret_cast<const sockaddr_in*>(entry.ifa_addr)->sin_addr);
  } else if (entry.ifa_addr->sa_family == AF_INET6) {
    found->v6 = true;
  }
}

}  // namespace

std::vector<MulticastInterface> ListMulticastInterfaces(const std::vector<std::string>& only) {
  std::vector<MulticastInterface> interfaces;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return interfaces;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    const unsigned flags = entry->ifa_flags;
    if ((flags & IFF_UP) == 0 || (flags & IFF_MULTICAST) == 0 || (flags & IFF_LOOPBACK) != 0) {
      continue;
    }
    if (entry->ifa_addr == nullptr ||
        (entry->ifa_addr->sa_family != AF_INET && entry->ifa_addr->sa_family != AF_INET6)) {
      continue;
    }
    if (!only.empty() && std::find(only.begin(), only.end(), entry->ifa_name) == only.end()) {
      continue;
    }
    Note(*entry, interfaces);
  }
  freeifaddrs(list);
  std::sort(interfaces.begin(), interfaces.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  return interfaces;
}

ErrorOr<MulticastSocket> MulticastSocket::Open(IpAddress::Family family) {
  using Result = ErrorOr<MulticastSocket>;
  const bool v6 = family == IpAddress::Family::kV6;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Result::Error(std::string("socket: ") + std::strerror(errno));
  MulticastSocket result(fd, family);
  const int on = 1;
  const int hops = 255;  // RFC 6762 §11: receivers may drop anything less
  const unsigned char ttl = 255;
  const unsigned char loop = 1;  // a local app must hear our query to tell us its id
  bool ok = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0;
  if (v6) {
    ok = ok && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) == 0 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) == 0 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) == 0 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &on, sizeof on) == 0;
  } else {
    ok = ok && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == 0 &&
         setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) == 0 &&
         setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) == 0;
  }
  if (!ok) return Result::Error(std::string("setsockopt: ") + std::strerror(errno));
  sockaddr_storage any{};
  socklen_t size = 0;
  if (v6) {
    auto& any6 = reinterpret_cast<sockaddr_in6&>(any);
    any6.sin6_family = AF_INET6;
    any6.sin6_port = htons(kPort);
    any6.sin6_addr = in6addr_any;
    size = sizeof any6;
  } else {
    auto& any4 = reinterpret_cast<sockaddr_in&>(any);
    any4.sin_family = AF_INET;
    any4.sin_port = htons(kPort);
    any4.sin_addr.s_addr = htonl(INADDR_ANY);
    size = sizeof any4;
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&any), size) != 0) {
    return Result::Error(std::string("bind ") + (v6 ? "[::]" : "0.0.0.0") +
                         ":5353: " + std::strerror(errno) +
                         " (is another mDNS responder holding it without SO_REUSEADDR?)");
  }
  return result;
}

MulticastSocket::~MulticastSocket() {
  if (fd_ >= 0) close(fd_);
}

bool MulticastSocket::Serves(const MulticastInterface& interface) const {
  return family_ == IpAddress::Family::kV6 ? interface.v6 : interface.v4.has_value();
}

bool MulticastSocket::Membership(const MulticastInterface& interface, bool join) const {
  if (family_ == IpAddress::Family::kV6) {
    ipv6_mreq request{};
    request.ipv6mr_multiaddr = GroupV6();
    request.ipv6mr_interface = interface.index;
    return setsockopt(fd_, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &request,
                      sizeof request) == 0 ||
           (join && errno == EADDRINUSE);
  }
  ip_mreqn request{};
  request.imr_multiaddr = GroupV4();
  request.imr_address = ToInAddr(*interface.v4);
  request.imr_ifindex = static_cast<int>(interface.index);
  return setsockopt(fd_, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &request,
                    sizeof request) == 0 ||
         (join && errno == EADDRINUSE);
}

std::vector<std::string> MulticastSocket::Track(const std::vector<MulticastInterface>& interfaces) {
  std::vector<std::string> failures;
  for (const MulticastInterface& old : joined_) {
    if (std::find(interfaces.begin(), interfaces.end(), old) == interfaces.end()) {
      Membership(old, false);  // it may be gone already: nothing to undo
    }
  }
  std::vector<MulticastInterface> joined;
  for (const MulticastInterface& interface : interfaces) {
    if (!Serves(interface)) continue;
    if (Membership(interface, true)) {
      joined.push_back(interface);
    } else {
      failures.push_back(
          Failure(family_ == IpAddress::Family::kV6 ? "joining ff02::fb" : "joining 224.0.0.251",
                  interface.name));
    }
  }
  joined_ = std::move(joined);
  return failures;
}

bool MulticastSocket::SendOn(const MulticastInterface& interface,
                             std::span<const uint8_t> packet) const {
  const auto sent = [&](const auto& group) {
    return sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&group),
                  sizeof group) == static_cast<ssize_t>(packet.size());
  };
  if (family_ == IpAddress::Family::kV6) {
    const unsigned index = interface.index;
    sockaddr_in6 group{};
    group.sin6_family = AF_INET6;
    group.sin6_port = htons(kPort);
    group.sin6_addr = GroupV6();
    group.sin6_scope_id = index;
    return setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index) == 0 &&
           sent(group);
  }
  ip_mreqn outgoing{};
  outgoing.imr_ifindex = static_cast<int>(interface.index);
  outgoing.imr_address = ToInAddr(*interface.v4);
  sockaddr_in group{};
  group.sin_family = AF_INET;
  group.sin_port = htons(kPort);
  group.sin_addr = GroupV4();
  return setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, &outgoing, sizeof outgoing) == 0 &&
         sent(group);
}

std::vector<std::string> MulticastSocket::SendToGroup(std::span<const uint8_t> packet) {
  std::vector<std::string> failures;
  for (const MulticastInterface& interface : joined_) {
    if (!SendOn(interface, packet)) failures.push_back(Failure("sending", interface.name));
  }
  return failures;
}

std::optional<Datagram> MulticastSocket::Receive() {
  Datagram datagram;
  datagram.bytes.resize(kMaxDatagram);
  sockaddr_storage from{};
  iovec data{datagram.bytes.data(), datagram.bytes.size()};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = control.size();
  const ssize_t size = recvmsg(fd_, &message, 0);
  if (size < 0) return std::nullopt;
  datagram.bytes.resize((message.msg_flags & MSG_TRUNC) != 0 ? 0 : static_cast<size_t>(size));
  if (from.ss_family == AF_INET6) {
    const auto& from6 = reinterpret_cast<const sockaddr_in6&>(from);
    datagram.source = FromIn6Addr(from6.sin6_addr);
    datagram.source_port = ntohs(from6.sin6_port);
  } else {
    const auto& from4 = reinterpret_cast<const sockaddr_in&>(from);
    datagram.source = FromInAddr(from4.sin_addr);
    datagram.source_port = ntohs(from4.sin_port);
  }
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(header), sizeof info);
      datagram.interface = static_cast<unsigned>(info.ipi_ifindex);
    } else if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(header), sizeof info);
      datagram.interface = info.ipi6_ifindex;
    }
  }
  return datagram;
}

}  // namespace peerscout::mdns
