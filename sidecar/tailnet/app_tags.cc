#include "sidecar/tailnet/app_tags.h"

#include "sidecar/net/endpoint.h"

namespace peerscout {
namespace {

constexpr std::string_view kTagPrefix = "tag:";
constexpr size_t kMaxTagLength = 128;

enum class Field : uint8_t { kNone, kPeerId, kPort };

struct TagValue {
  Field field = Field::kNone;
  std::string_view value;
};

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Which app field a tag sets, and its value text.
TagValue Classify(std::string_view tag, std::string_view prefix) {
  if (!StartsWith(tag, kTagPrefix)) return {};
  tag.remove_prefix(kTagPrefix.size());
  if (!StartsWith(tag, prefix)) return {};
  tag.remove_prefix(prefix.size());
  struct Form {
    std::string_view marker;
    Field field;
  };
  static constexpr Form kForms[] = {
      {"-peer-", Field::kPeerId},
      {"_peer_id=", Field::kPeerId},
      {"-port-", Field::kPort},
      {"_port=", Field::kPort},
  };
  for (const Form& form : kForms) {
    if (StartsWith(tag, form.marker)) return {form.field, tag.substr(form.marker.size())};
  }
  return {};
}

template <typename T>
void Settle(std::optional<T>& field, const T& value, const std::string& tag,
            std::vector<std::string>& tags_of_field, bool& conflict) {
  tags_of_field.push_back(tag);
  if (field && !(*field == value)) conflict = true;
  if (!field) field = value;
}

void RefuseConflict(const std::vector<std::string>& tags, std::string_view what,
                    std::vector<RefusedTag>& refused) {
  for (const std::string& tag : tags) {
    refused.push_back({tag, "the node's tags name more than one " + std::string(what)});
  }
}

}  // namespace

ErrorOr<std::string> CheckTagPrefix(std::string_view prefix) {
  const bool starts_with_letter = !prefix.empty() && prefix.front() >= 'a' && prefix.front() <= 'z';
  bool ok = starts_with_letter && prefix.size() <= 32;
  for (char c : prefix) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!ok) {
    return ErrorOr<std::string>::Error(
        "a tag prefix is a lowercase letter, then lowercase letters, digits and dashes (at most "
        "32)");
  }
  return std::string(prefix);
}

AppTags ReadAppTags(const std::vector<std::string>& tags, std::string_view prefix) {
  AppTags result;
  std::vector<std::string> id_tags;
  std::vector<std::string> port_tags;
  bool id_conflict = false;
  bool port_conflict = false;
  for (const std::string& tag : tags) {
    const TagValue value = Classify(tag, prefix);
    if (value.field == Field::kPeerId) {
      auto id = PeerId::Parse(value.value);
      if (!id) {
        result.refused.push_back({tag, id.error()});
        continue;
      }
      Settle(result.peer_id, *id, tag, id_tags, id_conflict);
    } else if (value.field == Field::kPort) {
      auto port = ParsePort(value.value);
      if (!port) {
        result.refused.push_back({tag, port.error()});
        continue;
      }
      Settle(result.port, *port, tag, port_tags, port_conflict);
    }
  }
  if (id_conflict) {
    result.peer_id.reset();
    RefuseConflict(id_tags, "peer id", result.refused);
  }
  if (port_conflict) {
    result.port.reset();
    RefuseConflict(port_tags, "port", result.refused);
  }
  return result;
}

std::string PeerIdTag(const PeerId& id, std::string_view prefix, TagStyle style) {
  const std::string_view marker = style == TagStyle::kDash ? "-peer-" : "_peer_id=";
  return std::string(kTagPrefix) + std::string(prefix) + std::string(marker) + id.ToCidV1();
}

std::string PortTag(uint16_t port, std::string_view prefix, TagStyle style) {
  const std::string_view marker = style == TagStyle::kDash ? "-port-" : "_port=";
  return std::string(kTagPrefix) + std::string(prefix) + std::string(marker) + std::to_string(port);
}

ErrorOr<std::string> CheckTag(std::string_view tag) {
  if (!StartsWith(tag, kTagPrefix) || tag.size() == kTagPrefix.size()) {
    return ErrorOr<std::string>::Error("a tag starts with 'tag:' and has a name");
  }
  if (tag.size() > kMaxTagLength) return ErrorOr<std::string>::Error("tag longer than 128 bytes");
  for (char c : tag) {
    if (c <= ' ' || c > '~') {
      return ErrorOr<std::string>::Error("tag holds a space, control or non-ASCII character");
    }
  }
  return std::string(tag);
}

}  // namespace peerscout
