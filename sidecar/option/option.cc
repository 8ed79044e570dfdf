#include "sidecar/option/option.h"

#include <charconv>

namespace peerscout {
namespace {

using Result = ErrorOr<OptionValue>;

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

Result CheckChoice(const OptionSpec& spec, std::string value) {
  if (spec.choices.empty()) return OptionValue(std::move(value));
  std::string allowed;
  for (std::string_view choice : spec.choices) {
    if (choice == value) return OptionValue(std::move(value));
    allowed += (allowed.empty() ? "" : ", ") + std::string(choice);
  }
  return Result::Error("expected one of: " + allowed);
}

Result ParseFileMode(std::string_view text) {
  unsigned mode = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || mode > 0777) {
    return Result::Error("expected an octal file mode like \"0660\"");
  }
  return OptionValue(static_cast<int64_t>(mode));
}

}  // namespace

Result ParseOptionText(const OptionSpec& spec, std::string_view text) {
  switch (spec.kind) {
    case OptionKind::kBool:
      if (text == "true" || text == "1" || text == "yes") return OptionValue(true);
      if (text == "false" || text == "0" || text == "no") return OptionValue(false);
      return Result::Error("expected true or false");
    case OptionKind::kInteger: {
      int64_t value = 0;
      auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        return Result::Error("expected an integer");
      }
      return OptionValue(value);
    }
    case OptionKind::kString:
      return CheckChoice(spec, std::string(text));
    case OptionKind::kDuration: {
      auto duration = ParseDuration(text);
      if (!duration) return Result::Error(duration.error());
      return OptionValue(*duration);
    }
    case OptionKind::kFileMode:
      return ParseFileMode(text);
    case OptionKind::kStringList:
      return OptionValue(SplitList(text));
    case OptionKind::kStringMap: {
      StringMap map;
      for (const std::string& item : SplitList(text)) {
        const size_t equals = item.find('=');
        if (equals == std::string::npos) return Result::Error("expected KEY=value pairs");
        map.emplace_back(item.substr(0, equals), item.substr(equals + 1));
      }
      return OptionValue(std::move(map));
    }
  }
  return Result::Error("unknown option kind");
}

Result ParseOptionNode(const OptionSpec& spec, const toml::node& node) {
  switch (spec.kind) {
    case OptionKind::kBool:
      if (auto value = node.value<bool>(); value && node.is_boolean()) return OptionValue(*value);
      return Result::Error("expected true or false");
    case OptionKind::kInteger:
      if (node.is_integer()) return OptionValue(*node.value<int64_t>());
      return Result::Error("expected an integer");
    case OptionKind::kFileMode:
      if (node.is_integer()) {
        const int64_t mode = *node.value<int64_t>();
        if (mode >= 0 && mode <= 0777) return OptionValue(mode);
        return Result::Error("expected an octal file mode like \"0660\"");
      }
      [[fallthrough]];
    case OptionKind::kString:
    case OptionKind::kDuration:
      if (!node.is_string()) {
        return Result::Error(spec.kind == OptionKind::kDuration
                                 ? "expected a duration string like \"30s\""
                                 : "expected a string");
      }
      return ParseOptionText(spec, *node.value<std::string>());
    case OptionKind::kStringList: {
      const toml::array* array = node.as_array();
      if (array == nullptr) return Result::Error("expected an array of strings");
      std::vector<std::string> items;
      for (const toml::node& item : *array) {
        // Numbers are taken as their text: `app_ports = [52416]` means what it says.
        if (item.is_integer()) {
          items.push_back(std::to_string(*item.value<int64_t>()));
          continue;
        }
        if (!item.is_string()) return Result::Error("expected an array of strings");
        items.push_back(*item.value<std::string>());
      }
      return OptionValue(std::move(items));
    }
    case OptionKind::kStringMap: {
      const toml::table* table = node.as_table();
      if (table == nullptr) return Result::Error("expected a table of strings");
      StringMap map;
      for (const auto& [key, value] : *table) {
        if (!value.is_string()) return Result::Error("expected a table of strings");
        map.emplace_back(std::string(key.str()), *value.value<std::string>());
      }
      return OptionValue(std::move(map));
    }
  }
  return Result::Error("unknown option kind");
}

void OptionValues::Set(std::string key, OptionValue value, std::string origin) {
  values_.insert_or_assign(std::move(key), Entry{std::move(value), std::move(origin)});
}

bool OptionValues::Has(std::string_view key) const { return values_.find(key) != values_.end(); }

std::string OptionValues::Origin(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? "default" : it->second.origin;
}

std::string OptionValues::OriginOr(std::string_view key, const std::string& table) const {
  std::string origin = Origin(key);
  return origin == "default" ? table : origin;
}

bool OptionValues::IsSet(std::string_view key) const { return Origin(key) != "default"; }

}  // namespace peerscout
