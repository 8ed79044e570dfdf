#include "sidecar/config/config_loader.h"

#include <set>

#include "sidecar/config/config_schema.h"
#include "sidecar/config/config_tables.h"
#include "sidecar/config/table_reader.h"

namespace peerscout {
namespace {

// The tables the top level may hold: the schema's sections, [sources] and the arrays source
// types own. Each must have the shape its section says; returns their names, which are not
// top-level keys.
std::set<std::string_view> CheckTables(TableReader& reader, const toml::table& root,
                                       SourceCatalog catalog) {
  std::set<std::string_view> tables{"sources"};
  std::set<std::string_view> arrays;
  for (const SectionSpec& section : CoreSections()) {
    if (!section.name.empty()) tables.insert(section.name);
    if (section.is_array) arrays.insert(section.name);
  }
  for (const SourceFactory& factory : catalog) {
    for (const SourceTable& table : factory.tables) {
      tables.insert(table.name);
      arrays.insert(table.name);
    }
  }
  for (const auto& [key, node] : root) {
    const std::string_view name = key.str();
    if (!tables.count(name)) continue;
    // [sources.<name>] and [apps.<name>]: each entry is checked where it is read.
    if (arrays.count(name) && !node.is_array_of_tables()) {
      reader.Error(reader.Where(node) + ": [[" + std::string(name) +
                   "]] must be an array of tables");
    } else if (!arrays.count(name) && !node.is_table()) {
      reader.Error(reader.Where(node) + ": [" + std::string(name) + "] must be a table");
    }
  }
  return tables;
}

}  // namespace

ErrorOr<Config> LoadConfig(const std::string& file, const Environment& env, SourceCatalog catalog) {
  TableReader reader(file, env);
  auto root = reader.ParseFile();
  if (!root) return ErrorOr<Config>::Error(root.error());
  Config config;
  config.file = file;
  const OptionValues top = reader.Read(&*root, FindSection("").options, "the top level",
                                       "PEERSCOUT", CheckTables(reader, *root, catalog));
  config.runtime_dir = top.Get<std::string>("runtime_dir");
  ReadApps(reader, *root, top, config);
  reader.UseProfile(config.app);
  ReadCoreTables(reader, *root, config);
  ReadSourceTables(reader, *root, catalog, config);
  ReadSources(reader, *root, catalog, config);
  for (const TableEntry& entry :
       reader.ArrayEntries(*root, "output", FindSection("output").options)) {
    ReadOutput(reader, entry, config);
  }
  for (const TableEntry& entry :
       reader.ArrayEntries(*root, "template", FindSection("template").options)) {
    ReadTemplate(reader, entry, config);
  }
  std::string errors = reader.Errors();
  if (!errors.empty()) return ErrorOr<Config>::Error(std::move(errors));
  return config;
}

}  // namespace peerscout
