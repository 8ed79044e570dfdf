// When `peerscout exec` restarts the app for a new peer list, and how changes are coalesced.
// An environment cannot change inside a running process, so a restart is the only way an app
// sees a new list; exo and Skulk keep re-dialing their first list, hence `never` by default.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "sidecar/cli/child_environment.h"

namespace peerscout::cli {

enum class RestartPolicy { kNever, kOnChange, kOnAdd };
std::optional<RestartPolicy> ParseRestartPolicy(std::string_view text);

// Whether an app started with `running` must restart to see `latest`: on-change for any
// difference, on-add only when an entry (a comma-separated item) appeared.
bool WarrantsRestart(RestartPolicy policy, const EnvValues& running, const EnvValues& latest);

// consul-template's wait {min, max}: act once changes have been quiet for `min`, but no later
// than `max` after the first of them, so a steady trickle cannot put a restart off forever.
class Debounce {
 public:
  using Clock = std::chrono::steady_clock;
  Debounce(Clock::duration min, Clock::duration max) : min_(min), max_(std::max(min, max)) {}

  void Change(Clock::time_point now);
  // When to act on the pending changes; nullopt when none are pending.
  std::optional<Clock::time_point> Due() const;
  void Clear() { first_.reset(); }

 private:
  Clock::duration min_;
  Clock::duration max_;
  std::optional<Clock::time_point> first_;
  Clock::time_point last_{};
};

}  // namespace peerscout::cli
