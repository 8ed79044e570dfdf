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

in_addr Group() {
  in_addr group{};
  inet_pton(AF_INET, "224.0.0.251", &group);
  return group;
}

IpAddress FromInAddr(in_addr address) {
  std::array<uint8_t, 4> bytes{};
  std::memcpy(bytes.data(), &address, 4);
  return IpAddress::V4(bytes);
}

in_addr ToInAddr(const IpAddress& address) {
  in_addr out{};
  std::memcpy(&out, address.bytes(), 4);
  return out;
}

std::string Failure(std::string_view what, const std::string& interface) {
  return std::string(what) + " on " + interface + ": " + std::strerror(errno);
}

bool Membership(int fd, const MulticastInterface& interface, int option) {
  ip_mreqn request{};
  request.imr_multiaddr = Group();
  request.imr_address = ToInAddr(interface.address);
  request.imr_ifindex = static_cast<int>(interface.index);
  return setsockopt(fd, IPPROTO_IP, option, &request, sizeof request) == 0 ||
         (option == IP_ADD_MEMBERSHIP && errno == EADDRINUSE);
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
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    const std::string name = entry->ifa_name;
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    const bool known =
        std::any_of(interfaces.begin(), interfaces.end(),
                    [&](const MulticastInterface& seen) { return seen.name == name; });
    if (known) continue;
    const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
    interfaces.push_back({name, if_nametoindex(entry->ifa_name), FromInAddr(address->sin_addr)});
  }
  freeifaddrs(list);
  std::sort(interfaces.begin(), interfaces.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  return interfaces;
}

Parsed<MulticastSocket> MulticastSocket::Open() {
  using Result = Parsed<MulticastSocket>;
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Result::Error(std::string("socket: ") + std::strerror(errno));
  MulticastSocket result(fd);
  const int on = 1;
  const unsigned char ttl = 255;  // RFC 6762 §11: receivers may drop anything less
  const unsigned char loop = 1;   // a local app must hear our query to tell us its id
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0) {
    return Result::Error(std::string("setsockopt: ") + std::strerror(errno));
  }
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_port = htons(kPort);
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0) {
    return Result::Error("bind 0.0.0.0:5353: " + std::string(std::strerror(errno)) +
                         " (is another mDNS responder holding it without SO_REUSEPORT?)");
  }
  return result;
}

MulticastSocket::~MulticastSocket() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> MulticastSocket::Track(const std::vector<MulticastInterface>& interfaces) {
  std::vector<std::string> failures;
  for (const MulticastInterface& old : joined_) {
    if (std::find(interfaces.begin(), interfaces.end(), old) == interfaces.end()) {
      Membership(fd_, old, IP_DROP_MEMBERSHIP);  // it may be gone already: nothing to undo
    }
  }
  std::vector<MulticastInterface> joined;
  for (const MulticastInterface& interface : interfaces) {
    if (Membership(fd_, interface, IP_ADD_MEMBERSHIP)) {
      joined.push_back(interface);
    } else {
      failures.push_back(Failure("joining 224.0.0.251", interface.name));
    }
  }
  joined_ = std::move(joined);
  return failures;
}

std::vector<std::string> MulticastSocket::SendToGroup(std::span<const uint8_t> packet) {
  std::vector<std::string> failures;
  sockaddr_in group{};
  group.sin_family = AF_INET;
  group.sin_port = htons(kPort);
  group.sin_addr = Group();
  for (const MulticastInterface& interface : joined_) {
    ip_mreqn outgoing{};
    outgoing.imr_ifindex = static_cast<int>(interface.index);
    outgoing.imr_address = ToInAddr(interface.address);
    const bool sent =
        setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, &outgoing, sizeof outgoing) == 0 &&
        sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&group),
               sizeof group) == static_cast<ssize_t>(packet.size());
    if (!sent) failures.push_back(Failure("sending", interface.name));
  }
  return failures;
}

std::optional<Datagram> MulticastSocket::Receive() {
  Datagram datagram;
  datagram.bytes.resize(kMaxDatagram);
  sockaddr_in from{};
  iovec data{datagram.bytes.data(), datagram.bytes.size()};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
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
  datagram.source = FromInAddr(from.sin_addr);
  datagram.source_port = ntohs(from.sin_port);
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(header), sizeof info);
      datagram.interface = static_cast<unsigned>(info.ipi_ifindex);
    }
  }
  return datagram;
}

}  // namespace peerscout::mdns
