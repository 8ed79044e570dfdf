#include "sidecar/runtime/sidecar.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include "sidecar/core/service_status.h"
#include "sidecar/log/logging.h"
#include "sidecar/runtime/process_memory.h"

namespace peerscout {
namespace {

// Pollers more frequent than this are served from the rendered body; rarer ones cost a render.
constexpr auto kKeepServedBodies = std::chrono::seconds(30);

std::vector<SourceDeclaration> Declarations(const Config& config) {
  std::vector<SourceDeclaration> declarations;
  for (const SourceConfig& source : config.sources) {
    declarations.push_back({source.name, source.type, source.enabled});
  }
  return declarations;
}

Api::Options ApiOptions(const Config& config) {
  Api::Options options;
  options.default_wait = config.server.default_wait;
  options.max_wait = config.server.max_wait;
  options.startup_deadline = config.registry.startup_deadline;
  return options;
}

void LogChange(const PeerSet& peers, const PeerSetDiff& diff) {
  spdlog::info("peers: version {}: {} peers (+{} -{} ~{})", peers.version, peers.peers.size(),
               diff.added.size(), diff.removed.size(), diff.changed.size());
  for (const std::string& id : diff.added) spdlog::debug("peers: added {}", id);
  for (const std::string& id : diff.removed) spdlog::debug("peers: removed {}", id);
  for (const std::string& id : diff.changed) spdlog::debug("peers: changed {}", id);
}

}  // namespace

Registry::Options RegistryOptions(const Config& config) {
  Registry::Options options;
  options.stale_after = config.registry.stale_after;
  options.self.peer_ids = config.self.peer_ids;
  options.self.addresses = config.self.addresses;
  options.self.app_ports = config.self.app_ports;
  options.network.local_subnets = config.self.local_subnets;
  options.network.prefer_ipv6 = config.self.prefer_ipv6;
  return options;
}

Sidecar::Sidecar(Config config, SourceCatalog catalog, Environment env,
                 std::unique_ptr<ServiceNotifier> notifier)
    : config_(std::move(config)),
      catalog_(catalog),
      env_(std::move(env)),
      registry_(RegistryOptions(config_)),
      api_(registry_, telemetry_, ApiOptions(config_)),
      outputs_(telemetry_),
      templates_(telemetry_.templates),
      sources_(registry_),
      started_(std::chrono::steady_clock::now()),
      notifier_(std::move(notifier)) {}

Sidecar::~Sidecar() {
  liveness_.reset();
  sources_.StopAll();
  server_.reset();
}

void Sidecar::BlockSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

ErrorOr<std::vector<RunnableSource>> Sidecar::MakeSources(const Config& config) const {
  std::vector<RunnableSource> sources;
  for (const SourceConfig& source : config.sources) {
    if (!source.enabled) continue;
    const SourceFactory* factory = FindFactory(catalog_, source.type);
    if (factory == nullptr) {
      return ErrorOr<std::vector<RunnableSource>>::Error("no source type " + source.type);
    }
    auto made =
        factory->create(SourceContext{config, source, env_, [this] { return registry_.Self(); },
                                      [this] { return registry_.Current(); }});
    if (!made) return ErrorOr<std::vector<RunnableSource>>::Error(made.error());
    sources.push_back({source.name, *made});
  }
  return sources;
}

ErrorOr<std::unique_ptr<Sidecar>> Sidecar::Start(Config config, SourceCatalog catalog,
                                                 Environment env,
                                                 std::unique_ptr<ServiceNotifier> notifier) {
  using Result = ErrorOr<std::unique_ptr<Sidecar>>;
  std::unique_ptr<Sidecar> sidecar(
      new Sidecar(std::move(config), catalog, std::move(env), std::move(notifier)));
  auto sources = sidecar->MakeSources(sidecar->config_);
  if (!sources) return Result::Error(sources.error());
  Registry& registry = sidecar->registry_;
  registry.DeclareSources(Declarations(sidecar->config_));
  if (sidecar->config_.self.detect_interfaces) {
    sidecar->network_ = ReadLocalNetwork();
    registry.SetLocalNetwork(sidecar->network_.view, sidecar->network_.self);
  }
  sidecar->network_read_ = std::chrono::steady_clock::now();
  auto server =
      HttpServer::Start(sidecar->config_.server, sidecar->api_, registry, sidecar->telemetry_);
  if (!server) return Result::Error(server.error());
  sidecar->server_ = std::move(server).value();
  Sidecar* self = sidecar.get();
  registry.Subscribe([self](const std::shared_ptr<const PeerSet>& peers, const PeerSetDiff& diff) {
    LogChange(*peers, diff);
    self->server_->OnChange(peers->version);
    self->outputs_.Offer(peers);
    self->templates_.Offer(peers);
  });
  sidecar->api_.SetApp(sidecar->config_.app);
  sidecar->outputs_.SetOutputs(sidecar->config_.outputs);
  sidecar->outputs_.Offer(registry.Current());
  sidecar->templates_.SetTemplates(sidecar->config_.templates);
  sidecar->templates_.Offer(registry.Current());
  sidecar->sources_.StartAll(std::move(sources).value());
  sidecar->ApplyLiveness(sidecar->config_.liveness);
  spdlog::info("serving on {} ({} sources, {} outputs, {} templates)",
               sidecar->config_.server.socket, sidecar->config_.sources.size(),
               sidecar->config_.outputs.size(), sidecar->config_.templates.size());
  return sidecar;
}

bool Sidecar::Reload(Config config) {
  auto sources = MakeSources(config);
  if (!sources) {
    spdlog::error("reload refused, keeping the running config: {}", sources.error());
    ++telemetry_.reload_failures;
    return false;
  }
  if (!(config.server == config_.server)) {
    spdlog::warn("reload: [server] changes take effect at the next start");
    config.server = config_.server;
  }
  ConfigureLogging(config.log);
  sources_.StopAll();
  registry_.SetOptions(RegistryOptions(config));
  // Sources keep their last snapshot across the restart; the new ones replace it when they
  // first report, so a reload that changes nothing changes no version.
  registry_.DeclareSources(Declarations(config));
  api_.SetApp(config.app);
  outputs_.SetOutputs(config.outputs);
  outputs_.Offer(registry_.Current());
  templates_.SetTemplates(config.templates);
  templates_.Offer(registry_.Current());
  if (!(config.liveness == config_.liveness)) {
    liveness_.reset();
    // Off now: what it found goes; changed: the new prober starts from what is known.
    if (!config.liveness.enabled) registry_.SetReachability({});
    ApplyLiveness(config.liveness);
  }
  config_ = std::move(config);
  sources_.StartAll(std::move(sources).value());
  ++telemetry_.reloads;
  spdlog::info("reloaded {}", config_.file.empty() ? "(no config file)" : config_.file);
  return true;
}

void Sidecar::ApplyLiveness(const LivenessConfig& liveness) {
  if (!liveness.enabled || liveness_) return;
  LivenessCadence cadence;
  cadence.interval = liveness.interval;
  cadence.timeout = liveness.timeout;
  cadence.per_second = static_cast<uint32_t>(liveness.per_second);
  liveness_ = std::make_unique<LivenessProber>(registry_, telemetry_, cadence);
}

// Goes up whenever a source reports, the list changes or the API renders a body.
uint64_t Sidecar::Activity() const {
  uint64_t activity = registry_.Current()->version + api_.Renders();
  for (const SourceStatus& source : registry_.Sources()) {
    activity += source.successes + source.errors;
  }
  return activity;
}

void Sidecar::Tick() {
  registry_.Expire(Clock::now());
  const auto now = std::chrono::steady_clock::now();
  if (config_.self.detect_interfaces && now - network_read_ >= config_.self.interface_refresh) {
    network_read_ = now;
    LocalNetwork network = ReadLocalNetwork();
    if (!(network == network_)) {
      network_ = std::move(network);
      registry_.SetLocalNetwork(network_.view, network_.self);
    }
  }
  // A source's round, a merge and a render free most of what they allocated, in the middle of
  // the heap too; a tick later the change has settled (outputs written, clients answered).
  const size_t dropped = api_.DropBodiesServedBefore(now - kKeepServedBodies);
  const uint64_t activity = Activity();
  if (activity != returned_after_ || dropped > 0) {
    returned_after_ = activity;
    ReturnFreeMemory();
  }
  // Sources are read only until the first write is allowed; after that nothing here changes.
  if (!ready_ &&
      (now - started_ >= config_.registry.startup_deadline || AllReported(registry_.Sources()))) {
    ready_ = true;
    outputs_.SetReady();
    templates_.SetReady();
  }
  Notify();
}

void Sidecar::Notify() {
  // READY=1 waits for the first files too: a unit ordered after ours may read them at once.
  if (ready_ && !announced_ready_ && outputs_.FirstWriteDone() && templates_.FirstWriteDone()) {
    announced_ready_ = true;
    notifier_->Ready();
  }
  notifier_->Status(
      ServiceStatusLine({*registry_.Current(), registry_.Sources(), ready_, reload_refused_}));
}

// Before READY=1 the manager is still starting us, and a reload is no news to it.
void Sidecar::OnHangup(const std::function<ErrorOr<Config>()>& load) {
  if (announced_ready_) notifier_->Reloading();
  auto config = load();
  if (config) {
    reload_refused_ = !Reload(std::move(config).value());
  } else {
    spdlog::error("reload refused, keeping the running config:\n{}", config.error());
    ++telemetry_.reload_failures;
    reload_refused_ = true;
  }
  if (announced_ready_) notifier_->Ready();
  Notify();
}

void Sidecar::RunUntilSignal(const std::function<ErrorOr<Config>()>& load) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  while (true) {
    Tick();
    // Short ticks until every source has reported and the first files are written (the
    // outputs and READY=1 wait for them), then one a second for expiry.
    const bool settled = announced_ready_;
    timespec timeout{settled ? 1 : 0, settled ? 0 : 20'000'000};
    const int signal = sigtimedwait(&signals, nullptr, &timeout);
    if (signal == SIGTERM || signal == SIGINT) {
      spdlog::info("stopping on signal {}", signal);
      notifier_->Stopping();
      return;
    }
    if (signal == SIGHUP) OnHangup(load);
  }
}

}  // namespace peerscout
