#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cstdio>

#include "sidecar/cli/commands.h"
#include "sidecar/config/config_loader.h"
#include "sidecar/log/logging.h"
#include "sidecar/runtime/process_memory.h"
#include "sidecar/runtime/sidecar.h"

namespace peerscout::cli {
namespace {

// Each API connection is a descriptor, and the common soft limit (1024) is below what
// max_connections allows; the hard limit is ours to take.
void RaiseDescriptorLimit(int64_t max_connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur != limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  const auto wanted = static_cast<rlim_t>(max_connections) + 256;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) {
    spdlog::warn("server: {} descriptors allowed, fewer than max_connections needs ({})",
                 limit.rlim_max, wanted);
  }
}

}  // namespace

int Run(const std::string& config_file, const Environment& env) {
  UseOneMallocArena();
  auto config = LoadConfig(config_file, env, Catalog());
  if (!config) {
    std::fprintf(stderr, "peerscout: bad config:\n%s\n", config.error().c_str());
    return 2;
  }
  ConfigureLogging(config->log);
  RaiseDescriptorLimit(config->server.max_connections);
  // Before any thread starts, so that only the main loop receives them.
  Sidecar::BlockSignals();
  auto sidecar = Sidecar::Start(*config, Catalog(), env, SystemdNotifier(env));
  if (!sidecar) {
    spdlog::critical("not starting: {}", sidecar.error());
    return 1;
  }
  (*sidecar)->RunUntilSignal(
      [&config_file] { return LoadConfig(config_file, Environment::FromProcess(), Catalog()); });
  return 0;
}

}  // namespace peerscout::cli
