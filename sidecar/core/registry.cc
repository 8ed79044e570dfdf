#include "sidecar/core/registry.h"

#include <optional>
#include <utility>

namespace peerscout {

Registry::Registry(Options options)
    : options_(std::move(options)), current_(std::make_shared<PeerSet>(PeerSet{1, {}})) {}

void Registry::DeclareSources(const std::vector<SourceDeclaration>& sources) {
  std::lock_guard lock(update_mutex_);
  std::map<std::string, SourceEntry> next;
  for (const SourceDeclaration& declaration : sources) {
    auto it = sources_.find(declaration.name);
    SourceEntry entry = it != sources_.end() ? std::move(it->second) : SourceEntry{};
    entry.status.name = declaration.name;
    entry.status.type = declaration.type;
    entry.status.enabled = declaration.enabled;
    if (!declaration.enabled) entry = SourceEntry{entry.status, {}, {}};
    next.emplace(declaration.name, std::move(entry));
  }
  sources_ = std::move(next);
  components_.ForgetObservations();  // a source dropped or disabled takes its observations
  Remerge();
}

// Options and networks change our identity, the networks every address's class: full merges.
// The index of join keys stays; a change of our identity rebuilds it (own endpoints are no keys).
void Registry::SetOptions(Options options) {
  std::lock_guard lock(update_mutex_);
  options_ = std::move(options);
  Remerge();
}

void Registry::SetLocalNetwork(NetworkView network, SelfIdentity local) {
  std::lock_guard lock(update_mutex_);
  local_network_ = std::move(network);
  local_self_ = std::move(local);
  Remerge();
}

void Registry::Publish(const std::string& source, Snapshot snapshot, Clock::time_point now) {
  std::lock_guard lock(update_mutex_);
  auto it = sources_.find(source);
  if (it == sources_.end() || !it->second.status.enabled) return;  // removed by a reload
  SourceEntry& entry = it->second;
  // Only this source's changed observations are merged again, with what they touch. What it
  // knows of us drops peers anywhere, and a stale source's observations all change with it
  // turning fresh: those merge in full.
  std::optional<MergeResult> merged;
  if (!entry.status.stale && entry.self == snapshot.self) {
    merged = components_.Replace(CurrentInput(), source, snapshot.observations, current_->peers);
  }
  entry.observations = std::move(snapshot.observations);
  entry.self = std::move(snapshot.self);
  SourceStatus& status = entry.status;
  status.issues = std::move(snapshot.issues);
  status.details = std::move(snapshot.details);
  status.counters = std::move(snapshot.counters);
  status.observation_count = entry.observations.size();
  status.last_success = now;
  status.stale = false;
  ++status.successes;
  status.last_fetch_duration = snapshot.fetch_duration;
  status.total_fetch_duration += snapshot.fetch_duration;
  if (merged) {
    Install(std::move(*merged));
  } else {
    components_.ForgetObservations();
    Remerge();
  }
}

void Registry::Fail(const std::string& source, const std::string& error, Clock::time_point now) {
  std::lock_guard lock(update_mutex_);
  auto it = sources_.find(source);
  if (it == sources_.end() || !it->second.status.enabled) return;
  SourceStatus& status = it->second.status;
  status.last_error = error;
  status.last_error_at = now;
  ++status.errors;
  status.stale = !it->second.observations.empty();
  Remerge();  // every observation of the source turns stale: a full merge
}

void Registry::Count(const std::string& source, std::string_view fault) {
  std::lock_guard lock(update_mutex_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return;
  ++it->second.status.faults[std::string(fault)];
  std::lock_guard read(read_mutex_);
  for (SourceStatus& status : statuses_) {
    if (status.name == source) status.faults = it->second.status.faults;
  }
}

void Registry::SetReachability(ReachabilityMap probed) {
  std::lock_guard lock(update_mutex_);
  if (probed == probed_) return;
  probed_ = std::move(probed);
  Remerge();  // probes of any endpoint change: a full merge, seldom (only a change of state)
}

void Registry::Expire(Clock::time_point now) {
  std::lock_guard lock(update_mutex_);
  bool expired = false;
  for (auto& [name, entry] : sources_) {
    SourceStatus& status = entry.status;
    if (!status.stale || !status.last_success) continue;
    if (now - *status.last_success < options_.stale_after) continue;
    entry.observations.clear();
    entry.self = {};
    status.observation_count = 0;
    status.stale = false;
    expired = true;
  }
  if (!expired) return;
  components_.ForgetObservations();  // whole sources go: a full merge
  Remerge();
}

std::shared_ptr<const PeerSet> Registry::Current() const {
  std::lock_guard lock(read_mutex_);
  return current_;
}

std::vector<SourceStatus> Registry::Sources() const {
  std::lock_guard lock(read_mutex_);
  return statuses_;
}

SelfIdentity Registry::Self() const {
  std::lock_guard lock(read_mutex_);
  return self_;
}

void Registry::Subscribe(Listener listener) {
  std::lock_guard lock(update_mutex_);
  listeners_.push_back(std::move(listener));
}

MergeInput Registry::CurrentInput() const {
  MergeInput input;
  input.self = options_.self;
  input.self.Add(local_self_);
  // Configured subnets add to the detected ones: a routed LAN is LAN too.
  input.network = local_network_;
  input.network.prefer_ipv6 = options_.network.prefer_ipv6;
  input.network.local_subnets.insert(input.network.local_subnets.end(),
                                     options_.network.local_subnets.begin(),
                                     options_.network.local_subnets.end());
  for (const auto& [name, entry] : sources_) {
    input.self.Add(entry.self);
    if (entry.observations.empty()) continue;
    input.sources.push_back({name, &entry.observations, entry.status.stale});
  }
  input.probed = &probed_;
  return input;
}

void Registry::Remerge() {
  const MergeInput input = CurrentInput();
  {
    std::lock_guard lock(read_mutex_);
    self_ = input.self;
  }
  Install(components_.Full(input, current_->peers));
}

void Registry::Install(MergeResult merged) {
  std::vector<SourceStatus> statuses;
  statuses.reserve(sources_.size());
  for (const auto& [name, entry] : sources_) statuses.push_back(entry.status);
  const std::shared_ptr<const PeerSet> before = current_;
  std::shared_ptr<const PeerSet> after = before;
  if (!merged.diff.empty()) {
    after = std::make_shared<PeerSet>(PeerSet{before->version + 1, std::move(merged.peers)});
  }
  {
    std::lock_guard lock(read_mutex_);
    current_ = after;
    statuses_ = std::move(statuses);
  }
  if (merged.diff.empty()) return;
  for (const Listener& listener : listeners_) listener(after, merged.diff);
}

}  // namespace peerscout
