#include <filesystem>

#include "sidecar/config/config_tables.h"
#include "sidecar/net/endpoint.h"

namespace peerscout {
namespace {

void ReadLog(const OptionValues& values, LogConfig& log) {
  log.level = values.Get<std::string>("level");
  log.format = values.Get<std::string>("format");
}

void ReadServer(TableReader& reader, const OptionValues& values, Config& config) {
  ServerConfig& server = config.server;
  std::string socket = values.Get<std::string>("socket");
  if (auto alias = reader.env().Get("PEERSCOUT_SOCKET"); alias && !alias->empty()) socket = *alias;
  if (socket.empty()) reader.Error(values.Origin("socket") + ": server.socket: empty path");
  server.socket = UnderRuntimeDir(config, socket);
  server.socket_mode = static_cast<uint32_t>(values.Get<int64_t>("socket_mode"));
  server.socket_group = values.Get<std::string>("socket_group");
  server.max_connections = values.Get<int64_t>("max_connections");
  if (server.max_connections < 1 || server.max_connections > 65536) {
    reader.Error(values.Origin("max_connections") + ": server.max_connections: expected 1-65536");
  }
  server.threads = values.Get<int64_t>("threads");
  if (server.threads < 0 || server.threads > 64) {
    reader.Error(values.Origin("threads") + ": server.threads: expected 0-64");
  }
  server.connection_timeout = values.Get<Duration>("connection_timeout");
  server.default_wait = values.Get<Duration>("default_wait");
  server.max_wait = values.Get<Duration>("max_wait");
  if (server.default_wait > server.max_wait) {
    // Only a wait the user chose is an error; the default bows to a shorter max_wait.
    if (values.Origin("default_wait") == "default") {
      server.default_wait = server.max_wait;
    } else {
      reader.Error(values.Origin("default_wait") + ": server.default_wait: longer than max_wait");
    }
  }
}

void ReadRegistry(const OptionValues& values, RegistryConfig& registry) {
  registry.stale_after = values.Get<Duration>("stale_after");
  registry.startup_deadline = values.Get<Duration>("startup_deadline");
}

// Each text of the list `key` parsed by `parse`; one that does not parse is an error.
template <typename T, typename ParseOne>
std::vector<T> ParseEach(TableReader& reader, const OptionValues& values, std::string_view key,
                         ParseOne parse) {
  std::vector<T> parsed;
  for (const std::string& text : values.Get<std::vector<std::string>>(key)) {
    std::optional<T> value = parse(text);
    if (!value) {
      reader.Error(values.Origin(key) + ": self." + std::string(key) + ": '" + text +
                   "' is not valid");
      continue;
    }
    parsed.push_back(*value);
  }
  return parsed;
}

void ReadSelf(TableReader& reader, const OptionValues& values, SelfConfig& self) {
  self.peer_ids = ParseEach<PeerId>(reader, values, "peer_ids", [](const std::string& text) {
    auto id = PeerId::Parse(text);
    return id ? std::optional<PeerId>(*id) : std::nullopt;
  });
  self.addresses = ParseEach<IpAddress>(reader, values, "addresses", IpAddress::Parse);
  self.app_ports = ParseEach<uint16_t>(reader, values, "app_ports", [](const std::string& text) {
    auto port = ParsePort(text);
    return port ? std::optional<uint16_t>(*port) : std::nullopt;
  });
  self.local_subnets = ParseEach<Subnet>(reader, values, "local_subnets", Subnet::Parse);
  self.prefer_ipv6 = values.Get<bool>("prefer_ipv6");
  self.detect_interfaces = values.Get<bool>("detect_interfaces");
  self.interface_refresh = values.Get<Duration>("interface_refresh");
}

void ReadLiveness(TableReader& reader, const OptionValues& values, LivenessConfig& liveness) {
  liveness.enabled = values.Get<bool>("enabled");
  liveness.interval = values.Get<Duration>("interval");
  liveness.timeout = values.Get<Duration>("timeout");
  liveness.per_second = values.Get<int64_t>("per_second");
  if (liveness.interval < std::chrono::milliseconds(100)) {
    reader.Error(values.Origin("interval") + ": liveness.interval: at least 100ms");
  }
  // The default timeout bows to a shorter interval; only one the user chose is an error.
  if (liveness.timeout > liveness.interval && values.Origin("timeout") == "default") {
    liveness.timeout = liveness.interval;
  }
  if (liveness.timeout < std::chrono::milliseconds(10) || liveness.timeout > liveness.interval) {
    reader.Error(values.Origin("timeout") +
                 ": liveness.timeout: at least 10ms and no longer than the interval");
  }
  if (liveness.per_second < 1 || liveness.per_second > 10000) {
    reader.Error(values.Origin("per_second") + ": liveness.per_second: expected 1-10000");
  }
}

}  // namespace

void ReadCoreTables(TableReader& reader, const toml::table& root, Config& config) {
  ReadLog(reader.Section(root, "log"), config.log);
  ReadServer(reader, reader.Section(root, "server"), config);
  ReadRegistry(reader.Section(root, "registry"), config.registry);
  ReadSelf(reader, reader.Section(root, "self"), config.self);
  ReadLiveness(reader, reader.Section(root, "liveness"), config.liveness);
}

std::string UnderRuntimeDir(const Config& config, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(config.runtime_dir) / path).string();
}

}  // namespace peerscout
