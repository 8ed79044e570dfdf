#include <cstdio>

#include "sidecar/cli/commands.h"
#include "sidecar/config/config_loader.h"
#include "sidecar/config/config_schema.h"
#include "sidecar/config/table_reader.h"

namespace peerscout::cli {
namespace {

std::string_view KindName(OptionKind kind) {
  switch (kind) {
    case OptionKind::kBool:
      return "bool";
    case OptionKind::kInteger:
      return "integer";
    case OptionKind::kString:
      return "string";
    case OptionKind::kDuration:
      return "duration";
    case OptionKind::kFileMode:
      return "file mode";
    case OptionKind::kStringList:
      return "list of strings";
    case OptionKind::kStringMap:
      return "table of strings";
  }
  return "";
}

void PrintKeys(std::string_view title, std::string_view section, std::string_view variable_section,
               std::span<const OptionSpec> options) {
  std::printf("%.*s\n", static_cast<int>(title.size()), title.data());
  for (const OptionSpec& option : options) {
    const std::string key = section.empty() ? std::string(option.key)
                                            : std::string(section) + "." + std::string(option.key);
    const std::string variable = OverrideVariable(variable_section, option.key);
    const std::string_view kind = KindName(option.kind);
    std::printf("  %s (%.*s, default \"%.*s\", %s)\n      %.*s\n", key.c_str(),
                static_cast<int>(kind.size()), kind.data(),
                static_cast<int>(option.default_text.size()), option.default_text.data(),
                variable.c_str(), static_cast<int>(option.help.size()), option.help.data());
  }
}

void ListKeys() {
  for (const SectionSpec& section : CoreSections()) {
    const std::string name(section.name);
    std::string title = name.empty() ? "top level"
                        : section.is_array
                            ? "[[" + name + "]] (variables: PEERSCOUT_" + name + "_<index>_<KEY>)"
                        : section.is_named ? "[" + name + ".<name>]"
                                           : "[" + name + "]";
    const std::string variables = section.is_array   ? name + "_<index>"
                                  : section.is_named ? name + "_<name>"
                                                     : name;
    PrintKeys(title + ": " + std::string(section.help), section.is_named ? name + ".<name>" : name,
              variables, section.options);
  }
  for (const SourceFactory& factory : Catalog()) {
    const std::string section = "sources." + std::string(factory.type);
    PrintKeys("[" + section + "] (also: type, enabled): " + std::string(factory.help), section,
              section, factory.options);
    for (const SourceTable& table : factory.tables) {
      const std::string name(table.name);
      PrintKeys("[[" + name + "]] (the " + std::string(factory.type) +
                    " source's; variables: PEERSCOUT_" + name +
                    "_<index>_<KEY>): " + std::string(table.help),
                name, name + "_<index>", table.options);
    }
  }
}

}  // namespace

int CheckConfig(const std::string& config_file, bool list_keys, const Environment& env) {
  if (list_keys) {
    ListKeys();
    return 0;
  }
  auto config = LoadConfig(config_file, env, Catalog());
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().c_str());
    return 1;
  }
  int failures = 0;
  for (const SourceConfig& source : config->sources) {
    if (!source.enabled) continue;
    for (const SourceFactory& factory : Catalog()) {
      if (factory.type != source.type) continue;
      auto made = factory.create(SourceContext{*config, source, env});
      if (!made) {
        std::fprintf(stderr, "%s\n", made.error().c_str());
        ++failures;
      }
    }
  }
  if (failures > 0) return 1;
  std::printf("config ok: %s; socket %s; %zu sources; %zu outputs; %zu templates\n",
              config_file.empty() ? "(no file, defaults)" : config_file.c_str(),
              config->server.socket.c_str(), config->sources.size(), config->outputs.size(),
              config->templates.size());
  return 0;
}

}  // namespace peerscout::cli
