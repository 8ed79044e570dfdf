// Our own mDNS sockets beside avahi-daemon or mDNSResponder: UDP 5353 shared with
// SO_REUSEADDR and SO_REUSEPORT, joined to 224.0.0.251 (IPv4) or ff02::fb (IPv6) on each LAN
// interface. They hear responses from any source port, which avahi-daemon drops, so libp2p
// peers reach us.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/net/ip_address.h"

namespace peerscout::mdns {

struct MulticastInterface {
  std::string name;
  unsigned index = 0;
  std::optional<IpAddress> v4;  // its first IPv4 address: where IPv4 queries leave from
  bool v6 = false;              // it has an IPv6 address
  bool operator==(const MulticastInterface&) const = default;
};

// Up, multicast-capable interfaces with an address, loopback excluded; only those named in
// `only` when it is not empty.
std::vector<MulticastInterface> ListMulticastInterfaces(const std::vector<std::string>& only);

struct Datagram {
  std::vector<uint8_t> bytes;
  IpAddress source;
  uint16_t source_port = 0;
  unsigned interface = 0;  // where it arrived
};

class MulticastSocket {
 public:
  static constexpr uint16_t kPort = 5353;

  static ErrorOr<MulticastSocket> Open(IpAddress::Family family);
  MulticastSocket(MulticastSocket&& other) noexcept
      : fd_(other.fd_), family_(other.family_), joined_(std::move(other.joined_)) {
    other.fd_ = -1;
  }
  MulticastSocket& operator=(MulticastSocket&&) = delete;
  MulticastSocket(const MulticastSocket&) = delete;
  MulticastSocket& operator=(const MulticastSocket&) = delete;
  ~MulticastSocket();

  int fd() const { return fd_; }
  IpAddress::Family family() const { return family_; }
  // Joins the group on each interface of our family not joined yet and leaves those gone;
  // the reason for each that failed.
  std::vector<std::string> Track(const std::vector<MulticastInterface>& interfaces);
  const std::vector<MulticastInterface>& joined() const { return joined_; }
  // Multicasts one packet on every joined interface; the reason for each that failed.
  std::vector<std::string> SendToGroup(std::span<const uint8_t> packet);
  // One waiting datagram, if any (the socket is non-blocking). Longer ones are cut and flagged
  // by an empty `bytes`.
  std::optional<Datagram> Receive();

 private:
  MulticastSocket(int fd, IpAddress::Family family) : fd_(fd), family_(family) {}
  bool Serves(const MulticastInterface& interface) const;
  bool Membership(const MulticastInterface& interface, bool join) const;
  bool SendOn(const MulticastInterface& interface, std::span<const uint8_t> packet) const;

  int fd_ = -1;
  IpAddress::Family family_;
  std::vector<MulticastInterface> joined_;
};

}  // namespace peerscout::mdns
