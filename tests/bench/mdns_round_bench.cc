// The mdns source's cost for N peers on the LAN, at 100 to 50k: each libp2p peer's response
// packet read by ldns (go-libp2p's captured answer, with each peer given its own id), heard into
// the peer table and turned into observations; and N DNS-SD services turned into observations.
// That is what one round of the source does for a LAN of that size (tests/bench/run.sh).
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "adapters/mdns/libp2p_message.h"
#include "adapters/mdns/libp2p_peer_table.h"
#include "adapters/mdns/service_table.h"
#include "sidecar/net/base_encoding.h"

namespace peerscout::mdns {
namespace {

const IpAddress kSender = *IpAddress::Parse("10.214.20.11");  // the capture's sender

const std::vector<uint8_t>& GoResponse() {
  static const std::vector<uint8_t> packet = [] {
    std::ifstream file(
        std::string(PEERSCOUT_SOURCE_DIR) + "/tests/fixtures/mdns/go-libp2p-response.bin",
        std::ios::binary);
    return std::vector<uint8_t>{std::istreambuf_iterator<char>(file),
                                std::istreambuf_iterator<char>()};
  }();
  return packet;
}

PeerId MakePeerId(int64_t n) {
  // An identity multihash like an Ed25519 libp2p id, distinct per n.
  std::vector<uint8_t> multihash{0x00, 36, 0x08, 0x01, 0x12, 0x20};
  for (int i = 0; i < 32; ++i) multihash.push_back(static_cast<uint8_t>(n >> (8 * (i % 4))));
  return *PeerId::Parse(EncodeBase58Btc(multihash));
}

IpAddress V4(int64_t n) {
  return IpAddress::V4(
      {10, static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
}

void BM_MdnsLibp2pRound(benchmark::State& state) {
  const int64_t peers = state.range(0);
  std::vector<PeerId> ids;
  for (int64_t n = 0; n < peers; ++n) ids.push_back(MakePeerId(n));
  const Clock::time_point now = Clock::now();
  size_t listed = 0;
  for (auto _ : state) {
    Libp2pPeerTable table(3, std::chrono::seconds(1));
    for (int64_t n = 0; n < peers; ++n) {
      auto message = ParseLibp2pMessage(GoResponse(), V4(n));
      Libp2pAnnouncement announcement = message->announcements.front();
      announcement.peer_id = ids[static_cast<size_t>(n)];
      table.Heard(announcement, now);
    }
    const std::vector<Observation> observations = table.Observations();
    listed = observations.size();
    benchmark::DoNotOptimize(observations);
  }
  state.counters["listed"] = static_cast<double>(listed);
  state.SetItemsProcessed(state.iterations() * peers);
}

void BM_MdnsServiceFill(benchmark::State& state) {
  const int64_t peers = state.range(0);
  ServiceTable table;
  for (int64_t n = 0; n < peers; ++n) {
    ServiceKey key{"exo node " + std::to_string(n), "_peerscout._tcp", "local"};
    ServiceInstance instance{key,
                             "lanhost" + std::to_string(n) + ".local",
                             {V4(n)},
                             52416,
                             {"app=exo", "peer_id=" + MakePeerId(n).ToString()}};
    table.Resolved(Announcement{2, 0, key}, std::move(instance));
  }
  size_t listed = 0;
  for (auto _ : state) {
    Snapshot snapshot;
    table.Fill({}, snapshot);
    listed = snapshot.observations.size();
    benchmark::DoNotOptimize(snapshot);
  }
  state.counters["listed"] = static_cast<double>(listed);
  state.SetItemsProcessed(state.iterations() * peers);
}

BENCHMARK(BM_MdnsLibp2pRound)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(50000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MdnsServiceFill)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(50000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace peerscout::mdns
