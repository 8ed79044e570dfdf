// The tailscale source's cost on a large status: parse, parse + select, parse + select + merge,
// beside RapidJSON's own SAX pass that does no work over the same bytes (the floor for any
// parser of this JSON). The status file comes from PEERSCOUT_BENCH_STATUS
// (tests/bench/scale_tailscale_status.py scales a captured one).
#include <benchmark/benchmark.h>
#include <rapidjson/reader.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/tailscale/status.h"
#include "adapters/tailscale/status_snapshot.h"
#include "sidecar/core/merge.h"

namespace peerscout::tailscale {
namespace {

const std::string& StatusJson() {
  static const std::string json = [] {
    const char* path = std::getenv("PEERSCOUT_BENCH_STATUS");
    std::ifstream file(path ? path : "");
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }();
  return json;
}

template <unsigned kFlags>
void NoopSax(benchmark::State& state) {
  const std::string& json = StatusJson();
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
  const std::string& json = StatusJson();
  for (auto _ : state) benchmark::DoNotOptimize(ParseStatus(json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseAndSelect(benchmark::State& state) {
  const std::string& json = StatusJson();
  for (auto _ : state) {
    auto status = ParseStatus(json);
    benchmark::DoNotOptimize(SnapshotFromStatus(*status, {}));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseSelectMerge(benchmark::State& state) {
  const std::string& json = StatusJson();
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

BENCHMARK(BM_RapidJsonNoopSax)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RapidJsonNoopSaxSameFlags)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseStatus)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseAndSelect)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseSelectMerge)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace peerscout::tailscale
