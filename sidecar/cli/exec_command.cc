// peerscout exec: wait for the sidecar (and for enough peers), put the peer list in the
// app's environment, and start the app. The app is not modified and needs no client of ours.
// With --restart never (the default) peerscout becomes the app; otherwise it stays as the
// app's parent to restart it when the list changes.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "sidecar/cli/child_process.h"
#include "sidecar/cli/commands.h"
#include "sidecar/cli/exec_supervisor.h"
#include "sidecar/render/format.h"
#include "sidecar/render/shell_quote.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace peerscout::cli {
namespace {

constexpr int kUsage = 64;        // EX_USAGE
constexpr int kUnavailable = 69;  // EX_UNAVAILABLE
constexpr int kTempFail = 75;     // EX_TEMPFAIL: too few peers by the deadline

// --env VAR=FORMAT, checked before anything waits.
std::optional<std::vector<EnvSpec>> ParseEnvFlags(const std::vector<std::string>& texts) {
  std::vector<EnvSpec> specs;
  for (const std::string& text : texts) {
    const size_t equals = text.find('=');
    EnvSpec spec{text.substr(0, equals),
                 equals == std::string::npos ? "" : text.substr(equals + 1)};
    const Format* format = FindFormat(spec.format);
    if (!IsEnvVarName(spec.variable) || format == nullptr || !format->is_list) {
      std::fprintf(stderr,
                   "peerscout exec: --env %s: expected VAR=FORMAT with a list format (exo, "
                   "multiaddr, zenoh, lines)\n",
                   text.c_str());
      return std::nullopt;
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

// Without --env, the app's own variable, narrowed to what it dials. Never one it refuses.
bool AddAppSpecs(std::vector<EnvSpec>& specs, const AppProfile& app) {
  if (specs.empty() && !app.variable.empty()) {
    specs.push_back({app.variable, app.format, app.families});
  }
  if (specs.empty()) specs.push_back({"PEERSCOUT_PEERS", "multiaddr"});
  for (const EnvSpec& spec : specs) {
    const auto& refused = app.refused_variables;
    if (std::find(refused.begin(), refused.end(), spec.variable) != refused.end()) {
      std::fprintf(stderr, "peerscout exec: --env %s: app %s refuses to start with it set\n",
                   spec.variable.c_str(), app.name.c_str());
      return false;
    }
  }
  return true;
}

std::vector<std::string> InheritedEnvironment() {
  std::vector<std::string> inherited;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    inherited.emplace_back(*entry);
  }
  return inherited;
}

// The app profile: --app from the local config (or a built-in one), else the sidecar's.
std::optional<AppProfile> ResolveApp(const std::string& socket, const ExecOptions& options) {
  if (options.app) return *options.app;
  auto app = FetchApp(socket);
  if (!app) {
    std::fprintf(stderr, "peerscout exec: asking the sidecar for its app: %s\n",
                 app.error().c_str());
    return std::nullopt;
  }
  return *app;
}

// Waits for the sidecar and for --min-peers; an exit code when exec must stop.
std::optional<int> WaitForList(const std::string& socket, const ExecOptions& options) {
  const auto deadline = SteadyClock::now() + options.wait;
  bool reachable = false;
  std::string error;
  if (!WaitUntilHealthy(socket, deadline, reachable, error)) {
    if (!reachable || options.fail_on_timeout) {
      std::fprintf(stderr, "peerscout exec: sidecar not ready: %s\n", error.c_str());
      return kUnavailable;
    }
    std::fprintf(stderr, "peerscout exec: %s after --wait; starting with what it has\n",
                 error.c_str());
  }
  if (options.min_peers <= 0) return std::nullopt;
  const size_t count = WaitForPeers(socket, static_cast<size_t>(options.min_peers),
                                    options.reachable_only, deadline);
  if (count >= static_cast<size_t>(options.min_peers)) return std::nullopt;
  std::fprintf(stderr, "peerscout exec: %zu of %d %speers after --wait; %s\n", count,
               options.min_peers, options.reachable_only ? "reachable " : "",
               options.fail_on_timeout ? "giving up" : "starting anyway");
  if (options.fail_on_timeout) return kTempFail;
  return std::nullopt;
}

}  // namespace

int Exec(const std::string& socket, const ExecOptions& options) {
  if (options.command.empty()) {
    std::fprintf(stderr, "peerscout exec: no command after --\n");
    return kUsage;
  }
  auto specs = ParseEnvFlags(options.env);
  if (!specs) return kUsage;
  if (auto stop = WaitForList(socket, options)) return *stop;
  std::optional<AppProfile> app = ResolveApp(socket, options);
  if (!app) return kUnavailable;
  if (!AddAppSpecs(*specs, *app)) return kUsage;
  for (EnvSpec& spec : *specs) spec.reachable_only = options.reachable_only;
  auto list = FetchValues(socket, *specs);
  if (!list) {
    std::fprintf(stderr, "peerscout exec: %s\n", list.error().c_str());
    return kUnavailable;
  }
  EnvironmentPolicy policy = options.environment;
  policy.refused = app->refused_variables;
  const std::vector<std::string> inherited = InheritedEnvironment();
  const EnvironmentFor environment = [&inherited, &policy](const EnvValues& values) {
    return ChildEnvironment(inherited, policy, values);
  };
  if (options.supervisor.restart == RestartPolicy::kNever) {
    return ExecChild(options.command, environment(list->values));
  }
  const int code = Supervise(socket, *specs, options.command, environment, options.supervisor,
                             std::move(list).value());
  // The list's watch thread may be inside a query; it has nothing to finish.
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace peerscout::cli
