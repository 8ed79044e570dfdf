#include <set>

#include "sidecar/config/config_tables.h"

namespace peerscout {
namespace {

void ReadSource(TableReader& reader, const std::string& name, const toml::table* table,
                SourceCatalog catalog, Config& config) {
  std::string type = name;
  if (table) {
    if (auto declared = (*table)["type"].value<std::string>()) type = *declared;
  }
  const SourceFactory* factory = FindFactory(catalog, type);
  if (factory == nullptr) {
    std::string known;
    for (const SourceFactory& candidate : catalog) {
      known += (known.empty() ? "" : ", ") + std::string(candidate.type);
    }
    reader.Error((table ? reader.Where(*table) : std::string("PEERSCOUT_SOURCES")) + ": [sources." +
                 name + "]: unknown source type '" + type + "' (known: " + known + ")");
    return;
  }
  const bool turned_on = factory->enabled_by_default || reader.app().TurnsOn(type);
  std::vector<OptionSpec> specs{
      {"type", OptionKind::kString, "", "Source type; default: the table's name."},
      // A source that is off by default (it needs a URL, say) runs once its table is written,
      // or when the app profile turns it on.
      {"enabled", OptionKind::kBool, turned_on || table ? "true" : "false", "Run this source."},
  };
  specs.insert(specs.end(), factory->options.begin(), factory->options.end());
  SourceConfig source;
  source.name = name;
  source.type = type;
  source.options =
      reader.Read(table, specs, "[sources." + name + "]", OverrideVariable("sources", name));
  source.enabled = source.options.Get<bool>("enabled");
  config.sources.push_back(std::move(source));
}

}  // namespace

void ReadSourceTables(TableReader& reader, const toml::table& root, SourceCatalog catalog,
                      Config& config) {
  for (const SourceFactory& factory : catalog) {
    for (const SourceTable& table : factory.tables) {
      std::vector<TableEntry>& entries = config.tables[std::string(table.name)];
      for (TableEntry& entry : reader.ArrayEntries(root, table.name, table.options)) {
        for (std::string& error : table.check(entry)) reader.Error(std::move(error));
        entries.push_back(std::move(entry));
      }
    }
  }
}

void ReadSources(TableReader& reader, const toml::table& root, SourceCatalog catalog,
                 Config& config) {
  const toml::table* tables = root["sources"].as_table();
  std::set<std::string> names;
  for (const SourceFactory& factory : catalog) {
    if (factory.enabled_by_default || reader.app().TurnsOn(factory.type)) {
      names.emplace(factory.type);
    }
  }
  if (tables) {
    for (const auto& [key, node] : *tables) {
      if (!node.is_table()) {
        reader.Error(reader.Where(node) + ": [sources." + std::string(key.str()) +
                     "] must be a table");
      } else if (!IsTableName(key.str())) {
        reader.Error(reader.Where(node) + ": source name '" + std::string(key.str()) +
                     "': use lowercase letters, digits, '-' and '_'");
      } else {
        names.emplace(key.str());
      }
    }
  }
  for (const std::string& name : names) {
    ReadSource(reader, name, tables ? (*tables)[name].as_table() : nullptr, catalog, config);
  }
}

}  // namespace peerscout
