#include "sidecar/terminal/json_fields.h"

#include "sidecar/core/clock_text.h"

namespace peerscout::terminal {
namespace {

const rapidjson::Value* Member(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

}  // namespace

std::string StringField(const rapidjson::Value& object, const char* key) {
  const rapidjson::Value* value = Member(object, key);
  return value && value->IsString() ? std::string(value->GetString(), value->GetStringLength())
                                    : "";
}

bool BoolField(const rapidjson::Value& object, const char* key, bool otherwise) {
  const rapidjson::Value* value = Member(object, key);
  return value && value->IsBool() ? value->GetBool() : otherwise;
}

uint64_t CountField(const rapidjson::Value& object, const char* key) {
  const rapidjson::Value* value = Member(object, key);
  return value && value->IsUint64() ? value->GetUint64() : 0;
}

std::vector<std::string> StringsField(const rapidjson::Value& object, const char* key) {
  std::vector<std::string> strings;
  for (const rapidjson::Value& item : ArrayField(object, key).GetArray()) {
    if (item.IsString()) strings.emplace_back(item.GetString(), item.GetStringLength());
  }
  return strings;
}

std::optional<Clock::time_point> TimeField(const rapidjson::Value& object, const char* key) {
  return ParseTimestamp(StringField(object, key));
}

const rapidjson::Value& ArrayField(const rapidjson::Value& object, const char* key) {
  static const rapidjson::Value kEmpty(rapidjson::kArrayType);
  const rapidjson::Value* value = Member(object, key);
  return value && value->IsArray() ? *value : kEmpty;
}

}  // namespace peerscout::terminal
