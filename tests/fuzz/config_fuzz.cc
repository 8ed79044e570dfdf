// Fuzz target: a config as an operator (or a ConfigMap, or a compose file's environment) writes
// it: TOML text, then, after a NUL byte, PEERSCOUT_* variables one NAME=VALUE a line, through
// the real loader and each enabled source's factory, as `peerscout check-config` runs them.
// Either it loads and keeps the loader's promises, or it says why; it never crashes.
// Built for libFuzzer by tests/fuzz/run.sh; replayed over its corpus by ctest.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include "sidecar/cli/commands.h"
#include "sidecar/config/config_loader.h"

namespace {

using namespace peerscout;

// One file per process, in a directory of its own, so a relative template source finds
// nothing of anyone else's; removed at exit.
const std::string& ConfigFile() {
  static const std::string file = [] {
    std::string directory = (std::filesystem::temp_directory_path() / "peerscout-fuzz-XXXXXX");
    if (mkdtemp(directory.data()) == nullptr) std::abort();
    static const std::string kept = directory;
    std::atexit([] { std::filesystem::remove_all(kept); });
    return directory + "/sidecar.toml";
  }();
  return file;
}

Environment Variables(std::string_view text) {
  std::map<std::string, std::string, std::less<>> variables;
  while (!text.empty()) {
    const std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    const size_t equals = line.find('=');
    if (equals == 0 || equals == std::string_view::npos) continue;
    variables.emplace(line.substr(0, equals), line.substr(equals + 1));
  }
  return Environment(std::move(variables));
}

// What the rest of the sidecar relies on once a config has loaded.
void CheckPromises(const Config& config) {
  const ServerConfig& server = config.server;
  if (server.socket.empty() || server.max_connections < 1 || server.max_connections > 65536 ||
      server.threads < 0 || server.threads > 64 || server.default_wait > server.max_wait) {
    __builtin_trap();
  }
  for (const OutputConfig& output : config.outputs) {
    if (output.path.empty() || output.format == nullptr) __builtin_trap();
  }
  for (const TemplateConfig& output : config.templates) {
    if (output.destination.empty() || output.command_timeout <= Duration(0)) __builtin_trap();
  }
  // A loaded config holds no entry its source's table refuses.
  for (const SourceFactory& factory : cli::Catalog()) {
    for (const SourceTable& table : factory.tables) {
      auto entries = config.tables.find(table.name);
      if (entries == config.tables.end()) continue;
      for (const TableEntry& entry : entries->second) {
        if (!table.check(entry).empty()) __builtin_trap();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  {
    std::ofstream out(ConfigFile(), std::ios::binary | std::ios::trunc);
    out << input.substr(0, nul);
  }
  const Environment env =
      Variables(nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1));
  auto config = LoadConfig(ConfigFile(), env, cli::Catalog());
  if (!config) {
    if (config.error().empty()) __builtin_trap();
    return 0;
  }
  CheckPromises(*config);
  for (const SourceConfig& source : config->sources) {
    if (!source.enabled) continue;
    for (const SourceFactory& factory : cli::Catalog()) {
      if (factory.type != source.type) continue;
      auto made = factory.create(SourceContext{*config, source, env});
      if (!made && made.error().empty()) __builtin_trap();
    }
  }
  return 0;
}
