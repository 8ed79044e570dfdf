#include <spdlog/spdlog.h>

#include <cstdio>

#include "sidecar/cli/commands.h"
#include "sidecar/config/config_loader.h"
#include "sidecar/log/logging.h"
#include "sidecar/runtime/sidecar.h"

namespace peerscout::cli {

int Run(const std::string& config_file, const Environment& env) {
  auto config = LoadConfig(config_file, env, Catalog());
  if (!config) {
    std::fprintf(stderr, "peerscout: bad config:\n%s\n", config.error().c_str());
    return 2;
  }
  ConfigureLogging(config->log);
  // Before any thread starts, so that only the main loop receives them.
  Sidecar::BlockSignals();
  auto sidecar = Sidecar::Start(*config, Catalog(), env);
  if (!sidecar) {
    spdlog::critical("not starting: {}", sidecar.error());
    return 1;
  }
  (*sidecar)->RunUntilSignal(
      [&config_file] { return LoadConfig(config_file, Environment::FromProcess(), Catalog()); });
  return 0;
}

}  // namespace peerscout::cli
