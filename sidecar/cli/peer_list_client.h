// What `peerscout exec` asks the sidecar: is it ready, how many peers, the app it serves, and
// the variables' values, all from one version of the list.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/cli/child_environment.h"
#include "sidecar/config/app_profile.h"

namespace peerscout::cli {

using SteadyClock = std::chrono::steady_clock;

// A variable and how its value is written: a list format, narrowed to some address families.
struct EnvSpec {
  std::string variable;
  std::string format;
  AddressFamilies families = AddressFamilies::kAny;
  bool reachable_only = false;  // exec --reachable: peers with an address that answered
};

// Polls /v1/health until it says 200 (every source reported) or the deadline passes. False
// with `reachable` true: the sidecar answers but some source has not reported yet.
bool WaitUntilHealthy(const std::string& socket, SteadyClock::time_point deadline, bool& reachable,
                      std::string& last_error);

// Blocks on the list until it has `min_peers` peers (reachable ones only, if asked) or the
// deadline passes; the count.
size_t WaitForPeers(const std::string& socket, size_t min_peers, bool reachable_only,
                    SteadyClock::time_point deadline);

// The app profile the sidecar was configured with (GET /v1/app).
ErrorOr<AppProfile> FetchApp(const std::string& socket);

struct ListValues {
  uint64_t version = 0;
  EnvValues values;
};

// Every variable's value from one version of the list: read again if it changed in between.
ErrorOr<ListValues> FetchValues(const std::string& socket, const std::vector<EnvSpec>& specs);

// Blocks until the list's version differs from `index` (or `wait` passes); the new version, or
// nullopt when the sidecar could not be asked.
std::optional<uint64_t> WaitForChange(const std::string& socket, uint64_t index,
                                      std::chrono::seconds wait);

}  // namespace peerscout::cli
