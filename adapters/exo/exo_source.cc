#include "adapters/exo/exo_source.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "sidecar/system/stop_event.h"

namespace peerscout::exo {
namespace {

using namespace std::chrono_literals;

constexpr auto kInterfaceRefresh = 5s;
constexpr auto kCandidateRefresh = 1s;
constexpr auto kCounterPublish = 1s;
constexpr auto kRetryOpen = 5s;
// The local exo is asked for its zid at once, again each second until it answers, then at
// the probe interval (a restarted exo has a new zid).
constexpr auto kLocalProbeUntilKnown = 1s;
// Datagrams read from one socket before the loop looks at its timers again: a flood delays
// probes and introductions by one batch at most.
constexpr int kBatch = 256;

bool Probeable(const IpAddress& ip) {
  return ip.is_v6() && !ip.is_link_local() && !ip.is_loopback() && !ip.is_multicast() &&
         !ip.is_unspecified();
}

bool ReportedByAnother(const PeerAddress& address, const std::string& own_source) {
  return std::any_of(address.sources.begin(), address.sources.end(),
                     [&](const std::string& source) { return source != own_source; });
}

// The datagram as a message of kind T, or nothing once it is counted: as malformed, or under
// `other` when it is the other kind. A longer datagram was cut to kMaxDatagram bytes, which no
// message has: judged like exo's own short read, magic first.
template <typename T>
std::optional<T> Expect(const Datagram& datagram, std::map<std::string, uint64_t>& counters,
                        const char* other) {
  const Message message = Decode(datagram.bytes);
  if (const auto* malformed = std::get_if<Malformed>(&message)) {
    ++counters["dropped_" + std::string(MalformedName(*malformed))];
    return std::nullopt;
  }
  if (const auto* expected = std::get_if<T>(&message)) return *expected;
  ++counters[other];
  return std::nullopt;
}

}  // namespace

std::vector<IpAddress> ProbeCandidates(const PeerSet& peers, const SelfIdentity& self,
                                       const std::string& own_source, size_t& ipv4_only) {
  std::vector<IpAddress> candidates;
  ipv4_only = 0;
  for (const Peer& peer : peers.peers) {
    bool any_v6 = false;
    bool any_v4 = false;
    for (const PeerAddress& address : peer.addresses) {
      const IpAddress* ip = address.endpoint.ip();
      if (ip == nullptr || !ReportedByAnother(address, own_source)) continue;
      any_v4 = any_v4 || ip->is_v4();
      if (!Probeable(*ip)) continue;
      any_v6 = true;
      const bool ours =
          std::find(self.addresses.begin(), self.addresses.end(), *ip) != self.addresses.end();
      if (!ours) candidates.push_back(*ip);
    }
    if (any_v4 && !any_v6) ++ipv4_only;
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  return candidates;
}

Snapshot BuildSnapshot(const std::vector<ExoInstance>& live, const LocalExo& local,
                       const InstanceTable& table, Clock::time_point now) {
  Snapshot snapshot;
  for (const ExoInstance& instance : live) {
    if (local.zid() && instance.zid == *local.zid()) continue;  // ourselves by another road
    Observation observation;
    observation.identity.zenoh_id = instance.zid;
    observation.addresses.push_back({instance.address, instance.port, Transport::kTcp});
    // No last_seen: each answer would make a new version of the list for every reader.
    observation.online = true;
    observation.reached =
        Reachability{true, instance.since,
                     std::chrono::duration_cast<std::chrono::microseconds>(instance.round_trip),
                     ProbeKind::kExoDiscovery};
    snapshot.observations.push_back(std::move(observation));
  }
  if (local.zid()) {
    snapshot.self.zenoh_ids.push_back(*local.zid());
    snapshot.self.app_ports.push_back(local.port());
  }
  const auto space = local.space();
  snapshot.details["namespace"] =
      space ? NamespaceText(*space) : "unknown: no local exo heard and none configured";
  snapshot.details["local_exo"] = local.Describe(now);
  snapshot.details["candidates"] = std::to_string(table.candidates());
  snapshot.details["live"] = std::to_string(live.size());
  snapshot.details["silent"] = std::to_string(table.silent());
  return snapshot;
}

struct ExoSource::Round {
  explicit Round(const ExoSourceOptions& options) : local(options.space), table(options.cadence) {}
  std::optional<UdpSocket> probe;
  std::map<uint32_t, UdpSocket> groups;  // by interface index
  std::string listening;                 // for /v1/sources
  LocalExo local;
  InstanceTable table;
  std::optional<Nonce> local_nonce;
  Clock::time_point local_probe_at{};
  size_t ipv4_only = 0;
  std::string introduce_error;
  std::map<std::string, uint64_t> counters;
  bool counters_dirty = false;
  std::optional<Snapshot> published;
  Clock::time_point counters_at{};
};

Nonce ExoSource::NextNonce() {
  Nonce nonce{};
  const uint64_t bits = random_();
  for (size_t i = 0; i < nonce.size(); ++i) nonce[i] = static_cast<uint8_t>(bits >> (8 * i));
  return nonce;
}

void ExoSource::TrackGroups(Round& round) {
  const std::vector<Interface> interfaces = ListIpv6Interfaces(options_.interfaces);
  std::map<uint32_t, UdpSocket> kept;
  round.listening.clear();
  for (const Interface& interface : interfaces) {
    auto found = round.groups.find(interface.index);
    if (found != round.groups.end()) {
      kept.emplace(interface.index, std::move(found->second));
    } else {
      auto opened = UdpSocket::OpenGroup(options_.discovery_port, interface.index);
      if (!opened) {
        spdlog::warn("exo: {}: {}", interface.name, opened.error());
        continue;
      }
      kept.emplace(interface.index, std::move(opened).value());
    }
    round.listening += (round.listening.empty() ? "" : ", ") + interface.name;
  }
  round.groups = std::move(kept);
}

void ExoSource::SendProbes(Round& round, Clock::time_point now) {
  const auto space = round.local.space();
  if (!space) return;
  if (now >= round.local_probe_at) {
    round.local_nonce = NextNonce();
    const auto hello = Encode(Hello{*round.local_nonce, *space});
    const UdpAddress local{*IpAddress::Parse("::1"), options_.discovery_port, 0};
    if (!round.probe->SendTo(local, hello).empty()) {
      ++round.counters["probe_errors"];
      round.counters_dirty = true;
    }
    round.local_probe_at =
        now + (round.local.zid() ? options_.cadence.interval
                                 : std::chrono::nanoseconds(kLocalProbeUntilKnown));
  }
  for (const Probe& probe : round.table.Due(now, [this] { return NextNonce(); })) {
    const auto hello = Encode(Hello{probe.nonce, *space});
    const std::string error =
        round.probe->SendTo({probe.address, options_.discovery_port, 0}, hello);
    ++round.counters[error.empty() ? "probes_sent" : "probe_errors"];
    round.counters_dirty = true;
    if (!error.empty()) spdlog::debug("exo: probe: {}", error);
  }
}

void ExoSource::OnGroupDatagram(Round& round, const Datagram& datagram, Clock::time_point now) {
  round.counters_dirty = true;
  const auto hello = Expect<Hello>(datagram, round.counters, "dropped_whatsup_on_group");
  if (!hello) return;
  // Hellos from other hosts are exo's own business on a shared link.
  if (!IsOwnAddress(datagram.from)) {
    ++round.counters["lan_hellos"];
    return;
  }
  if (!round.local.Heard(*hello, datagram.from, now)) {
    ++round.counters["dropped_other_namespace"];
    return;
  }
  if (options_.introduce) Introduce(round, *hello, datagram.from);
}

void ExoSource::OnProbeDatagram(Round& round, const Datagram& datagram, Clock::time_point now) {
  round.counters_dirty = true;
  const auto whats_up = Expect<WhatsUp>(datagram, round.counters, "dropped_hello_on_probe");
  if (!whats_up) return;
  if (round.local_nonce && whats_up->nonce == *round.local_nonce && IsOwnAddress(datagram.from)) {
    round.local.Answered(*whats_up);
    return;
  }
  // exo may send one answer several times; only the first matches an open probe.
  if (!round.table.Answer(datagram.from.ip, *whats_up, now)) {
    ++round.counters["dropped_unexpected_answer"];
    return;
  }
  ++round.counters["answers"];
}

// exo takes a peer from a WhatsUp that answers its latest Hello and comes from the peer's own
// address, so each live instance answers from its address: delivered on this host only.
void ExoSource::Introduce(Round& round, const Hello& hello, const UdpAddress& to) {
  std::string error;
  for (const ExoInstance& instance : round.table.Live()) {
    if (round.local.zid() && instance.zid == *round.local.zid()) continue;
    const auto bytes = Encode(WhatsUp{hello.nonce, instance.zid, instance.port});
    const std::string failed = SendAsPeer(instance.address, to, bytes);
    if (failed.empty()) {
      ++round.counters["introductions_sent"];
    } else if (error.empty()) {
      error = failed;
    }
  }
  if (error != round.introduce_error && !error.empty()) spdlog::warn("exo: introducing: {}", error);
  round.introduce_error = error;
}

void ExoSource::Report(Round& round, SnapshotSink& sink, Clock::time_point now) {
  if (!round.introduce_error.empty()) {
    if (round.counters_dirty)
      sink.Fail("exo: introducing peers to the local exo: " + round.introduce_error);
    round.counters_dirty = false;
    round.published.reset();
    return;
  }
  Snapshot snapshot = BuildSnapshot(round.table.Live(), round.local, round.table, now);
  snapshot.details["introduce"] = options_.introduce ? "on" : "off";
  snapshot.details["listening"] =
      round.listening.empty() ? "no interface with IPv6" : round.listening;
  snapshot.details["not_introducible"] = std::to_string(round.ipv4_only);
  const bool same = round.published && round.published->observations == snapshot.observations &&
                    round.published->self == snapshot.self &&
                    round.published->details == snapshot.details;
  if (same && (!round.counters_dirty || now < round.counters_at)) return;
  snapshot.counters = round.counters;
  round.published = snapshot;
  round.counters_dirty = false;
  round.counters_at = now + kCounterPublish;
  sink.Publish(std::move(snapshot));
}

void ExoSource::Run(std::stop_token stop, SnapshotSink& sink) {
  StopEvent wake(stop);
  Round round(options_);
  Clock::time_point interfaces_at{};
  Clock::time_point candidates_at{};
  while (!stop.stop_requested()) {
    if (!round.probe) {
      auto opened = UdpSocket::OpenProbe();
      if (!opened) {
        sink.Fail("exo: probe socket: " + opened.error());
        SleepUnlessStopped(kRetryOpen, stop);
        continue;
      }
      round.probe.emplace(std::move(opened).value());
    }
    const Clock::time_point now = Clock::now();
    if (now >= interfaces_at) {
      TrackGroups(round);
      interfaces_at = now + kInterfaceRefresh;
    }
    if (now >= candidates_at) {
      const auto peers = peers_();
      round.table.SetCandidates(ProbeCandidates(*peers, self_(), options_.name, round.ipv4_only));
      candidates_at = now + kCandidateRefresh;
    }
    round.table.Expire(now);
    SendProbes(round, now);
    Report(round, sink, now);

    Clock::time_point until = std::min({interfaces_at, candidates_at, now + kCounterPublish});
    if (auto deadline = round.table.NextDeadline()) until = std::min(until, *deadline);
    if (round.local.space()) until = std::min(until, round.local_probe_at);
    std::vector<pollfd> fds{{wake.fd(), POLLIN, 0}, {round.probe->fd(), POLLIN, 0}};
    for (const auto& [index, socket] : round.groups) fds.push_back({socket.fd(), POLLIN, 0});
    // A probe that is due has time_point::min() as its deadline: no subtraction from it.
    const Clock::time_point polled = Clock::now();
    const auto wait = until <= polled
                          ? std::chrono::milliseconds(0)
                          : std::chrono::duration_cast<std::chrono::milliseconds>(until - polled);
    ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<int64_t>(wait.count(), 1, 1000)));
    const Clock::time_point arrived = Clock::now();
    for (int i = 0; i < kBatch; ++i) {
      auto datagram = round.probe->Receive();
      if (!datagram) break;
      OnProbeDatagram(round, *datagram, arrived);
    }
    for (const auto& [index, socket] : round.groups) {
      for (int i = 0; i < kBatch; ++i) {
        auto datagram = socket.Receive();
        if (!datagram) break;
        OnGroupDatagram(round, *datagram, arrived);
      }
    }
  }
}

}  // namespace peerscout::exo
