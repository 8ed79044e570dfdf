// The environment `peerscout exec` gives the app: what it inherits, filtered as asked
// (--pristine, --env-allow, --env-deny) and never holding a variable the app refuses to start
// with, then the peer list's variables on top.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace peerscout::cli {

// Variable name and value, in the order they are set.
using EnvValues = std::vector<std::pair<std::string, std::string>>;

struct EnvironmentPolicy {
  bool pristine = false;             // inherit nothing but what `allow` names
  std::vector<std::string> allow;    // globs; when given, only matching variables are inherited
  std::vector<std::string> deny;     // globs; matching variables are never inherited
  std::vector<std::string> refused;  // the app profile's: never inherited, never set
};

// `inherited` holds "NAME=value" entries, as environ does; so does the result.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& inherited,
                                          const EnvironmentPolicy& policy, const EnvValues& set);

}  // namespace peerscout::cli
