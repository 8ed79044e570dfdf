// Reading one table of the config: each key from the file, from its PEERSCOUT_* variable or
// from the defaults (the app profile's before the spec's), with every error kept against the
// file line or variable it came from, so the loader reports them all at once.
#pragma once

#include <toml++/toml.h>

#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/config/app_profile.h"
#include "sidecar/config/environment.h"
#include "sidecar/option/option.h"

namespace peerscout {

class TableReader {
 public:
  TableReader(std::string file, const Environment& env) : file_(std::move(file)), env_(env) {}

  // The file's tables; with no file, none.
  ErrorOr<toml::table> ParseFile() const;

  // Defaults, then the table's keys, then the variables named by `env_prefix`. A key that is
  // neither in `specs` nor in `other_keys` is an error.
  OptionValues Read(const toml::table* table, std::span<const OptionSpec> specs,
                    std::string_view label, const std::string& env_prefix,
                    const std::set<std::string_view>& other_keys = {});
  // A core section, [name].
  OptionValues Section(const toml::table& root, std::string_view name);
  // [[name]] entries from the file, then PEERSCOUT_<NAME>_<i>_<KEY> ones past its end.
  std::vector<TableEntry> ArrayEntries(const toml::table& root, std::string_view name,
                                       std::span<const OptionSpec> specs);

  // From here on, keys whose default the app profile sets take the profile's.
  void UseProfile(const AppProfile& app) { app_ = &app; }
  const AppProfile& app() const { return *app_; }

  const std::string& file() const { return file_; }
  const Environment& env() const { return env_; }
  // "sidecar.toml:12", for an error about `node`.
  std::string Where(const toml::node& node) const;
  void Error(std::string message) { errors_.push_back(std::move(message)); }
  // Every error so far, one per line; empty when there was none.
  std::string Errors() const;

 private:
  std::string file_;
  const Environment& env_;
  const AppProfile* app_ = nullptr;
  std::vector<std::string> errors_;
};

// The variable that overrides a key: ("server", "socket_mode") -> PEERSCOUT_SERVER_SOCKET_MODE.
std::string OverrideVariable(std::string_view section, std::string_view key);

// A name of [sources.<name>] or [apps.<name>]: lowercase letters, digits, '-' and '_'.
bool IsTableName(std::string_view name);

}  // namespace peerscout
