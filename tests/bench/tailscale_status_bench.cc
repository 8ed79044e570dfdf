// The tailscale source's cost on a large status: parse, parse + select, parse + select + merge,
// beside RapidJSON's own SAX pass that does no work over the same bytes (the floor for any
// parser of this JSON), at 100 to 50k peers. The status of N peers is
// $PEERSCOUT_BENCH_PAYLOADS/status-N.json (tests/bench/scale_tailscale_status.py scales a
// captured one); a size without its file is skipped.
#include <benchmark/benchmark.h>
#include <rapidjson/reader.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "adapters/tailscale/status.h"
#include "adapters/tailscale/status_snapshot.h"
#include "sidecar/core/merge.h"

namespace peerscout::tailscale {
namespace {

const std::string& StatusJson(benchmark::State& state) {
  static std::map<int64_t, std::string> loaded;
  const int64_t peers = state.range(0);
  auto [it, inserted] = loaded.try_emplace(peers);
  if (inserted) {
    const char* directory = std::getenv("PEERSCOUT_BENCH_PAYLOADS");
    std::ifstream file(std::string(directory ? directory : ".") + "/status-" +
                       std::to_string(peers) + ".json");
    std::stringstream text;
    text << file.rdbuf();
    it->second = text.str();
  }
  if (it->second.empty()) state.SkipWithError("no status file of this size");
  return it->second;
}

template <unsigned kFlags>
void NoopSax(benchmark::State& state) {
  const std::string& json = StatusJson(state);
  for (auto _ : state) {
    rapidjson::BaseReaderHandler<> handler;
    rapidjson::Reader reader;
    rapidjson::MemoryStream bytes(json.data(), json.size());
    benchmark::DoNotOptimize(reader.Parse<kFlags>(bytes, handler));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_RapidJsonNoopSax(benchmark::State& state) { NoopSax<rapidjson::kParseDefaultFlags>(state); }
// With the flags ParseStatus needs (iterative: no stack exhaustion; UTF-8 validated).
void BM_RapidJsonNoopSaxSameFlags(benchmark::State& state) {
  NoopSax<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(state);
}

void BM_ParseStatus(benchmark::State& state) {
  const std::string& json = StatusJson(state);
  for (auto _ : state) benchmark::DoNotOptimize(ParseStatus(json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseAndSelect(benchmark::State& state) {
  const std::string& json = StatusJson(state);
  for (auto _ : state) {
    auto status = ParseStatus(json);
    benchmark::DoNotOptimize(SnapshotFromStatus(*status, {}));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseSelectMerge(benchmark::State& state) {
  const std::string& json = StatusJson(state);
  size_t peers = 0;
  for (auto _ : state) {
    auto status = ParseStatus(json);
    auto snapshot = SnapshotFromStatus(*status, {});
    MergeInput input;
    input.sources.push_back({"tailscale", &snapshot->observations, false});
    input.self = snapshot->self;
    const std::vector<Peer> merged = Merge(input);
    peers = merged.size();
    benchmark::DoNotOptimize(merged);
  }
  state.counters["peers"] = static_cast<double>(peers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void Sizes(benchmark::internal::Benchmark* benchmark) {
  for (int64_t peers : {100, 1000, 10000, 50000}) benchmark->Arg(peers);
}

BENCHMARK(BM_RapidJsonNoopSax)->Apply(Sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RapidJsonNoopSaxSameFlags)->Apply(Sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseStatus)->Apply(Sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseAndSelect)->Apply(Sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseSelectMerge)->Apply(Sizes)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace peerscout::tailscale
