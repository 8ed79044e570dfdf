#include "sidecar/config/config_loader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "sidecar/config/config_schema.h"
#include "sidecar/net/endpoint.h"
#include "sidecar/render/shell_quote.h"
#include "sidecar/system/whole_file.h"
#include "sidecar/tailnet/app_tags.h"

namespace peerscout {
namespace {

std::string Upper(std::string_view text) {
  std::string upper;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') {
      upper += static_cast<char>(c - 'a' + 'A');
    } else if (c == '-' || c == '.') {
      upper += '_';
    } else {
      upper += c;
    }
  }
  return upper;
}

bool IsSourceName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

class Loader {
 public:
  Loader(std::string file, const Environment& env, SourceCatalog catalog)
      : file_(std::move(file)), env_(env), catalog_(catalog) {}

  ErrorOr<Config> Load() {
    toml::table root;
    if (!file_.empty()) {
      try {
        root = toml::parse_file(file_);
      } catch (const toml::parse_error& error) {
        // toml++ reports a file it cannot open at line 0.
        if (error.source().begin.line == 0) {
          return ErrorOr<Config>::Error(file_ + ": " + std::string(error.description()));
        }
        return ErrorOr<Config>::Error(file_ + ":" + std::to_string(error.source().begin.line) +
                                      ": " + std::string(error.description()));
      }
    }
    Config config;
    config.file = file_;
    const OptionValues top =
        ReadTable(&root, FindSection("").options, "the top level", "PEERSCOUT", CheckTables(root));
    config.runtime_dir = top.Get<std::string>("runtime_dir");
    BuildApps(root, top, config);
    app_ = &config.app;
    BuildLog(Section(root, "log"), config.log);
    BuildServer(Section(root, "server"), config);
    BuildRegistry(Section(root, "registry"), config.registry);
    BuildSelf(Section(root, "self"), config.self);
    for (const ArrayEntry& entry : ArrayEntries(root, "static")) BuildStatic(entry, config);
    BuildSources(root, config);
    for (const ArrayEntry& entry : ArrayEntries(root, "output")) BuildOutput(entry, config);
    for (const ArrayEntry& entry : ArrayEntries(root, "template")) BuildTemplate(entry, config);
    if (!errors_.empty()) {
      std::string message;
      for (const std::string& error : errors_) message += (message.empty() ? "" : "\n") + error;
      return ErrorOr<Config>::Error(message);
    }
    return config;
  }

 private:
  std::string Where(const toml::node& node) const {
    return file_ + ":" + std::to_string(node.source().begin.line);
  }

  void Error(std::string message) { errors_.push_back(std::move(message)); }

  // Where a key was set; for a key left at its default, the table it belongs in.
  static std::string OriginOf(const OptionValues& values, std::string_view key,
                              const std::string& table) {
    std::string origin = values.Origin(key);
    return origin == "default" ? table : origin;
  }

  // The tables the top level may hold: the schema's sections and [sources]. Each must have the
  // shape its section says; returns their names, which are not top-level keys.
  std::set<std::string_view> CheckTables(const toml::table& root) {
    std::set<std::string_view> tables{"sources"};
    for (const SectionSpec& section : CoreSections()) {
      if (!section.name.empty()) tables.insert(section.name);
    }
    for (const auto& [key, node] : root) {
      const std::string_view name = key.str();
      if (!tables.count(name)) continue;
      const bool is_array = name != "sources" && FindSection(name).is_array;
      // [sources.<name>] and [apps.<name>]: each entry is checked where it is read.
      if (is_array && !node.is_array_of_tables()) {
        Error(Where(node) + ": [[" + std::string(name) + "]] must be an array of tables");
      } else if (!is_array && !node.is_table()) {
        Error(Where(node) + ": [" + std::string(name) + "] must be a table");
      }
    }
    return tables;
  }

  // Defaults, then the table's keys, then the variables named by `env_prefix`.
  OptionValues ReadTable(const toml::table* table, std::span<const OptionSpec> specs,
                         std::string_view label, const std::string& env_prefix,
                         const std::set<std::string_view>& other_keys = {}) {
    OptionValues values;
    for (const OptionSpec& spec : specs) {
      auto value = ParseOptionText(spec, spec.default_text);
      if (value) values.Set(std::string(spec.key), *value, "default");
      if (auto text = ProfileDefault(spec)) {
        auto profile_value = ParseOptionText(spec, *text);
        if (profile_value) values.Set(std::string(spec.key), *profile_value, "app " + app_->name);
      }
    }
    if (table != nullptr) {
      for (const auto& [key, node] : *table) {
        const OptionSpec* spec = Find(specs, key.str());
        if (spec == nullptr) {
          if (!other_keys.count(key.str())) {
            Error(Where(node) + ": unknown key '" + std::string(key.str()) + "' in " +
                  std::string(label));
          }
          continue;
        }
        auto value = ParseOptionNode(*spec, node);
        if (!value) {
          Error(Where(node) + ": " + std::string(key.str()) + ": " + value.error());
          continue;
        }
        values.Set(std::string(spec->key), *value, Where(node));
      }
    }
    for (const OptionSpec& spec : specs) {
      const std::string variable = env_prefix + "_" + Upper(spec.key);
      auto text = env_.Get(variable);
      if (!text) continue;
      auto value = ParseOptionText(spec, *text);
      if (!value) {
        Error(variable + ": " + value.error());
        continue;
      }
      values.Set(std::string(spec.key), *value, variable);
    }
    return values;
  }

  std::optional<std::string> ProfileDefault(const OptionSpec& spec) const {
    if (app_ == nullptr || spec.app_field == AppField::kNone) return std::nullopt;
    return app_->DefaultFor(spec.app_field);
  }

  static const OptionSpec* Find(std::span<const OptionSpec> specs, std::string_view key) {
    for (const OptionSpec& spec : specs) {
      if (spec.key == key) return &spec;
    }
    return nullptr;
  }

  OptionValues Section(const toml::table& root, std::string_view name) {
    const SectionSpec& section = FindSection(name);
    return ReadTable(root[name].as_table(), section.options, "[" + std::string(name) + "]",
                     OverrideVariable(name, ""));
  }

  struct ArrayEntry {
    OptionValues values;
    std::string where;  // "sidecar.toml:40", or the variables' prefix
  };

  // [[name]] entries from the file, then PEERSCOUT_<NAME>_<i>_<KEY> ones past its end.
  std::vector<ArrayEntry> ArrayEntries(const toml::table& root, std::string_view name) {
    const SectionSpec& section = FindSection(name);
    std::vector<ArrayEntry> entries;
    const toml::array* array = root[name].as_array();
    size_t count = array ? array->size() : 0;
    const std::string prefix = "PEERSCOUT_" + Upper(name) + "_";
    for (const auto& [variable, value] : env_.all()) {
      if (variable.rfind(prefix, 0) != 0) continue;
      size_t index = 0;
      size_t digits = 0;
      while (prefix.size() + digits < variable.size() &&
             std::isdigit(static_cast<unsigned char>(variable[prefix.size() + digits]))) {
        index = index * 10 + static_cast<size_t>(variable[prefix.size() + digits] - '0');
        ++digits;
      }
      if (digits > 0 && digits < 4) count = std::max(count, index + 1);
    }
    for (size_t i = 0; i < count; ++i) {
      const toml::table* table = nullptr;
      if (array && i < array->size()) table = (*array)[i].as_table();
      const std::string label = "[[" + std::string(name) + "]] #" + std::to_string(i);
      const std::string env_prefix = prefix + std::to_string(i);
      entries.push_back({ReadTable(table, section.options, label, env_prefix),
                         table ? Where(*table) : env_prefix});
    }
    return entries;
  }

  // The built-in profiles, then [apps.<name>] tables (and PEERSCOUT_APPS_<NAME>_<KEY>), each
  // key changing one field of its base; then the one `app` names.
  void BuildApps(const toml::table& root, const OptionValues& top, Config& config) {
    config.apps = BuiltinAppProfiles();
    const toml::table* tables = root["apps"].as_table();
    std::set<std::string> names;
    for (const AppProfile& profile : config.apps) names.insert(profile.name);
    if (tables) {
      for (const auto& [key, node] : *tables) {
        if (!node.is_table()) {
          Error(Where(node) + ": [apps." + std::string(key.str()) + "] must be a table");
        } else if (!IsSourceName(key.str())) {
          Error(Where(node) + ": app name '" + std::string(key.str()) +
                "': use lowercase letters, digits, '-' and '_'");
        } else {
          names.emplace(key.str());
        }
      }
    }
    for (const std::string& name : names) {
      const toml::table* table = tables ? (*tables)[name].as_table() : nullptr;
      BuildApp(name, table, config.apps);
    }
    const std::string& name = top.Get<std::string>("app");
    if (const AppProfile* profile = FindAppProfile(config.apps, name)) {
      config.app = *profile;
      return;
    }
    std::string known;
    for (const AppProfile& profile : config.apps)
      known += (known.empty() ? "" : ", ") + profile.name;
    Error(top.Origin("app") + ": app '" + name + "': no such profile (known: " + known + ")");
    config.app = *FindAppProfile(config.apps, kDefaultAppName);
  }

  static bool IsSet(const OptionValues& values, std::string_view key) {
    return values.Has(key) && values.Origin(key) != "default";
  }

  void BuildApp(const std::string& name, const toml::table* table,
                std::vector<AppProfile>& profiles) {
    const std::string label = "[apps." + name + "]";
    const OptionValues values =
        ReadTable(table, FindSection("apps").options, label, "PEERSCOUT_APPS_" + Upper(name));
    const auto existing = std::find_if(profiles.begin(), profiles.end(),
                                       [&name](const AppProfile& p) { return p.name == name; });
    std::string base_name = existing != profiles.end() ? name : std::string(kDefaultAppName);
    if (IsSet(values, "base")) base_name = values.Get<std::string>("base");
    const AppProfile* base = FindAppProfile(profiles, base_name);
    if (base == nullptr) {
      Error(values.Origin("base") + ": " + label + " base: no profile '" + base_name + "'");
      return;
    }
    AppProfile profile = *base;
    if (profile.name != name) profile.help = "like " + profile.name + ", with [apps." + name + "]";
    profile.name = name;
    const auto where = [&](std::string_view key) {
      return values.Origin(key) + ": " + label + " ";
    };
    if (IsSet(values, "help")) profile.help = values.Get<std::string>("help");
    if (IsSet(values, "variable")) {
      profile.variable = values.Get<std::string>("variable");
      if (!profile.variable.empty() && !IsEnvVarName(profile.variable)) {
        Error(where("variable") + "variable: '" + profile.variable + "' is not a variable name");
      }
    }
    if (IsSet(values, "format")) {
      profile.format = values.Get<std::string>("format");
      const Format* format = FindFormat(profile.format);
      if (format == nullptr || !format->is_list) {
        Error(where("format") + "format: '" + profile.format +
              "' is not a list format (exo, multiaddr, zenoh, lines)");
      }
    }
    if (IsSet(values, "app_port")) {
      const int64_t port = values.Get<int64_t>("app_port");
      if (port < 1 || port > 65535) Error(where("app_port") + "app_port: must be 1-65535");
      profile.app_port = static_cast<uint16_t>(port);
    }
    if (IsSet(values, "tag_prefix")) {
      auto prefix = CheckTagPrefix(values.Get<std::string>("tag_prefix"));
      if (!prefix) Error(where("tag_prefix") + "tag_prefix: " + prefix.error());
      profile.tag_prefix = values.Get<std::string>("tag_prefix");
    }
    if (IsSet(values, "service_type"))
      profile.service_type = values.Get<std::string>("service_type");
    if (IsSet(values, "families")) {
      profile.families = *ParseAddressFamilies(values.Get<std::string>("families"));
    }
    if (IsSet(values, "refused_variables")) {
      profile.refused_variables = values.Get<std::vector<std::string>>("refused_variables");
    }
    if (!profile.variable.empty() &&
        std::count(profile.refused_variables.begin(), profile.refused_variables.end(),
                   profile.variable) > 0) {
      Error(where("variable") + "variable: " + profile.variable + " is also refused");
    }
    if (existing != profiles.end()) {
      *existing = std::move(profile);
    } else {
      profiles.push_back(std::move(profile));
    }
  }

  void BuildLog(const OptionValues& values, LogConfig& log) {
    log.level = values.Get<std::string>("level");
    log.format = values.Get<std::string>("format");
  }

  std::string UnderRuntimeDir(const Config& config, const std::string& path) const {
    if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
    return (std::filesystem::path(config.runtime_dir) / path).string();
  }

  void BuildServer(const OptionValues& values, Config& config) {
    ServerConfig& server = config.server;
    std::string socket = values.Get<std::string>("socket");
    if (auto alias = env_.Get("PEERSCOUT_SOCKET"); alias && !alias->empty()) socket = *alias;
    if (socket.empty()) Error(values.Origin("socket") + ": server.socket: empty path");
    server.socket = UnderRuntimeDir(config, socket);
    server.socket_mode = static_cast<uint32_t>(values.Get<int64_t>("socket_mode"));
    server.socket_group = values.Get<std::string>("socket_group");
    server.max_connections = values.Get<int64_t>("max_connections");
    if (server.max_connections < 1 || server.max_connections > 65536) {
      Error(values.Origin("max_connections") + ": server.max_connections: expected 1-65536");
    }
    server.threads = values.Get<int64_t>("threads");
    if (server.threads < 0 || server.threads > 64) {
      Error(values.Origin("threads") + ": server.threads: expected 0-64");
    }
    server.connection_timeout = values.Get<Duration>("connection_timeout");
    server.default_wait = values.Get<Duration>("default_wait");
    server.max_wait = values.Get<Duration>("max_wait");
    if (server.default_wait > server.max_wait) {
      // Only a wait the user chose is an error; the default bows to a shorter max_wait.
      if (values.Origin("default_wait") == "default") {
        server.default_wait = server.max_wait;
      } else {
        Error(values.Origin("default_wait") + ": server.default_wait: longer than max_wait");
      }
    }
  }

  void BuildRegistry(const OptionValues& values, RegistryConfig& registry) {
    registry.stale_after = values.Get<Duration>("stale_after");
    registry.startup_deadline = values.Get<Duration>("startup_deadline");
  }

  template <typename T, typename ParseOne>
  std::vector<T> ParseEach(const OptionValues& values, std::string_view key, ParseOne parse) {
    std::vector<T> parsed;
    for (const std::string& text : values.Get<std::vector<std::string>>(key)) {
      std::optional<T> value = parse(text);
      if (!value) {
        Error(values.Origin(key) + ": self." + std::string(key) + ": '" + text + "' is not valid");
        continue;
      }
      parsed.push_back(*value);
    }
    return parsed;
  }

  void BuildSelf(const OptionValues& values, SelfConfig& self) {
    self.peer_ids = ParseEach<PeerId>(values, "peer_ids", [](const std::string& text) {
      auto id = PeerId::Parse(text);
      return id ? std::optional<PeerId>(*id) : std::nullopt;
    });
    self.addresses = ParseEach<IpAddress>(values, "addresses", IpAddress::Parse);
    self.app_ports = ParseEach<uint16_t>(values, "app_ports", [](const std::string& text) {
      auto port = ParsePort(text);
      return port ? std::optional<uint16_t>(*port) : std::nullopt;
    });
    self.local_subnets = ParseEach<Subnet>(values, "local_subnets", Subnet::Parse);
    self.prefer_ipv6 = values.Get<bool>("prefer_ipv6");
    self.detect_interfaces = values.Get<bool>("detect_interfaces");
    self.interface_refresh = values.Get<Duration>("interface_refresh");
  }

  void BuildStatic(const ArrayEntry& entry, Config& config) {
    const OptionValues& values = entry.values;
    StaticPeer peer;
    peer.origin = entry.where;
    if (!values.Get<std::string>("address").empty()) {
      peer.addresses.push_back(values.Get<std::string>("address"));
    }
    for (const std::string& address : values.Get<std::vector<std::string>>("addresses")) {
      peer.addresses.push_back(address);
    }
    if (peer.addresses.empty()) Error(peer.origin + ": [[static]] needs address or addresses");
    for (const std::string& address : peer.addresses) {
      std::string reason = address.empty()          ? "empty address"
                           : address.front() == '/' ? Multiaddr::Parse(address).error()
                                                    : ParseHostPort(address).error();
      if (!reason.empty()) {
        Error(peer.origin + ": [[static]] address '" + address + "': " + reason);
      }
    }
    peer.name = values.Get<std::string>("name");
    if (!peer.name.empty() && !DnsName::Parse(peer.name)) {
      Error(OriginOf(values, "name", entry.where) +
            ": [[static]] name: " + DnsName::Parse(peer.name).error());
    }
    config.static_peers.push_back(std::move(peer));
  }

  void BuildSources(const toml::table& root, Config& config) {
    const toml::table* tables = root["sources"].as_table();
    std::set<std::string> names;
    for (const SourceFactory& factory : catalog_) {
      if (factory.enabled_by_default || app_->TurnsOn(factory.type)) names.emplace(factory.type);
    }
    if (tables) {
      for (const auto& [key, node] : *tables) {
        if (!node.is_table()) {
          Error(Where(node) + ": [sources." + std::string(key.str()) + "] must be a table");
        } else if (!IsSourceName(key.str())) {
          Error(Where(node) + ": source name '" + std::string(key.str()) +
                "': use lowercase letters, digits, '-' and '_'");
        } else {
          names.emplace(key.str());
        }
      }
    }
    for (const std::string& name : names) {
      const toml::table* table = tables ? (*tables)[name].as_table() : nullptr;
      BuildSource(name, table, config);
    }
  }

  void BuildSource(const std::string& name, const toml::table* table, Config& config) {
    std::string type = name;
    if (table) {
      if (auto declared = (*table)["type"].value<std::string>()) type = *declared;
    }
    const SourceFactory* factory = FindFactory(catalog_, type);
    if (factory == nullptr) {
      std::string known;
      for (const SourceFactory& candidate : catalog_) {
        known += (known.empty() ? "" : ", ") + std::string(candidate.type);
      }
      Error((table ? Where(*table) : std::string("PEERSCOUT_SOURCES")) + ": [sources." + name +
            "]: unknown source type '" + type + "' (known: " + known + ")");
      return;
    }
    std::vector<OptionSpec> specs{
        {"type", OptionKind::kString, "", "Source type; default: the table's name."},
        // A source that is off by default (it needs a URL, say) runs once its table is written,
        // or when the app profile turns it on.
        {"enabled", OptionKind::kBool,
         factory->enabled_by_default || table || app_->TurnsOn(type) ? "true" : "false",
         "Run this source."},
    };
    specs.insert(specs.end(), factory->options.begin(), factory->options.end());
    SourceConfig source;
    source.name = name;
    source.type = type;
    source.options =
        ReadTable(table, specs, "[sources." + name + "]", "PEERSCOUT_SOURCES_" + Upper(name));
    source.enabled = source.options.Get<bool>("enabled");
    config.sources.push_back(std::move(source));
  }

  // A variable that stops the app from starting is never written for it.
  void RefuseAppVariables(const std::vector<EnvVariable>& vars, const std::string& where) {
    for (const EnvVariable& var : vars) {
      const auto& refused = app_->refused_variables;
      if (std::find(refused.begin(), refused.end(), var.name) != refused.end()) {
        Error(where + ": " + var.name + ": app " + app_->name + " refuses to start with it set");
      }
    }
  }

  void BuildOutput(const ArrayEntry& entry, Config& config) {
    const OptionValues& values = entry.values;
    OutputConfig output;
    output.origin = entry.where;
    const std::string& path = values.Get<std::string>("path");
    if (path.empty()) Error(output.origin + ": [[output]] needs a path");
    output.path = UnderRuntimeDir(config, path);
    for (const OutputConfig& other : config.outputs) {
      if (!path.empty() && other.path == output.path) {
        Error(OriginOf(values, "path", entry.where) + ": [[output]] path '" + path +
              "' is written twice");
      }
    }
    const std::string& format_name = values.Get<std::string>("format");
    output.format = FindFormat(format_name);
    if (output.format == nullptr) {
      Error(OriginOf(values, "format", entry.where) + ": [[output]] format '" + format_name +
            "': expected " + FormatNames());
    }
    output.mode = static_cast<uint32_t>(values.Get<int64_t>("mode"));
    output.render.separator = values.Get<std::string>("separator");
    for (const auto& [name, list_format] : values.Get<StringMap>("vars")) {
      const Format* format = FindFormat(list_format);
      if (!IsEnvVarName(name)) {
        Error(OriginOf(values, "vars", entry.where) + ": [[output]] vars: '" + name +
              "' is not a variable name");
      } else if (format == nullptr || !format->is_list) {
        Error(OriginOf(values, "vars", entry.where) + ": [[output]] vars." + name + ": '" +
              list_format + "' is not a list format (exo, multiaddr, lines)");
      }
      output.render.env_vars.push_back({name, list_format});
    }
    RefuseAppVariables(output.render.env_vars, OriginOf(values, "vars", entry.where));
    // An env file for the app has the app's variable, unless vars says what it has.
    if (output.format && output.format->name == "env" && !IsSet(values, "vars") &&
        !config.app.variable.empty() && config.app.variable != "PEERSCOUT_PEERS") {
      output.render.env_vars.push_back(
          {config.app.variable, config.app.format, config.app.families});
    }
    output.filter = BuildFilter(entry, "[[output]]", config);
    config.outputs.push_back(std::move(output));
  }

  // The `sources` and `online` keys that [[output]] and [[template]] share.
  PeerFilter BuildFilter(const ArrayEntry& entry, std::string_view table, const Config& config) {
    const OptionValues& values = entry.values;
    PeerFilter filter;
    filter.sources = values.Get<std::vector<std::string>>("sources");
    for (const std::string& source : filter.sources) {
      bool known = false;
      for (const SourceConfig& declared : config.sources) known = known || declared.name == source;
      if (!known)
        Error(OriginOf(values, "sources", entry.where) + ": " + std::string(table) +
              " sources: no source '" + source + "'");
    }
    const std::string& online = values.Get<std::string>("online");
    if (online != "any") filter.online = online == "true";
    return filter;
  }

  // A template's source is found beside the config file, wherever peerscout was started from;
  // with no config file, from the working directory.
  std::string BesideConfigFile(const std::string& path) const {
    if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
    const std::filesystem::path directory = std::filesystem::path(file_).parent_path();
    return std::filesystem::absolute(directory / path).lexically_normal().string();
  }

  bool WrittenElsewhere(const Config& config, const std::string& path) const {
    for (const OutputConfig& output : config.outputs) {
      if (output.path == path) return true;
    }
    for (const TemplateConfig& other : config.templates) {
      if (other.destination == path) return true;
    }
    return false;
  }

  void BuildTemplate(const ArrayEntry& entry, Config& config) {
    const OptionValues& values = entry.values;
    TemplateConfig output;
    output.origin = entry.where;
    const std::string& destination = values.Get<std::string>("destination");
    if (destination.empty()) Error(output.origin + ": [[template]] needs a destination");
    output.destination = UnderRuntimeDir(config, destination);
    if (!destination.empty() && WrittenElsewhere(config, output.destination)) {
      Error(OriginOf(values, "destination", entry.where) + ": [[template]] destination '" +
            destination + "' is written twice");
    }
    output.source = BesideConfigFile(values.Get<std::string>("source"));
    if (output.source.empty()) {
      Error(output.origin + ": [[template]] needs a source");
    } else {
      ReadTemplate(OriginOf(values, "source", entry.where), output);
    }
    output.mode = static_cast<uint32_t>(values.Get<int64_t>("mode"));
    output.command = values.Get<std::vector<std::string>>("command");
    if (!output.command.empty() && output.command.front().empty()) {
      Error(OriginOf(values, "command", entry.where) +
            ": [[template]] command: the program is empty");
    }
    output.command_timeout = values.Get<Duration>("command_timeout");
    if (output.command_timeout <= Duration(0)) {
      Error(OriginOf(values, "command_timeout", entry.where) +
            ": [[template]] command_timeout: must be longer than 0");
    }
    output.filter = BuildFilter(entry, "[[template]]", config);
    config.templates.push_back(std::move(output));
  }

  // The file is read now, so check-config and a reload report a missing file or a syntax
  // error, and a template that cannot render is never the one running.
  void ReadTemplate(const std::string& where, TemplateConfig& output) {
    std::error_code error;
    if (std::filesystem::is_directory(output.source, error)) {
      Error(where + ": [[template]] source " + output.source + ": is a directory");
      return;
    }
    std::string text;
    errno = 0;
    if (!ReadWholeFile(output.source, text)) {
      Error(where + ": [[template]] source " + output.source + ": cannot read" +
            (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()));
      return;
    }
    auto parsed = PeerTemplate::Parse(std::move(text));
    if (!parsed) {
      Error(where + ": [[template]] source " + output.source + ": " + parsed.error());
      return;
    }
    output.text = std::move(parsed).value();
  }

  std::string file_;
  const Environment& env_;
  SourceCatalog catalog_;
  const AppProfile* app_ = nullptr;  // set once the profiles are read
  std::vector<std::string> errors_;
};

}  // namespace

std::string OverrideVariable(std::string_view section, std::string_view key) {
  std::string name = "PEERSCOUT";
  if (!section.empty()) name += "_" + Upper(section);
  if (!key.empty()) name += "_" + Upper(key);
  return name;
}

ErrorOr<Config> LoadConfig(const std::string& file, const Environment& env, SourceCatalog catalog) {
  return Loader(file, env, catalog).Load();
}

}  // namespace peerscout
