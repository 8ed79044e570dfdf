#include <algorithm>

#include "sidecar/config/config_tables.h"
#include "sidecar/config/template_file.h"
#include "sidecar/render/shell_quote.h"

namespace peerscout {
namespace {

// A variable that stops the app from starting is never written for it.
void RefuseAppVariables(TableReader& reader, const std::vector<EnvVariable>& vars,
                        const std::string& where) {
  const std::vector<std::string>& refused = reader.app().refused_variables;
  for (const EnvVariable& var : vars) {
    if (std::find(refused.begin(), refused.end(), var.name) != refused.end()) {
      reader.Error(where + ": " + var.name + ": app " + reader.app().name +
                   " refuses to start with it set");
    }
  }
}

// The `vars` of an env-format [[output]]: each a variable name and a list format.
void ReadVars(TableReader& reader, const TableEntry& entry, OutputConfig& output) {
  const OptionValues& values = entry.values;
  const std::string where = values.OriginOr("vars", entry.where);
  for (const auto& [name, list_format] : values.Get<StringMap>("vars")) {
    const Format* format = FindFormat(list_format);
    if (!IsEnvVarName(name)) {
      reader.Error(where + ": [[output]] vars: '" + name + "' is not a variable name");
    } else if (format == nullptr || !format->is_list) {
      reader.Error(where + ": [[output]] vars." + name + ": '" + list_format +
                   "' is not a list format (exo, multiaddr, lines)");
    }
    output.render.env_vars.push_back({name, list_format});
  }
  RefuseAppVariables(reader, output.render.env_vars, where);
}

// The `sources`, `online` and `reachable` keys that [[output]] and [[template]] share.
PeerFilter ReadFilter(TableReader& reader, const TableEntry& entry, std::string_view table,
                      const Config& config) {
  const OptionValues& values = entry.values;
  PeerFilter filter;
  filter.sources = values.Get<std::vector<std::string>>("sources");
  for (const std::string& source : filter.sources) {
    bool known = false;
    for (const SourceConfig& declared : config.sources) known = known || declared.name == source;
    if (!known) {
      reader.Error(values.OriginOr("sources", entry.where) + ": " + std::string(table) +
                   " sources: no source '" + source + "'");
    }
  }
  const std::string& online = values.Get<std::string>("online");
  if (online != "any") filter.online = online == "true";
  const std::string& reachable = values.Get<std::string>("reachable");
  if (reachable != "any") filter.reachable = reachable == "true";
  return filter;
}

bool WrittenElsewhere(const Config& config, const std::string& path) {
  for (const OutputConfig& output : config.outputs) {
    if (output.path == path) return true;
  }
  for (const TemplateConfig& other : config.templates) {
    if (other.destination == path) return true;
  }
  return false;
}

}  // namespace

void ReadOutput(TableReader& reader, const TableEntry& entry, Config& config) {
  const OptionValues& values = entry.values;
  OutputConfig output;
  output.origin = entry.where;
  const std::string& path = values.Get<std::string>("path");
  if (path.empty()) reader.Error(output.origin + ": [[output]] needs a path");
  output.path = UnderRuntimeDir(config, path);
  for (const OutputConfig& other : config.outputs) {
    if (!path.empty() && other.path == output.path) {
      reader.Error(values.OriginOr("path", entry.where) + ": [[output]] path '" + path +
                   "' is written twice");
    }
  }
  const std::string& format_name = values.Get<std::string>("format");
  output.format = FindFormat(format_name);
  if (output.format == nullptr) {
    reader.Error(values.OriginOr("format", entry.where) + ": [[output]] format '" + format_name +
                 "': expected " + FormatNames());
  }
  output.mode = static_cast<uint32_t>(values.Get<int64_t>("mode"));
  output.render.separator = values.Get<std::string>("separator");
  ReadVars(reader, entry, output);
  // An env file for the app has the app's variable, unless vars says what it has.
  if (output.format && output.format->name == "env" && !values.IsSet("vars") &&
      !config.app.variable.empty() && config.app.variable != "PEERSCOUT_PEERS") {
    output.render.env_vars.push_back({config.app.variable, config.app.format, config.app.families});
  }
  output.filter = ReadFilter(reader, entry, "[[output]]", config);
  config.outputs.push_back(std::move(output));
}

void ReadTemplate(TableReader& reader, const TableEntry& entry, Config& config) {
  const OptionValues& values = entry.values;
  TemplateConfig output;
  output.origin = entry.where;
  const std::string& destination = values.Get<std::string>("destination");
  if (destination.empty()) reader.Error(output.origin + ": [[template]] needs a destination");
  output.destination = UnderRuntimeDir(config, destination);
  if (!destination.empty() && WrittenElsewhere(config, output.destination)) {
    reader.Error(values.OriginOr("destination", entry.where) + ": [[template]] destination '" +
                 destination + "' is written twice");
  }
  output.source = BesideConfigFile(reader.file(), values.Get<std::string>("source"));
  if (output.source.empty()) {
    reader.Error(output.origin + ": [[template]] needs a source");
  } else if (auto text = ReadTemplateFile(output.source); !text) {
    reader.Error(values.OriginOr("source", entry.where) + ": [[template]] source " + output.source +
                 ": " + text.error());
  } else {
    output.text = std::move(text).value();
  }
  output.mode = static_cast<uint32_t>(values.Get<int64_t>("mode"));
  output.command = values.Get<std::vector<std::string>>("command");
  if (!output.command.empty() && output.command.front().empty()) {
    reader.Error(values.OriginOr("command", entry.where) +
                 ": [[template]] command: the program is empty");
  }
  output.command_timeout = values.Get<Duration>("command_timeout");
  if (output.command_timeout <= Duration(0)) {
    reader.Error(values.OriginOr("command_timeout", entry.where) +
                 ": [[template]] command_timeout: must be longer than 0");
  }
  output.filter = ReadFilter(reader, entry, "[[template]]", config);
  config.templates.push_back(std::move(output));
}

}  // namespace peerscout
