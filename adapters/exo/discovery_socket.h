// The sockets of the exo source: one per interface that hears exo's multicast Hellos (bound
// to the group, so exo's own unicast traffic never reaches us), one that probes, and the
// short-lived ones an introduction is sent from.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "adapters/exo/local_exo.h"
#include "sidecar/base/error_or.h"

namespace peerscout::exo {

struct Datagram {
  std::vector<uint8_t> bytes;  // a longer one is cut to kMaxDatagram
  UdpAddress from;
};

class UdpSocket {
 public:
  static constexpr size_t kMaxDatagram = 64;  // anything longer is neither message

  // [::]:0, for probes and their answers.
  static ErrorOr<UdpSocket> OpenProbe();
  // exo's group on one interface, bound to [ff12::e0a1:de89%interface]:port beside exo's own
  // socket (SO_REUSEADDR), and joined there.
  static ErrorOr<UdpSocket> OpenGroup(uint16_t port, uint32_t interface);

  UdpSocket(UdpSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  // One waiting datagram, if any (non-blocking).
  std::optional<Datagram> Receive() const;
  // Empty on success, else the reason.
  std::string SendTo(const UdpAddress& to, std::span<const uint8_t> bytes) const;

 private:
  explicit UdpSocket(int fd) : fd_(fd) {}
  int fd_ = -1;
};

struct Interface {
  std::string name;
  uint32_t index = 0;
};
// Up interfaces with an IPv6 address other than loopback, as exo chooses them; only those
// named in `only` when it is not empty.
std::vector<Interface> ListIpv6Interfaces(const std::vector<std::string>& only);

// Whether `address` is one of this host's own (the kernel lets us bind it).
bool IsOwnAddress(const UdpAddress& address);

// Sends `bytes` from `from`, an address that is not ours (IPV6_FREEBIND), to `to`, and only
// when `to` is one of our own addresses: such a datagram never leaves this host. Empty on
// success, else the reason with what to change.
std::string SendAsPeer(const IpAddress& from, const UdpAddress& to, std::span<const uint8_t> bytes);

}  // namespace peerscout::exo
