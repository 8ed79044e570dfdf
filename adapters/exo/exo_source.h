// The exo source: finds the exo instances behind the addresses other sources report, by
// asking each with exo's own discovery Hello, and introduces them to the exo on this host by
// answering its Hellos as they would (exo's link-local multicast crosses no tailnet).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <vector>

#include "adapters/exo/discovery_socket.h"
#include "adapters/exo/instance_table.h"
#include "adapters/exo/local_exo.h"
#include "sidecar/core/source.h"

namespace peerscout::exo {

struct ExoSourceOptions {
  std::string name = "exo";  // this source's, so that its own findings are not candidates
  uint16_t discovery_port = kDefaultDiscoveryPort;
  std::optional<Namespace> space;  // empty: learned from the local exo's Hellos
  ProbeCadence cadence;
  bool introduce = false;
  std::vector<std::string> interfaces;  // empty: every interface with IPv6
};

// The IPv6 addresses worth a probe: those other sources report for peers, never ours.
// `ipv4_only` counts peers that have none, which exo could not be handed.
std::vector<IpAddress> ProbeCandidates(const PeerSet& peers, const SelfIdentity& self,
                                       const std::string& own_source, size_t& ipv4_only);

// What the source tells the registry: each live instance as an app instance with its zid,
// the local exo as ourselves, and how the discovery looks.
Snapshot BuildSnapshot(const std::vector<ExoInstance>& live, const LocalExo& local,
                       const InstanceTable& table, Clock::time_point now);

class ExoSource : public Source {
 public:
  ExoSource(ExoSourceOptions options, PeersView peers, SelfView self)
      : options_(std::move(options)), peers_(std::move(peers)), self_(std::move(self)) {}
  void Run(std::stop_token stop, SnapshotSink& sink) override;

 private:
  struct Round;  // the sockets and state of one Run
  void TrackGroups(Round& round);
  void SendProbes(Round& round, Clock::time_point now);
  void OnGroupDatagram(Round& round, const Datagram& datagram, Clock::time_point now);
  void OnProbeDatagram(Round& round, const Datagram& datagram, Clock::time_point now);
  void Introduce(Round& round, const Hello& hello, const UdpAddress& to);
  void Report(Round& round, SnapshotSink& sink, Clock::time_point now);
  Nonce NextNonce();

  ExoSourceOptions options_;
  PeersView peers_;
  SelfView self_;
  std::mt19937_64 random_{std::random_device{}()};
};

const SourceFactory& Factory();

}  // namespace peerscout::exo
