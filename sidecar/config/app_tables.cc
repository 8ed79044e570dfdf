#include <algorithm>
#include <set>

#include "sidecar/config/config_schema.h"
#include "sidecar/config/config_tables.h"
#include "sidecar/net/endpoint.h"
#include "sidecar/render/shell_quote.h"
#include "sidecar/tailnet/app_tags.h"

namespace peerscout {
namespace {

// Each key that is set changes one field of `profile`.
void ApplyKeys(TableReader& reader, const OptionValues& values, const std::string& label,
               AppProfile& profile) {
  const auto where = [&](std::string_view key) { return values.Origin(key) + ": " + label + " "; };
  if (values.IsSet("help")) profile.help = values.Get<std::string>("help");
  if (values.IsSet("variable")) {
    profile.variable = values.Get<std::string>("variable");
    if (!profile.variable.empty() && !IsEnvVarName(profile.variable)) {
      reader.Error(where("variable") + "variable: '" + profile.variable +
                   "' is not a variable name");
    }
  }
  if (values.IsSet("format")) {
    profile.format = values.Get<std::string>("format");
    const Format* format = FindFormat(profile.format);
    if (format == nullptr || !format->is_list) {
      reader.Error(where("format") + "format: '" + profile.format +
                   "' is not a list format (exo, multiaddr, zenoh, lines)");
    }
  }
  if (values.IsSet("app_port")) {
    const int64_t port = values.Get<int64_t>("app_port");
    if (port < 1 || port > 65535) reader.Error(where("app_port") + "app_port: must be 1-65535");
    profile.app_port = static_cast<uint16_t>(port);
  }
  if (values.IsSet("tag_prefix")) {
    auto prefix = CheckTagPrefix(values.Get<std::string>("tag_prefix"));
    if (!prefix) reader.Error(where("tag_prefix") + "tag_prefix: " + prefix.error());
    profile.tag_prefix = values.Get<std::string>("tag_prefix");
  }
  if (values.IsSet("service_type")) profile.service_type = values.Get<std::string>("service_type");
  if (values.IsSet("families")) {
    profile.families = *ParseAddressFamilies(values.Get<std::string>("families"));
  }
  if (values.IsSet("refused_variables")) {
    profile.refused_variables = values.Get<std::vector<std::string>>("refused_variables");
  }
  if (!profile.variable.empty() &&
      std::count(profile.refused_variables.begin(), profile.refused_variables.end(),
                 profile.variable) > 0) {
    reader.Error(where("variable") + "variable: " + profile.variable + " is also refused");
  }
}

void ReadApp(TableReader& reader, const std::string& name, const toml::table* table,
             std::vector<AppProfile>& profiles) {
  const std::string label = "[apps." + name + "]";
  const OptionValues values =
      reader.Read(table, FindSection("apps").options, label, OverrideVariable("apps", name));
  const auto existing = std::find_if(profiles.begin(), profiles.end(),
                                     [&name](const AppProfile& p) { return p.name == name; });
  std::string base_name = existing != profiles.end() ? name : std::string(kDefaultAppName);
  if (values.IsSet("base")) base_name = values.Get<std::string>("base");
  const AppProfile* base = FindAppProfile(profiles, base_name);
  if (base == nullptr) {
    reader.Error(values.Origin("base") + ": " + label + " base: no profile '" + base_name + "'");
    return;
  }
  AppProfile profile = *base;
  if (profile.name != name) profile.help = "like " + profile.name + ", with [apps." + name + "]";
  profile.name = name;
  ApplyKeys(reader, values, label, profile);
  if (existing != profiles.end()) {
    *existing = std::move(profile);
  } else {
    profiles.push_back(std::move(profile));
  }
}

// The names of the built-in profiles and of the [apps.<name>] tables that are well formed.
std::set<std::string> AppNames(TableReader& reader, const std::vector<AppProfile>& builtin,
                               const toml::table* tables) {
  std::set<std::string> names;
  for (const AppProfile& profile : builtin) names.insert(profile.name);
  if (tables == nullptr) return names;
  for (const auto& [key, node] : *tables) {
    if (!node.is_table()) {
      reader.Error(reader.Where(node) + ": [apps." + std::string(key.str()) + "] must be a table");
    } else if (!IsTableName(key.str())) {
      reader.Error(reader.Where(node) + ": app name '" + std::string(key.str()) +
                   "': use lowercase letters, digits, '-' and '_'");
    } else {
      names.emplace(key.str());
    }
  }
  return names;
}

}  // namespace

void ReadApps(TableReader& reader, const toml::table& root, const OptionValues& top,
              Config& config) {
  config.apps = BuiltinAppProfiles();
  const toml::table* tables = root["apps"].as_table();
  for (const std::string& name : AppNames(reader, config.apps, tables)) {
    ReadApp(reader, name, tables ? (*tables)[name].as_table() : nullptr, config.apps);
  }
  const std::string& name = top.Get<std::string>("app");
  if (const AppProfile* profile = FindAppProfile(config.apps, name)) {
    config.app = *profile;
    return;
  }
  std::string known;
  for (const AppProfile& profile : config.apps) known += (known.empty() ? "" : ", ") + profile.name;
  reader.Error(top.Origin("app") + ": app '" + name + "': no such profile (known: " + known + ")");
  config.app = *FindAppProfile(config.apps, kDefaultAppName);
}

}  // namespace peerscout
