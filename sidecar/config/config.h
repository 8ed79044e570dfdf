// The sidecar's configuration, validated and typed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/config/app_profile.h"
#include "sidecar/net/ip_address.h"
#include "sidecar/net/multiaddr.h"
#include "sidecar/net/peer_id.h"
#include "sidecar/option/duration.h"
#include "sidecar/option/option.h"
#include "sidecar/render/format.h"
#include "sidecar/render/peer_filter.h"
#include "sidecar/render/peer_template.h"

namespace peerscout {

struct LogConfig {
  std::string level = "info";
  std::string format = "text";  // text | json
};

struct ServerConfig {
  std::string socket;  // absolute, after runtime_dir is applied
  uint32_t socket_mode = 0660;
  std::string socket_group;
  int64_t max_connections = 1024;
  int64_t threads = 0;  // 0: one per core, at most 4
  Duration connection_timeout = std::chrono::seconds(60);
  Duration default_wait = std::chrono::minutes(5);
  Duration max_wait = std::chrono::minutes(10);

  bool operator==(const ServerConfig&) const = default;
};

struct RegistryConfig {
  Duration stale_after = std::chrono::minutes(10);
  Duration startup_deadline = std::chrono::seconds(10);
};

struct SelfConfig {
  std::vector<PeerId> peer_ids;
  std::vector<IpAddress> addresses;
  std::vector<uint16_t> app_ports;
  std::vector<Subnet> local_subnets;
  bool prefer_ipv6 = false;
  bool detect_interfaces = true;
  Duration interface_refresh = std::chrono::seconds(30);
};

// [liveness]: the TCP probes of app endpoints (runtime/liveness_prober.h).
struct LivenessConfig {
  bool enabled = false;
  Duration interval = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(2);
  int64_t per_second = 20;

  bool operator==(const LivenessConfig&) const = default;
};

struct OutputConfig {
  std::string path;  // absolute
  const Format* format = nullptr;
  uint32_t mode = 0644;
  RenderOptions render;
  PeerFilter filter;
  std::string origin;
};

// One [[template]]: a mustache file rendered to `destination` on change, and a command run
// (no shell) after each replacement.
struct TemplateConfig {
  std::string source;       // absolute
  std::string destination;  // absolute
  PeerTemplate text;        // the source, read and checked when the config is loaded
  uint32_t mode = 0644;
  std::vector<std::string> command;  // argv; empty: none
  Duration command_timeout = std::chrono::seconds(30);
  PeerFilter filter;
  std::string origin;
};

struct SourceConfig {
  std::string name;
  std::string type;
  bool enabled = true;
  OptionValues options;  // the type's own options, defaults filled in
};

struct Config {
  std::string file;  // empty: defaults and environment only
  std::string runtime_dir = "/run/peerscout";
  AppProfile app;                // the one `app` names
  std::vector<AppProfile> apps;  // the built-in ones, changed or added to by [apps.<name>]
  LogConfig log;
  ServerConfig server;
  RegistryConfig registry;
  SelfConfig self;
  LivenessConfig liveness;
  std::vector<SourceConfig> sources;
  // The entries of the [[name]] arrays that source types own (SourceTable), by name.
  std::map<std::string, std::vector<TableEntry>, std::less<>> tables;
  std::vector<OutputConfig> outputs;
  std::vector<TemplateConfig> templates;
};

}  // namespace peerscout
