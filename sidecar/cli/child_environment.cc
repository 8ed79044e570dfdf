#include "sidecar/cli/child_environment.h"

#include <fnmatch.h>

#include <algorithm>

namespace peerscout::cli {
namespace {

bool MatchesAny(const std::vector<std::string>& globs, const std::string& name) {
  return std::any_of(globs.begin(), globs.end(), [&name](const std::string& glob) {
    return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0;
  });
}

bool Inherits(const EnvironmentPolicy& policy, const std::string& name) {
  if (std::find(policy.refused.begin(), policy.refused.end(), name) != policy.refused.end()) {
    return false;
  }
  if (MatchesAny(policy.deny, name)) return false;
  if (!policy.allow.empty()) return MatchesAny(policy.allow, name);
  return !policy.pristine;
}

}  // namespace

std::vector<std::string> ChildEnvironment(const std::vector<std::string>& inherited,
                                          const EnvironmentPolicy& policy, const EnvValues& set) {
  std::vector<std::string> environment;
  for (const std::string& entry : inherited) {
    const std::string name = entry.substr(0, entry.find('='));
    const bool overridden = std::any_of(set.begin(), set.end(),
                                        [&name](const auto& value) { return value.first == name; });
    if (!overridden && Inherits(policy, name)) environment.push_back(entry);
  }
  for (const auto& [name, value] : set) {
    const auto& refused = policy.refused;
    if (std::find(refused.begin(), refused.end(), name) == refused.end()) {
      environment.push_back(name + "=" + value);
    }
  }
  return environment;
}

}  // namespace peerscout::cli
