// The peerscout subcommands. Each returns the process exit code.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sidecar/cli/child_environment.h"
#include "sidecar/cli/exec_supervisor.h"
#include "sidecar/config/app_profile.h"
#include "sidecar/config/environment.h"
#include "sidecar/core/source.h"

namespace peerscout::cli {

SourceCatalog Catalog();

int Run(const std::string& config_file, const Environment& env);
int CheckConfig(const std::string& config_file, bool list_keys, const Environment& env);

struct PeersOptions {
  std::string format = "auto";  // auto: table on a terminal, else json; table; a server format
  std::vector<std::string> sources;
  std::string online;
  std::string reachable;
  std::string separator;
  std::string color = "auto";  // auto, always, never
};
int Peers(const std::string& socket, const PeersOptions& options);
int Watch(const std::string& socket, const PeersOptions& options, std::chrono::seconds wait);
int Health(const std::string& socket);

struct StatusOptions {
  std::string format = "auto";  // auto, table, json (/v1/sources as it is)
  std::string color = "auto";
};
int Status(const std::string& socket, const StatusOptions& options);

struct ExecOptions {
  std::vector<std::string> env;   // VAR=FORMAT; empty: the app profile's variable
  std::optional<AppProfile> app;  // --app; nullopt: the sidecar's (GET /v1/app)
  int min_peers = 0;
  bool reachable_only = false;  // --reachable: count and pass on only peers that answered
  std::chrono::milliseconds wait{30'000};
  bool fail_on_timeout = false;  // --on-timeout fail
  SupervisorOptions supervisor;  // restart = kNever: exec becomes the app
  EnvironmentPolicy environment;
  std::vector<std::string> command;
};
int Exec(const std::string& socket, const ExecOptions& options);

struct TagForOptions {
  std::string subject;  // a peer id, or a tag to read back
  int port = 0;         // 0: no port tag
  std::string prefix = "exo";
  std::string style;  // dash | underscore; empty: both, annotated
};
int TagFor(const TagForOptions& options);

// peerscout apps: the app profiles, built-in and the config's, and which one is selected.
int Apps(const std::string& config_file, const Environment& env);
// The profile named `name` among the config's (built-in ones if there is no config); says why
// on stderr when there is none.
std::optional<AppProfile> FindApp(const std::string& config_file, const Environment& env,
                                  const std::string& name);

struct PolicySnippetOptions {
  std::string peer_id;  // empty: [self] peer_ids
  int port = 0;         // 0: [self] app_ports, else the headscale source's app_port
  std::string prefix;   // empty: the headscale source's tag_prefix
  std::string style;    // empty: the headscale source's tag_style
};
int HeadscalePolicySnippet(const std::string& config_file, const PolicySnippetOptions& flags,
                           const Environment& env);

// --socket, else PEERSCOUT_SOCKET, else the config's server.socket (PEERSCOUT_CONFIG or
// --config), else <runtime_dir>/peerscout.sock.
std::string ResolveSocket(const std::string& flag, const std::string& config_file,
                          const Environment& env);

}  // namespace peerscout::cli
