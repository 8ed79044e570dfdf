// A source of peers, and the factories that make them from config. Like go-discover's
// providers: one small interface, each type self-contained with its own option help.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/core/peer.h"
#include "sidecar/core/snapshot.h"
#include "sidecar/option/option.h"

namespace peerscout {

struct Config;
struct SourceConfig;
class Environment;

// Who we are at run time, as every source and the configuration tell it together.
using SelfView = std::function<SelfIdentity()>;
// The merged peers as they stand, for a source that looks closer at what the others found.
using PeersView = std::function<std::shared_ptr<const PeerSet>()>;

// What a factory may read: the whole config, its own table, the process environment, and
// views of who we are and of the merged peers that a source may consult while it runs (empty
// in check-config).
struct SourceContext {
  const Config& config;
  const SourceConfig& source;
  const Environment& env;
  SelfView self = [] { return SelfIdentity{}; };
  PeersView peers = [] { return std::make_shared<const PeerSet>(); };
};

// Where a source reports. Each call replaces what the source said before.
class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // Everything the source sees now; an empty snapshot means "no peers", not "don't know".
  virtual void Publish(Snapshot snapshot) = 0;
  // The source could not look this round; its last good peers are kept, marked stale.
  virtual void Fail(std::string error) = 0;
  // Counts a fault no snapshot carries (a reply past the size cap), so /metrics shows it even
  // while the source never publishes again.
  virtual void Count(std::string_view event) = 0;
};

// Waits `duration`, or less when `stop` is requested: a source's pause between rounds.
inline void SleepUnlessStopped(std::chrono::nanoseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, duration, [] { return false; });
}

class Source {
 public:
  virtual ~Source() = default;
  // Owns the source's cadence (poll, push, or once) until `stop` is requested.
  virtual void Run(std::stop_token stop, SnapshotSink& sink) = 0;
};

// A top-level [[name]] array a source type owns (the env source's [[static]]). The loader reads
// its entries as it reads [[output]]'s and asks `check` for each entry's errors, whole lines, so
// check-config and a reload refuse them; the factory finds the entries in Config::tables.
struct SourceTable {
  std::string_view name;
  std::string_view help;
  std::span<const OptionSpec> options;
  std::function<std::vector<std::string>(const TableEntry& entry)> check;
};

struct SourceFactory {
  std::string_view type;
  std::string_view help;
  std::span<const OptionSpec> options;
  bool enabled_by_default;
  // Refuses a bad configuration with a reason; check-config calls it too.
  std::function<ErrorOr<std::shared_ptr<Source>>(const SourceContext& context)> create;
  std::span<const SourceTable> tables = {};
};

using SourceCatalog = std::span<const SourceFactory>;

// The factory of `type`, or null when the catalog has none.
inline const SourceFactory* FindFactory(SourceCatalog catalog, std::string_view type) {
  for (const SourceFactory& factory : catalog) {
    if (factory.type == type) return &factory;
  }
  return nullptr;
}

}  // namespace peerscout
