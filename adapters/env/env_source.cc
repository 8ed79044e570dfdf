#include "adapters/env/env_source.h"

#include <array>

#include "sidecar/core/clock_text.h"

namespace peerscout::env {
namespace {

bool ShouldSplit(const BootstrapEntry& entry, const std::vector<IpAddress>& addresses) {
  // One name with several addresses of a family is a service name spread over instances
  // (Compose replicas, a headless Service): each address is its own peer. One address per
  // family is one dual-stack host.
  if (entry.addresses.size() != 1) return false;
  size_t v4 = 0;
  size_t v6 = 0;
  for (const IpAddress& address : addresses) (address.is_v4() ? v4 : v6)++;
  return v4 > 1 || v6 > 1;
}

Endpoint WithHost(const Endpoint& endpoint, const IpAddress& address) {
  Endpoint resolved = endpoint;
  resolved.host = address;
  return resolved;
}

}  // namespace

BootstrapList ReadBootstrapLists(const std::vector<std::string>& variables, const Environment& env,
                                 const std::vector<StaticPeer>& static_peers) {
  BootstrapList list;
  for (const std::string& variable : variables) {
    if (auto value = env.Get(variable)) ParseBootstrapVariable(variable, *value, list);
  }
  for (const StaticPeer& peer : static_peers) {
    BootstrapEntry entry{{}, peer.name, peer.origin};
    for (const std::string& text : peer.addresses) {
      // The config loader has refused any address that does not parse.
      if (auto address = ParseBootstrapAddress(text)) entry.addresses.push_back(*address);
    }
    if (!entry.addresses.empty()) list.entries.push_back(std::move(entry));
  }
  return list;
}

EnvSource::EnvSource(BootstrapList list, EnvSourceOptions options, NameResolver resolver)
    : list_(std::move(list)), options_(options), resolver_(std::move(resolver)) {}

const EnvSource::Resolution& EnvSource::Resolve(const HostName& name, Clock::time_point now) {
  Resolution& resolution = resolutions_[name];
  if (resolved_this_round_[name]) return resolution;
  resolved_this_round_[name] = true;
  auto addresses = resolver_(name);
  if (addresses) {
    resolution = {*addresses, now, ""};
    return resolution;
  }
  resolution.error = addresses.error();
  if (resolution.resolved_at && now - *resolution.resolved_at >= options_.keep_resolved) {
    resolution.addresses.clear();
  }
  return resolution;
}

void EnvSource::AddEntry(const BootstrapEntry& entry, Clock::time_point now, Snapshot& snapshot) {
  Observation observation;
  observation.identity.hostname = entry.name;
  std::vector<IpAddress> resolved;
  for (const Multiaddr& address : entry.addresses) {
    if (address.peer_id) {
      if (observation.identity.peer_id && *observation.identity.peer_id != *address.peer_id) {
        snapshot.issues.push_back(
            {address.ToString(), entry.origin, "addresses of one entry name different peer ids"});
        return;
      }
      observation.identity.peer_id = address.peer_id;
    }
    observation.addresses.push_back(address.endpoint);
    const HostName* name = address.endpoint.name();
    if (name == nullptr) continue;
    const Resolution& resolution = Resolve(*name, now);
    if (!resolution.error.empty()) {
      std::string reason = resolution.error;
      if (!resolution.addresses.empty()) {
        reason += "; keeping the addresses it had at " + FormatTimestamp(*resolution.resolved_at);
        observation.stale = true;
      }
      snapshot.issues.push_back({name->name.ToString(), entry.origin, reason});
    }
    for (const IpAddress& ip : resolution.addresses) {
      observation.addresses.push_back(WithHost(address.endpoint, ip));
      resolved.push_back(ip);
    }
  }
  if (!ShouldSplit(entry, resolved)) {
    snapshot.observations.push_back(std::move(observation));
    return;
  }
  for (const Endpoint& endpoint : observation.addresses) {
    if (endpoint.ip() == nullptr) continue;
    Observation one = observation;
    one.addresses = {endpoint};
    snapshot.observations.push_back(std::move(one));
  }
}

std::optional<Snapshot> EnvSource::Look(Clock::time_point now, std::stop_token stop) {
  const auto started = std::chrono::steady_clock::now();
  Snapshot snapshot;
  snapshot.issues = list_.issues;
  resolved_this_round_.clear();
  for (const BootstrapEntry& entry : list_.entries) {
    if (stop.stop_requested()) return std::nullopt;
    AddEntry(entry, now, snapshot);
  }
  snapshot.fetch_duration = std::chrono::steady_clock::now() - started;
  return snapshot;
}

bool EnvSource::HasNames() const {
  for (const BootstrapEntry& entry : list_.entries) {
    for (const Multiaddr& address : entry.addresses) {
      if (address.endpoint.name()) return true;
    }
  }
  return false;
}

void EnvSource::Run(std::stop_token stop, SnapshotSink& sink) {
  while (!stop.stop_requested()) {
    std::optional<Snapshot> snapshot = Look(Clock::now(), stop);
    if (!snapshot) return;
    sink.Publish(std::move(*snapshot));
    if (!HasNames()) {
      // Nothing changes until a reload replaces this source.
      while (!stop.stop_requested()) SleepUnlessStopped(std::chrono::hours(1), stop);
      return;
    }
    SleepUnlessStopped(options_.resolve_interval, stop);
  }
}

namespace {

constexpr OptionSpec kOptions[] = {
    {"variables", OptionKind::kStringList,
     "EXO_BOOTSTRAP_PEERS,SKULK_BOOTSTRAP_PEERS,PEERSCOUT_PEERS",
     "Environment variables holding bootstrap lists (comma or whitespace separated multiaddrs "
     "or host:port)."},
    {"resolve_interval", OptionKind::kDuration, "30s",
     "How often names in the lists are resolved again."},
};

ErrorOr<std::shared_ptr<Source>> Create(const SourceContext& context) {
  const OptionValues& options = context.source.options;
  EnvSourceOptions source_options;
  source_options.resolve_interval = options.Get<Duration>("resolve_interval");
  source_options.keep_resolved = context.config.registry.stale_after;
  if (source_options.resolve_interval <= Duration(0)) {
    return ErrorOr<std::shared_ptr<Source>>::Error("env: resolve_interval must be positive (" +
                                                   options.Origin("resolve_interval") + ")");
  }
  BootstrapList list = ReadBootstrapLists(options.Get<std::vector<std::string>>("variables"),
                                          context.env, StaticPeers(context.config));
  return std::shared_ptr<Source>(
      std::make_shared<EnvSource>(std::move(list), source_options, ResolveWithSystem));
}

}  // namespace

const SourceFactory& Factory() {
  static const std::array tables{StaticTable()};
  static const SourceFactory factory{
      "env",
      "Static peers: bootstrap-list variables (EXO_BOOTSTRAP_PEERS-style) and [[static]] "
      "entries of the config. Invalid entries are reported in /v1/sources and the log.",
      kOptions,
      true,
      Create,
      tables,
  };
  return factory;
}

}  // namespace peerscout::env
