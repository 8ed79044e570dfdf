// The Headscale source's cost on large node lists: parse, and parse + select, beside RapidJSON's
// SAX pass that does no work over the same bytes, at 100 to 50k nodes. The list of N nodes is
// $PEERSCOUT_BENCH_PAYLOADS/nodes-N.json (tests/bench/scale_headscale_nodes.py scales a captured
// one); a size without its file is skipped.
#include <benchmark/benchmark.h>
#include <rapidjson/reader.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_snapshot.h"

namespace peerscout::headscale {
namespace {

const std::string& Nodes(benchmark::State& state) {
  static std::map<int64_t, std::string> loaded;
  const int64_t nodes = state.range(0);
  auto [it, inserted] = loaded.try_emplace(nodes);
  if (inserted) {
    const char* directory = std::getenv("PEERSCOUT_BENCH_PAYLOADS");
    std::ifstream file(std::string(directory ? directory : ".") + "/nodes-" +
                       std::to_string(nodes) + ".json");
    std::stringstream text;
    text << file.rdbuf();
    it->second = text.str();
  }
  if (it->second.empty()) state.SkipWithError("no node list of this size");
  return it->second;
}

void BM_HeadscaleNoopSax(benchmark::State& state) {
  const std::string& json = Nodes(state);
  for (auto _ : state) {
    rapidjson::BaseReaderHandler<> handler;
    rapidjson::Reader reader;
    rapidjson::MemoryStream bytes(json.data(), json.size());
    benchmark::DoNotOptimize(reader.Parse(bytes, handler));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseNodeList(benchmark::State& state) {
  const std::string& json = Nodes(state);
  for (auto _ : state) benchmark::DoNotOptimize(ParseNodeList(json));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void BM_ParseAndSelectNodes(benchmark::State& state) {
  const std::string& json = Nodes(state);
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

void Sizes(benchmark::internal::Benchmark* benchmark) {
  for (int64_t nodes : {100, 1000, 10000, 50000}) benchmark->Arg(nodes);
}

BENCHMARK(BM_HeadscaleNoopSax)->Apply(Sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseNodeList)->Apply(Sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseAndSelectNodes)->Apply(Sizes)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace peerscout::headscale
