#include "sidecar/config/table_reader.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "sidecar/config/config_schema.h"

namespace peerscout {
namespace {

// A key or section as it appears in a variable's name: "socket-mode" -> "SOCKET_MODE".
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

const OptionSpec* Find(std::span<const OptionSpec> specs, std::string_view key) {
  for (const OptionSpec& spec : specs) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

// The index of a PEERSCOUT_<NAME>_<i>_<KEY> variable, if it has one of at most three digits.
std::optional<size_t> EntryIndex(const std::string& variable, const std::string& prefix) {
  if (variable.rfind(prefix, 0) != 0) return std::nullopt;
  size_t index = 0;
  size_t digits = 0;
  while (prefix.size() + digits < variable.size() &&
         std::isdigit(static_cast<unsigned char>(variable[prefix.size() + digits]))) {
    index = index * 10 + static_cast<size_t>(variable[prefix.size() + digits] - '0');
    ++digits;
  }
  if (digits == 0 || digits >= 4) return std::nullopt;
  return index;
}

}  // namespace

ErrorOr<toml::table> TableReader::ParseFile() const {
  if (file_.empty()) return toml::table();
  try {
    return toml::parse_file(file_);
  } catch (const toml::parse_error& error) {
    // toml++ reports a file it cannot open at line 0.
    if (error.source().begin.line == 0) {
      return ErrorOr<toml::table>::Error(file_ + ": " + std::string(error.description()));
    }
    return ErrorOr<toml::table>::Error(file_ + ":" + std::to_string(error.source().begin.line) +
                                       ": " + std::string(error.description()));
  }
}

OptionValues TableReader::Read(const toml::table* table, std::span<const OptionSpec> specs,
                               std::string_view label, const std::string& env_prefix,
                               const std::set<std::string_view>& other_keys) {
  OptionValues values;
  for (const OptionSpec& spec : specs) {
    auto value = ParseOptionText(spec, spec.default_text);
    if (value) values.Set(std::string(spec.key), *value, "default");
    if (app_ == nullptr || spec.app_field == AppField::kNone) continue;
    if (auto text = app_->DefaultFor(spec.app_field)) {
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

OptionValues TableReader::Section(const toml::table& root, std::string_view name) {
  return Read(root[name].as_table(), FindSection(name).options, "[" + std::string(name) + "]",
              OverrideVariable(name, ""));
}

std::vector<TableEntry> TableReader::ArrayEntries(const toml::table& root, std::string_view name,
                                                  std::span<const OptionSpec> specs) {
  const toml::array* array = root[name].as_array();
  size_t count = array ? array->size() : 0;
  const std::string prefix = OverrideVariable(name, "") + "_";
  for (const auto& [variable, value] : env_.all()) {
    if (auto index = EntryIndex(variable, prefix)) count = std::max(count, *index + 1);
  }
  std::vector<TableEntry> entries;
  for (size_t i = 0; i < count; ++i) {
    const toml::table* table = nullptr;
    if (array && i < array->size()) table = (*array)[i].as_table();
    const std::string label = "[[" + std::string(name) + "]] #" + std::to_string(i);
    const std::string env_prefix = prefix + std::to_string(i);
    entries.push_back({Read(table, specs, label, env_prefix), table ? Where(*table) : env_prefix});
  }
  return entries;
}

std::string TableReader::Where(const toml::node& node) const {
  return file_ + ":" + std::to_string(node.source().begin.line);
}

std::string TableReader::Errors() const {
  std::string message;
  for (const std::string& error : errors_) message += (message.empty() ? "" : "\n") + error;
  return message;
}

std::string OverrideVariable(std::string_view section, std::string_view key) {
  std::string name = "PEERSCOUT";
  if (!section.empty()) name += "_" + Upper(section);
  if (!key.empty()) name += "_" + Upper(key);
  return name;
}

bool IsTableName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace peerscout
