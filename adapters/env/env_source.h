// The env source: static bootstrap lists from environment variables and [[static]] entries.
// Names in them (Compose service names) are resolved, and re-resolved every resolve_interval.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "adapters/env/bootstrap_list.h"
#include "adapters/env/name_resolver.h"
#include "adapters/env/static_table.h"
#include "sidecar/config/config.h"
#include "sidecar/config/environment.h"
#include "sidecar/core/source.h"

namespace peerscout::env {

struct EnvSourceOptions {
  Duration resolve_interval = std::chrono::seconds(30);
  // How long a name that stops resolving keeps its last addresses (marked stale).
  Duration keep_resolved = std::chrono::minutes(10);
};

// The variables' lists, then the [[static]] entries.
BootstrapList ReadBootstrapLists(const std::vector<std::string>& variables, const Environment& env,
                                 const std::vector<StaticPeer>& static_peers);

class EnvSource : public Source {
 public:
  EnvSource(BootstrapList list, EnvSourceOptions options, NameResolver resolver);

  // One round: resolves every name once and builds the complete snapshot. Returns nothing
  // when `stop` is requested midway: a resolver can take seconds per name, and shutdown
  // should not wait for every one of them.
  std::optional<Snapshot> Look(Clock::time_point now, std::stop_token stop = {});
  void Run(std::stop_token stop, SnapshotSink& sink) override;

 private:
  struct Resolution {
    std::vector<IpAddress> addresses;  // last good
    std::optional<Clock::time_point> resolved_at;
    std::string error;  // of the last attempt; empty when it worked
  };

  const Resolution& Resolve(const HostName& name, Clock::time_point now);
  void AddEntry(const BootstrapEntry& entry, Clock::time_point now, Snapshot& snapshot);
  bool HasNames() const;

  BootstrapList list_;
  EnvSourceOptions options_;
  NameResolver resolver_;
  std::map<HostName, Resolution> resolutions_;
  std::map<HostName, bool> resolved_this_round_;
};

const SourceFactory& Factory();

}  // namespace peerscout::env
