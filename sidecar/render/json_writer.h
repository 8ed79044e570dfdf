// Small conveniences over RapidJSON's writer, shared by the JSON outputs and the API.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/core/clock_text.h"

namespace peerscout::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void String(Writer& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

inline void StringArray(Writer& writer, const std::vector<std::string>& items) {
  writer.StartArray();
  for (const std::string& item : items) String(writer, item);
  writer.EndArray();
}

// null for an empty string: "not known" rather than "known to be empty".
inline void StringOrNull(Writer& writer, std::string_view text) {
  if (text.empty()) {
    writer.Null();
  } else {
    String(writer, text);
  }
}

inline void TimeOrNull(Writer& writer, const std::optional<Clock::time_point>& time) {
  if (time) {
    String(writer, FormatTimestamp(*time));
  } else {
    writer.Null();
  }
}

// The document, newline-terminated like every text the API and the files hold.
inline std::string Finish(const rapidjson::StringBuffer& buffer) {
  std::string text;
  text.reserve(buffer.GetSize() + 1);
  text.append(buffer.GetString(), buffer.GetSize());
  text += '\n';
  return text;
}

}  // namespace peerscout::json
