#include "sidecar/render/peer_template.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <charconv>
#include <kainjow/mustache.hpp>

#include "sidecar/render/format.h"

namespace peerscout {
namespace {

namespace mustache = kainjow::mustache;

// The library names a byte offset ("Unclosed tag at 17"); people look for a line.
std::string WithLine(const std::string& text, const std::string& message) {
  const size_t at = message.rfind(" at ");
  size_t offset = 0;
  if (at == std::string::npos) return message;
  const char* begin = message.data() + at + 4;
  const char* end = message.data() + message.size();
  auto [parsed_end, error] = std::from_chars(begin, end, offset);
  if (error != std::errc() || parsed_end != end) return message;
  offset = std::min(offset, text.size());
  const size_t line =
      1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  return "line " + std::to_string(line) + ": " + message.substr(0, at);
}

// A JSON value as mustache data. null is false, so `{{#peer_id}}…{{/peer_id}}` shows only what
// is known and `{{peer_id}}` of an unknown one is empty; it is never the key of an outer
// context, which a missing key would be.
mustache::data FromJson(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
    case rapidjson::kFalseType:
      return mustache::data(false);
    case rapidjson::kTrueType:
      return mustache::data(true);
    case rapidjson::kStringType:
      return mustache::data(std::string(value.GetString(), value.GetStringLength()));
    case rapidjson::kNumberType:
      if (value.IsUint64()) return mustache::data(std::to_string(value.GetUint64()));
      if (value.IsInt64()) return mustache::data(std::to_string(value.GetInt64()));
      return mustache::data(std::to_string(value.GetDouble()));
    case rapidjson::kArrayType: {
      mustache::data list(mustache::data::type::list);
      for (const rapidjson::Value& item : value.GetArray()) list.push_back(FromJson(item));
      return list;
    }
    case rapidjson::kObjectType: {
      mustache::data object(mustache::data::type::object);
      for (const auto& member : value.GetObject()) {
        object.set(std::string(member.name.GetString(), member.name.GetStringLength()),
                   FromJson(member.value));
      }
      return object;
    }
  }
  return mustache::data(false);
}

// Built from the JSON the API serves, so a template sees a peer exactly as /v1/peers shows it.
mustache::data Context(const PeerSet& peers) {
  const std::string json = RenderJson(peers, {});
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  mustache::data context = FromJson(document);
  context.set("peer_count", std::to_string(peers.peers.size()));
  RenderOptions comma;
  comma.separator = ",";
  for (const Format& format : Formats()) {
    if (format.is_list) context.set(std::string(format.name), format.render(peers, comma));
  }
  return context;
}

// A context with no partials: `{{> hostname}}` would otherwise render a value from the peer
// list as a template of its own.
class NoPartials : public mustache::context<std::string> {
 public:
  using mustache::context<std::string>::context;
  const mustache::data* get_partial(const std::string&) const override { return nullptr; }
};

}  // namespace

ErrorOr<PeerTemplate> PeerTemplate::Parse(std::string text) {
  const mustache::mustache parsed(text);
  if (!parsed.is_valid()) {
    return ErrorOr<PeerTemplate>::Error(WithLine(text, parsed.error_message()));
  }
  return PeerTemplate(std::move(text));
}

ErrorOr<std::string> PeerTemplate::Render(const PeerSet& peers) const {
  mustache::mustache parsed(text_);
  const mustache::data data = Context(peers);
  NoPartials context(&data);
  std::string rendered = parsed.render(context);
  if (!parsed.is_valid()) return ErrorOr<std::string>::Error(parsed.error_message());
  return rendered;
}

}  // namespace peerscout
