#include "sidecar/config/app_profile.h"

#include <algorithm>

namespace peerscout {
namespace {

std::vector<AppProfile> MakeBuiltins() {
  std::vector<AppProfile> profiles;
  // exo's libp2p port is OS-assigned unless --libp2p-port is given, and 52415 is its HTTP API,
  // so there is no port to assume: it comes from tags or from exo's own mDNS answer.
  profiles.push_back({"exo-libp2p",
                      "exo v1.0.69-71, the libp2p era",
                      "EXO_BOOTSTRAP_PEERS",
                      "exo",
                      std::nullopt,
                      "exo",
                      "_exo._tcp",
                      AddressFamilies::kIpv4,
                      {}});
  profiles.push_back({"skulk",
                      "Skulk, exo's libp2p fork",
                      "SKULK_BOOTSTRAP_PEERS",
                      "exo",
                      52416,
                      "skulk",
                      "_skulk._tcp",
                      AddressFamilies::kIpv4,
                      {}});
  // zenoh-era exo fails at start when EXO_BOOTSTRAP_PEERS is set, and has no way in yet but
  // its own discovery, which the exo source speaks; EXO_ZENOH_CONNECT is the proposed way in,
  // written for the day exo reads it.
  profiles.push_back({"exo-zenoh",
                      "exo main, the zenoh era: EXO_ZENOH_CONNECT is a proposal, and "
                      "EXO_BOOTSTRAP_PEERS stops it",
                      "EXO_ZENOH_CONNECT",
                      "zenoh",
                      52414,
                      "exo",
                      "_exo-zenoh._tcp",
                      AddressFamilies::kAny,
                      {"EXO_BOOTSTRAP_PEERS", "EXO_LIBP2P_NAMESPACE"},
                      {"exo"}});
  profiles.push_back({std::string(kDefaultAppName),
                      "any other app",
                      "PEERSCOUT_PEERS",
                      "multiaddr",
                      std::nullopt,
                      "",
                      "_peerscout._tcp",
                      AddressFamilies::kAny,
                      {}});
  return profiles;
}

}  // namespace

std::optional<std::string> AppProfile::DefaultFor(AppField field) const {
  switch (field) {
    case AppField::kTagPrefix:
      if (!tag_prefix.empty()) return tag_prefix;
      break;
    case AppField::kAppPort:
      if (app_port) return std::to_string(*app_port);
      break;
    case AppField::kServiceType:
      if (!service_type.empty()) return service_type;
      break;
    case AppField::kAppName:
      // The generic profile names no app: its advertisements say nothing about one.
      if (name != kDefaultAppName) return name;
      break;
    case AppField::kIpv6:
      if (families == AddressFamilies::kIpv4) return std::string("false");
      break;
    case AppField::kIntroduce:
      if (TurnsOn("exo")) return std::string("true");
      break;
    case AppField::kNone:
      break;
  }
  return std::nullopt;
}

bool AppProfile::TurnsOn(std::string_view source_type) const {
  return std::find(sources.begin(), sources.end(), source_type) != sources.end();
}

const std::vector<AppProfile>& BuiltinAppProfiles() {
  static const std::vector<AppProfile> profiles = MakeBuiltins();
  return profiles;
}

const AppProfile* FindAppProfile(const std::vector<AppProfile>& profiles, std::string_view name) {
  for (const AppProfile& profile : profiles) {
    if (profile.name == name) return &profile;
  }
  return nullptr;
}

}  // namespace peerscout
