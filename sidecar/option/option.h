// One configurable key: its type, default and help. The config file, the PEERSCOUT_*
// variables, check-config and the documentation all work from these specs.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/option/duration.h"

namespace peerscout {

enum class OptionKind : uint8_t {
  kBool,
  kInteger,
  kString,
  kDuration,
  kFileMode,    // "0660" or 0o660
  kStringList,  // TOML array; in a variable, comma-separated
  kStringMap,   // TOML table; in a variable, "KEY=value,KEY2=value2"
};

// The field of the app profile (sidecar/config/app_profile.h) a key takes its default from, so
// that `app = "skulk"` sets the sources' tag prefix and port, the mDNS service type, and so on.
enum class AppField : uint8_t {
  kNone,
  kTagPrefix,
  kAppPort,
  kServiceType,
  kAppName,
  kIpv6,
  kIntroduce,  // "true" when the app turns on the exo source
};

struct OptionSpec {
  std::string_view key;
  OptionKind kind;
  std::string_view default_text;  // in variable syntax; empty: no default (unset)
  std::string_view help;
  std::span<const std::string_view> choices = {};  // for kString: the allowed values
  bool secret = false;                             // never echoed in logs or outputs
  AppField app_field = AppField::kNone;            // the app profile can change the default
};

using StringMap = std::vector<std::pair<std::string, std::string>>;
using OptionValue =
    std::variant<bool, int64_t, std::string, Duration, std::vector<std::string>, StringMap>;

ErrorOr<OptionValue> ParseOptionText(const OptionSpec& spec, std::string_view text);
ErrorOr<OptionValue> ParseOptionNode(const OptionSpec& spec, const toml::node& node);

// The values of one table (a section, a source, one [[output]]), each with where it came from.
class OptionValues {
 public:
  void Set(std::string key, OptionValue value, std::string origin);
  bool Has(std::string_view key) const;

  template <typename T>
  const T& Get(std::string_view key) const {
    return std::get<T>(values_.find(key)->second.value);
  }
  // "sidecar.toml:12" or "PEERSCOUT_LOG_LEVEL" or "default"; for error messages.
  std::string Origin(std::string_view key) const;
  // The same, but for a key left at its default, `table`: where the key belongs.
  std::string OriginOr(std::string_view key, const std::string& table) const;
  // Whether the file, a variable or the app profile set the key.
  bool IsSet(std::string_view key) const;

 private:
  struct Entry {
    OptionValue value;
    std::string origin;
  };
  std::map<std::string, Entry, std::less<>> values_;
};

// One entry of a [[name]] array: its keys, and where it was written ("sidecar.toml:40", or its
// variables' prefix, PEERSCOUT_STATIC_0).
struct TableEntry {
  OptionValues values;
  std::string where;
};

}  // namespace peerscout
