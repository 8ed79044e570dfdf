// Merge and render at cluster sizes of 100, 1k, 10k and 50k peers, every format: the growth
// table of tests/bench/run.sh divides each by its size. Each peer is seen the way a
// LAN + tailnet cluster sees it: mDNS (peer id, LAN address), Headscale (peer id, tailnet
// address), tailscale (node, tailnet IP, MagicDNS name) and a bootstrap list (tailnet ip:port).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <optional>

#include "sidecar/core/component_merge.h"
#include "sidecar/core/merge.h"
#include "sidecar/core/registry.h"
#include "sidecar/net/base_encoding.h"
#include "sidecar/render/format.h"
#include "sidecar/render/incremental_json.h"

namespace peerscout {
namespace {

PeerId MakePeerId(int n) {
  // An identity multihash of 36 bytes, like an Ed25519 libp2p id, distinct per n.
  std::vector<uint8_t> multihash{0x00, 36, 0x08, 0x01, 0x12, 0x20};
  for (int i = 0; i < 32; ++i)
    multihash.push_back(static_cast<uint8_t>((n * 131 + i * 7) >> (i % 3)));
  multihash[6] = static_cast<uint8_t>(n & 0xff);
  multihash[7] = static_cast<uint8_t>((n >> 8) & 0xff);
  return *PeerId::Parse(EncodeBase58Btc(multihash));
}

IpAddress V4(int a, int b, int n) {
  return IpAddress::V4({static_cast<uint8_t>(a), static_cast<uint8_t>(b),
                        static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n & 0xff)});
}

struct Cluster {
  std::map<std::string, std::vector<Observation>> by_source;
  NetworkView view;

  explicit Cluster(int peers) {
    view.local_subnets = {*Subnet::Parse("10.1.0.0/16")};
    for (int n = 0; n < peers; ++n) {
      const PeerId id = MakePeerId(n);
      Observation mdns;
      mdns.identity.peer_id = id;
      mdns.addresses = {{V4(10, 1, n), 52416, Transport::kTcp}};
      by_source["mdns"].push_back(mdns);
      Observation headscale;
      headscale.identity.peer_id = id;
      headscale.identity.hostname = "node-" + std::to_string(n);
      headscale.addresses = {{V4(100, 64, n), 52416, Transport::kTcp}};
      headscale.tags = {"tag:exo"};
      by_source["headscale"].push_back(headscale);
      Observation tailscale;
      tailscale.identity.tailnet_node = "nodekey:" + std::to_string(n);
      tailscale.identity.magic_dns = *DnsName::Parse("node-" + std::to_string(n) + ".tail.ts.net");
      tailscale.addresses = {{V4(100, 64, n), 0, Transport::kNone}};
      tailscale.online = true;
      tailscale.tailnet_path = n % 3 ? TailnetPath::kDirect : TailnetPath::kRelayed;
      by_source["tailscale"].push_back(tailscale);
      if (n % 2 == 0) {
        Observation env;
        env.addresses = {{V4(100, 64, n), 52416, Transport::kTcp}};
        by_source["env"].push_back(env);
      }
    }
  }

  MergeInput Input() const {
    MergeInput input;
    input.network = view;
    for (const auto& [source, list] : by_source) input.sources.push_back({source, &list, false});
    return input;
  }
};

void BM_Merge(benchmark::State& state) {
  const Cluster cluster(static_cast<int>(state.range(0)));
  const MergeInput input = cluster.Input();
  for (auto _ : state) benchmark::DoNotOptimize(Merge(input));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void Render(benchmark::State& state, const char* format_name, bool merge_too) {
  const Cluster cluster(static_cast<int>(state.range(0)));
  const MergeInput input = cluster.Input();
  const Format* format = FindFormat(format_name);
  PeerSet peers{2, Merge(input)};
  size_t bytes = 0;
  for (auto _ : state) {
    if (merge_too) peers.peers = Merge(input);
    std::string out = format->render(peers, {});
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["output_bytes"] = static_cast<double>(bytes);
}

void BM_MergeAndRenderJson(benchmark::State& state) { Render(state, "json", true); }
void BM_MergeAndRenderExo(benchmark::State& state) { Render(state, "exo", true); }
void BM_Render(benchmark::State& state, const char* format) { Render(state, format, false); }

// The json of a list where one peer changed since the last render, as /v1/peers and a json
// output render it for each version: every peer written again (RenderJson), or only the changed
// one (IncrementalJson). Two sets, one peer's `online` apart, are rendered in turn.
void BM_RenderJsonOneChanged(benchmark::State& state, bool incremental) {
  const Cluster cluster(static_cast<int>(state.range(0)));
  std::vector<Peer> merged = Merge(cluster.Input());
  const auto before = std::make_shared<const PeerSet>(PeerSet{1, merged});
  merged[merged.size() / 2].online = !merged[merged.size() / 2].online;
  const auto after = std::make_shared<const PeerSet>(PeerSet{2, std::move(merged)});
  IncrementalJson json;
  json.Render(before);
  bool flip = false;
  size_t bytes = 0;
  for (auto _ : state) {
    const auto& peers = (flip = !flip) ? after : before;
    std::string out = incremental ? json.Render(peers) : RenderJson(*peers, {});
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["output_bytes"] = static_cast<double>(bytes);
}

// One source's new snapshot through the registry: merge, diff, version, notify.
void BM_RegistryPublish(benchmark::State& state) {
  const Cluster cluster(static_cast<int>(state.range(0)));
  Registry registry(Registry::Options{});
  std::vector<SourceDeclaration> declarations;
  for (const auto& [source, list] : cluster.by_source)
    declarations.push_back({source, source, true});
  registry.DeclareSources(declarations);
  for (const auto& [source, list] : cluster.by_source) {
    registry.Publish(source, Snapshot{list, {}, {}, {}}, Clock::now());
  }
  std::vector<Observation> changing = cluster.by_source.at("env");
  int flip = 0;
  for (auto _ : state) {
    changing.front().online = (++flip % 2) == 0;  // a real change every time
    registry.Publish("env", Snapshot{changing, {}, {}, {}}, Clock::now());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The merge of a publish where one of N peers changed (env's middle observation gains a tag and
// loses it in turn), as the registry does it: in full (Merge of everything and DiffPeers of
// the whole lists) or incrementally (the changed observation's component merged again and
// spliced in). Both give the new list and its diff; neither copies the snapshot. `reindex`:
// incrementally, with the index of join keys built again first, as after a full merge that
// changed observations (a redeclaration, an expiry, a publish that fell back to a full merge).
enum class Publishing : uint8_t { kFull, kIncremental, kReindex };

void BM_PublishOneChanged(benchmark::State& state, Publishing publishing) {
  const bool incremental = publishing != Publishing::kFull;
  Cluster cluster(static_cast<int>(state.range(0)));
  std::vector<Observation>& current = cluster.by_source.at("env");
  std::vector<Observation> next = current;
  const size_t middle = current.size() / 2;
  ComponentMerge merge;
  std::vector<Peer> listed = merge.Full(cluster.Input(), {}).peers;
  auto publish = [&] {
    next[middle].tags = current[middle].tags.empty() ? std::vector<std::string>{"tag:new"}
                                                     : std::vector<std::string>{};
    std::optional<MergeResult> result;
    if (incremental) {
      result = merge.Replace(cluster.Input(), "env", next, listed);
      std::swap(current, next);
    } else {
      std::swap(current, next);
      result = merge.Full(cluster.Input(), listed);
    }
    if (!result || result->diff.changed.size() != 1) return false;
    listed = std::move(result->peers);
    return true;
  };
  publish();  // the index is built on the first change, once after every full merge
  for (auto _ : state) {
    if (publishing == Publishing::kReindex) merge.ForgetObservations();
    if (!publish()) state.SkipWithError("fell back to a full merge, or not one peer changed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void Sizes(benchmark::internal::Benchmark* benchmark) {
  for (int64_t peers : {100, 1000, 10000, 50000}) benchmark->Arg(peers);
  benchmark->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_Merge)->Apply(Sizes);
BENCHMARK(BM_MergeAndRenderJson)->Apply(Sizes);
BENCHMARK(BM_MergeAndRenderExo)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, json, "json")->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, multiaddr, "multiaddr")->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, exo, "exo")->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, zenoh, "zenoh")->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, lines, "lines")->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, env, "env")->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, hosts, "hosts")->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Render, file_sd, "file_sd")->Apply(Sizes);
BENCHMARK(BM_RegistryPublish)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_PublishOneChanged, full, Publishing::kFull)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_PublishOneChanged, incremental, Publishing::kIncremental)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_PublishOneChanged, reindex, Publishing::kReindex)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_RenderJsonOneChanged, full, false)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_RenderJsonOneChanged, incremental, true)->Apply(Sizes);

}  // namespace
}  // namespace peerscout

BENCHMARK_MAIN();
