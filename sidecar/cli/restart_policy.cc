#include "sidecar/cli/restart_policy.h"

#include <algorithm>
#include <set>
#include <string>

namespace peerscout::cli {
namespace {

std::set<std::string_view> Entries(std::string_view list) {
  std::set<std::string_view> entries;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (comma != 0) entries.insert(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return entries;
}

std::string_view ValueOf(const EnvValues& values, const std::string& name) {
  for (const auto& [variable, value] : values) {
    if (variable == name) return value;
  }
  return {};
}

}  // namespace

std::optional<RestartPolicy> ParseRestartPolicy(std::string_view text) {
  if (text == "never") return RestartPolicy::kNever;
  if (text == "on-change") return RestartPolicy::kOnChange;
  if (text == "on-add") return RestartPolicy::kOnAdd;
  return std::nullopt;
}

bool WarrantsRestart(RestartPolicy policy, const EnvValues& running, const EnvValues& latest) {
  switch (policy) {
    case RestartPolicy::kNever:
      return false;
    case RestartPolicy::kOnChange:
      return running != latest;
    case RestartPolicy::kOnAdd:
      break;
  }
  for (const auto& [variable, value] : latest) {
    const std::set<std::string_view> before = Entries(ValueOf(running, variable));
    for (std::string_view entry : Entries(value)) {
      if (!before.count(entry)) return true;
    }
  }
  return false;
}

void Debounce::Change(Clock::time_point now) {
  if (!first_) first_ = now;
  last_ = now;
}

std::optional<Debounce::Clock::time_point> Debounce::Due() const {
  if (!first_) return std::nullopt;
  return std::min(last_ + min_, *first_ + max_);
}

}  // namespace peerscout::cli
