// The exo on our own host, as its datagrams show it: its namespace (from the Hellos it
// multicasts), the latest Hello it sent, and its zid and port (from its answer to our probe).
// Pure: the caller says which datagrams came from one of our own addresses.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "adapters/exo/discovery_message.h"
#include "sidecar/core/observation.h"
#include "sidecar/net/ip_address.h"

namespace peerscout::exo {

// A UDP address; `scope` is the interface index a link-local address needs.
struct UdpAddress {
  IpAddress ip;
  uint16_t port = 0;
  uint32_t scope = 0;
  bool operator==(const UdpAddress&) const = default;
};

class LocalExo {
 public:
  // How long after its last Hello the local exo still counts as running: exo says Hello
  // every second.
  static constexpr auto kHelloGrace = std::chrono::seconds(5);

  explicit LocalExo(std::optional<Namespace> configured) : configured_(configured) {}

  // A Hello multicast from one of our own addresses. False when its namespace is not the
  // configured one (another exo on this host, or a stale setting).
  bool Heard(const Hello& hello, const UdpAddress& from, Clock::time_point now);
  // Its answer to our probe.
  void Answered(const WhatsUp& whats_up);

  // The namespace to probe with: configured, else learned; nullopt until one is known.
  std::optional<Namespace> space() const { return configured_ ? configured_ : learned_; }
  bool running(Clock::time_point now) const { return heard_ && now - *heard_ < kHelloGrace; }
  // The latest Hello heard and where it came from; nullopt when stale.
  std::optional<std::pair<Hello, UdpAddress>> LatestHello(Clock::time_point now) const;
  const std::optional<ZenohId>& zid() const { return zid_; }
  uint16_t port() const { return port_; }
  // For /v1/sources: "zid a1 on port 52414", "not heard", ...
  std::string Describe(Clock::time_point now) const;

 private:
  std::optional<Namespace> configured_;
  std::optional<Namespace> learned_;
  std::optional<Hello> hello_;
  UdpAddress from_{};
  std::optional<Clock::time_point> heard_;
  std::optional<ZenohId> zid_;
  uint16_t port_ = 0;
};

}  // namespace peerscout::exo
