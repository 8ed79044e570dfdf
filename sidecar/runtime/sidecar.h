// The running sidecar: registry, sources, API server and output files, wired together, with
// reload (SIGHUP) and shutdown (SIGTERM, SIGINT), each told to the service manager.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "sidecar/config/config.h"
#include "sidecar/config/environment.h"
#include "sidecar/core/registry.h"
#include "sidecar/core/source.h"
#include "sidecar/runtime/liveness_prober.h"
#include "sidecar/runtime/local_network.h"
#include "sidecar/runtime/output_writer.h"
#include "sidecar/runtime/service_notifier.h"
#include "sidecar/runtime/source_runner.h"
#include "sidecar/runtime/template_writer.h"
#include "sidecar/server/api.h"
#include "sidecar/server/http_server.h"

namespace peerscout {

class Sidecar {
 public:
  // Claims the socket and starts every source. Refuses (with the reason) on a source that
  // cannot be made from its config or a socket that is taken.
  static ErrorOr<std::unique_ptr<Sidecar>> Start(Config config, SourceCatalog catalog,
                                                 Environment env,
                                                 std::unique_ptr<ServiceNotifier> notifier);
  ~Sidecar();

  // Serves until SIGTERM or SIGINT; on SIGHUP calls `load` and applies the new config, or
  // keeps the old one when `load` refuses. The caller blocks these signals in every thread
  // (BlockSignals) before Start.
  void RunUntilSignal(const std::function<ErrorOr<Config>()>& load);

  // Applies a new config; refuses it (keeping the old) when a source cannot be made from it.
  bool Reload(Config config);

  static void BlockSignals();

 private:
  Sidecar(Config config, SourceCatalog catalog, Environment env,
          std::unique_ptr<ServiceNotifier> notifier);
  ErrorOr<std::vector<RunnableSource>> MakeSources(const Config& config) const;
  void Tick();
  uint64_t Activity() const;
  void Notify();
  void OnHangup(const std::function<ErrorOr<Config>()>& load);
  void ApplyLiveness(const LivenessConfig& liveness);

  Config config_;
  SourceCatalog catalog_;
  Environment env_;
  Telemetry telemetry_;
  Registry registry_;
  Api api_;
  OutputWriter outputs_;
  TemplateWriter templates_;
  std::unique_ptr<HttpServer> server_;
  SourceRunner sources_;
  std::unique_ptr<LivenessProber> liveness_;  // while [liveness] is on
  LocalNetwork network_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point network_read_;
  bool ready_ = false;           // every source has reported, or the startup deadline passed
  uint64_t returned_after_ = 0;  // Activity() when freed memory was last returned
  std::unique_ptr<ServiceNotifier> notifier_;
  bool announced_ready_ = false;  // ready_, the first files written, and READY=1 sent
  bool reload_refused_ = false;   // until the next reload that is applied
};

Registry::Options RegistryOptions(const Config& config);

}  // namespace peerscout
