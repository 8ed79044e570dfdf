// What an app wants from peerscout, as data: the variable it reads its peers from and how they
// are written there, the port it listens on, the tags and mDNS service type its nodes use, and
// the variables that stop it from starting. `app = "<name>"` selects one; [apps.<name>] tables
// change a built-in one or add the user's own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/option/option.h"
#include "sidecar/render/peer_filter.h"

namespace peerscout {

struct AppProfile {
  std::string name;
  std::string help;
  std::string variable;  // set by `peerscout exec` and added to env outputs; empty: none
  std::string format;    // the list format of the variable's value
  std::optional<uint16_t> app_port;
  std::string tag_prefix;  // empty: the sources' own default
  std::string service_type;
  AddressFamilies families = AddressFamilies::kAny;
  // Never in the app's environment, inherited or asked for: the app refuses to start with them.
  std::vector<std::string> refused_variables;
  // Source types the app turns on without a table of their own (exo-zenoh: exo).
  std::vector<std::string> sources{};

  bool TurnsOn(std::string_view source_type) const;

  // The default, in variable syntax, this profile gives a key that follows `field`; nullopt
  // leaves the key's own default.
  std::optional<std::string> DefaultFor(AppField field) const;
  bool operator==(const AppProfile&) const = default;
};

// exo-libp2p, skulk, exo-zenoh and generic; generic is what an unset `app` means.
const std::vector<AppProfile>& BuiltinAppProfiles();
inline constexpr std::string_view kDefaultAppName = "generic";

const AppProfile* FindAppProfile(const std::vector<AppProfile>& profiles, std::string_view name);

}  // namespace peerscout
