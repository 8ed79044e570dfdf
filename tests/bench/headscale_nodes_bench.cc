// The Headscale source's cost on large node lists: parse, and parse + select, beside RapidJSON's
// SAX pass that does no work over the same bytes. The lists come from PEERSCOUT_BENCH_NODES_1K
// and PEERSCOUT_BENCH_NODES_10K (tests/bench/scale_headscale_nodes.py scales a captured one).
#include <benchmark/benchmark.h>
#include <rapidjson/reader.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_snapshot.h"

namespace peerscout::headscale {
namespace {

std::string Read(const char* variable);

const std::string& Nodes(int64_t count) {
  static const std::string small = [] { return Read("PEERSCOUT_BENCH_NODES_1K"); }();
  static const std::string large = [] { return Read("PEERSCOUT_BENCH_NODES_10K"); }();
  return count >= 10000 ? large : small;
}

std::string Read(const char* variable) {
  const char* path = std::getenv(variable);
  std::ifstream file(path ? path : "");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void BM_HeadscaleNoopSax(benchmark::State& state) {
  const std::string& json = Nodes(state.range(0));
  for (auto _ : state) {
    rapidjson::BaseReaderHandler<> handler;
    rapidjson::Reader reader;
    rapidjson::MemoryStream bytes(json.data(), json.size());
    benchmark::DoNotOptimize(reader.Parse(bytes, handler));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseNodeList(benchmark::State& state) {
  const std::string& json = Nodes(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(ParseNodeList(json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseAndSelectNodes(benchmark::State& state) {
  const std::string& json = Nodes(state.range(0));
  const Clock::time_point now = Clock::now();
  size_t listed = 0;
  for (auto _ : state) {
    auto list = ParseNodeList(json);
    const Snapshot snapshot = SnapshotFromNodes(*list, {}, now);
    listed = snapshot.observations.size();
    benchmark::DoNotOptimize(snapshot);
  }
  state.counters["listed"] = static_cast<double>(listed);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

BENCHMARK(BM_HeadscaleNoopSax)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseNodeList)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseAndSelectNodes)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace peerscout::headscale
