// Reading the API's JSON for the CLI's tables: a missing or mistyped field is a default, so
// a newer sidecar's extra or changed fields never stop an older CLI from showing the rest.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/core/observation.h"

namespace peerscout::terminal {

std::string StringField(const rapidjson::Value& object, const char* key);
bool BoolField(const rapidjson::Value& object, const char* key, bool otherwise);
uint64_t CountField(const rapidjson::Value& object, const char* key);
std::vector<std::string> StringsField(const rapidjson::Value& object, const char* key);
std::optional<Clock::time_point> TimeField(const rapidjson::Value& object, const char* key);
// The array at `key`, or an empty one.
const rapidjson::Value& ArrayField(const rapidjson::Value& object, const char* key);

}  // namespace peerscout::terminal
