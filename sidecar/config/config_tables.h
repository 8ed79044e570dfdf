// The config's tables, each read into its part of Config by the file named beside it. The
// loader (config_loader.cc) calls them in the order a reader of the file would expect errors.
#pragma once

#include <toml++/toml.h>

#include <string>

#include "sidecar/config/config.h"
#include "sidecar/config/table_reader.h"
#include "sidecar/core/source.h"

namespace peerscout {

// app_tables.cc: the built-in profiles, changed or added to by [apps.<name>] (and
// PEERSCOUT_APPS_<NAME>_<KEY>); then the one the top-level `app` names.
void ReadApps(TableReader& reader, const toml::table& root, const OptionValues& top,
              Config& config);

// core_tables.cc: [log], [server], [registry], [self] and [liveness].
void ReadCoreTables(TableReader& reader, const toml::table& root, Config& config);

// source_tables.cc: the [[name]] arrays that source types own, then [sources.<name>]: the
// sources every catalog entry or the app profile turns on, and those a table names.
void ReadSourceTables(TableReader& reader, const toml::table& root, SourceCatalog catalog,
                      Config& config);
void ReadSources(TableReader& reader, const toml::table& root, SourceCatalog catalog,
                 Config& config);

// output_tables.cc: [[output]] and [[template]] entries.
void ReadOutput(TableReader& reader, const TableEntry& entry, Config& config);
void ReadTemplate(TableReader& reader, const TableEntry& entry, Config& config);

// `path` relative to runtime_dir made absolute; an absolute or empty one as it is.
std::string UnderRuntimeDir(const Config& config, const std::string& path);

}  // namespace peerscout
