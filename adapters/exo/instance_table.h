// The exo instances behind the addresses other sources report: which to probe when, which
// answered (live, with zid and port), which stay silent. Pure: time and nonces are arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "adapters/exo/discovery_message.h"
#include "sidecar/core/observation.h"
#include "sidecar/core/probe_rate.h"
#include "sidecar/net/ip_address.h"

namespace peerscout::exo {

struct ProbeCadence {
  std::chrono::nanoseconds interval = std::chrono::seconds(5);  // between probes of one address
  std::chrono::nanoseconds answer_timeout = std::chrono::seconds(2);
  uint32_t per_second = 50;  // probes sent, all addresses together
  uint32_t misses_to_silent = 2;
};

struct ExoInstance {
  IpAddress address;
  ZenohId zid;
  uint16_t port = 0;
  Clock::time_point since;                 // its first answer since it was last silent or changed
  std::chrono::nanoseconds round_trip{0};  // of that answer
};

struct Probe {
  IpAddress address;
  Nonce nonce;
};

class InstanceTable {
 public:
  explicit InstanceTable(ProbeCadence cadence) : cadence_(cadence), rate_(cadence.per_second) {}

  // The addresses worth probing now; ones no longer among them are forgotten, new ones are
  // probed at the next call to Due.
  void SetCandidates(const std::vector<IpAddress>& candidates);
  // The probes to send now, as many as the rate allows; each nonce is made by `next_nonce`.
  template <typename NonceMaker>
  std::vector<Probe> Due(Clock::time_point now, NonceMaker&& next_nonce);
  // A WhatsUp from `source`; true when it answers our probe of that very address.
  bool Answer(const IpAddress& source, const WhatsUp& whats_up, Clock::time_point now);
  // Probes unanswered past the timeout count as misses.
  void Expire(Clock::time_point now);

  std::vector<ExoInstance> Live() const;
  size_t candidates() const { return entries_.size(); }
  size_t silent() const;
  // When Due or Expire next has work; nullopt: nothing to wait for.
  std::optional<Clock::time_point> NextDeadline() const;

 private:
  struct Entry {
    std::optional<Clock::time_point> next_probe;  // empty: at once
    std::optional<Nonce> outstanding;
    Clock::time_point sent;
    uint32_t misses = 0;
    bool answered_ever = false;
    std::optional<ExoInstance> live;
  };
  std::vector<IpAddress> DueAddresses(Clock::time_point now) const;

  ProbeCadence cadence_;
  ProbeRate rate_;
  std::map<IpAddress, Entry> entries_;
};

template <typename NonceMaker>
std::vector<Probe> InstanceTable::Due(Clock::time_point now, NonceMaker&& next_nonce) {
  std::vector<Probe> probes;
  for (const IpAddress& address : DueAddresses(now)) {
    if (!rate_.Take(now)) break;
    Entry& entry = entries_.at(address);
    const Nonce nonce = next_nonce();
    entry.outstanding = nonce;
    entry.sent = now;
    entry.next_probe = now + cadence_.interval;
    probes.push_back({address, nonce});
  }
  return probes;
}

}  // namespace peerscout::exo
