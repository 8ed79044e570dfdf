#include "adapters/headscale/node_list.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <optional>

namespace peerscout::headscale {
namespace {

using rapidjson::Value;

// Iterative: a hostile, deeply nested body must not exhaust the stack. Validated: strings
// from here reach outputs.
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
constexpr size_t kMaxStringBytes = 1024;
constexpr size_t kMaxListItems = 64;

// A string longer than we keep is left out whole, never cut (a cut can split a UTF-8
// character, and would pass for the real value), and the node says which field lost it.
std::optional<std::string> Kept(const Value& value, const char* key, Node& node) {
  if (value.GetStringLength() > kMaxStringBytes) {
    node.oversized.emplace_back(key);
    return std::nullopt;
  }
  return std::string(value.GetString(), value.GetStringLength());
}

std::string StringOf(const Value& object, const char* key, Node& node) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return Kept(it->value, key, node).value_or("");
}

// Ids are 64-bit integers, which protojson writes as strings; accept a number as well.
std::string IdOf(const Value& object, Node& node) {
  auto it = object.FindMember("id");
  if (it == object.MemberEnd()) return "";
  if (it->value.IsString()) return StringOf(object, "id", node);
  if (it->value.IsUint64()) return std::to_string(it->value.GetUint64());
  return "";
}

void AppendStrings(const Value& object, const char* key, std::vector<std::string>& out,
                   Node& node) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsArray()) return;
  for (const Value& item : it->value.GetArray()) {
    if (!item.IsString() || out.size() >= kMaxListItems) continue;
    std::optional<std::string> text = Kept(item, key, node);
    if (text && std::find(out.begin(), out.end(), *text) == out.end()) {
      out.push_back(std::move(*text));
    }
  }
}

Node ReadNode(const Value& object) {
  Node node;
  node.id = IdOf(object, node);
  node.name = StringOf(object, "name", node);
  node.given_name = StringOf(object, "givenName", node);
  auto user = object.FindMember("user");
  if (user != object.MemberEnd() && user->value.IsObject())
    node.user = StringOf(user->value, "name", node);
  AppendStrings(object, "ipAddresses", node.ip_addresses, node);
  for (const char* field : {"tags", "forcedTags", "validTags"}) {
    AppendStrings(object, field, node.tags, node);
  }
  node.expiry = StringOf(object, "expiry", node);
  auto online = object.FindMember("online");
  node.online = online != object.MemberEnd() && online->value.IsBool() && online->value.GetBool();
  return node;
}

ApiGeneration GenerationOf(const Value& object, bool machines) {
  if (machines) return ApiGeneration::kMachines;
  if (object.HasMember("tags")) return ApiGeneration::kTags;
  if (object.HasMember("forcedTags") || object.HasMember("validTags")) {
    return ApiGeneration::kForcedTags;
  }
  return ApiGeneration::kUnknown;
}

}  // namespace

std::string_view GenerationName(ApiGeneration generation) {
  switch (generation) {
    case ApiGeneration::kMachines:
      return "v0.22 (machines)";
    case ApiGeneration::kForcedTags:
      return "v0.23-v0.27 (forcedTags)";
    case ApiGeneration::kTags:
      return "v0.28+ (tags)";
    case ApiGeneration::kUnknown:
      break;
  }
  return "unknown";
}

ErrorOr<NodeList> ParseNodeList(std::string_view json) {
  if (json.size() > kMaxNodeListBytes) {
    return ErrorOr<NodeList>::Error("node list is larger than " +
                                    std::to_string(kMaxNodeListBytes >> 20) + " MiB");
  }
  rapidjson::Document document;
  document.Parse<kParseFlags>(json.data(), json.size());
  if (document.HasParseError()) {
    return ErrorOr<NodeList>::Error(std::string("node list is not valid JSON: ") +
                                    rapidjson::GetParseError_En(document.GetParseError()) +
                                    " at byte " + std::to_string(document.GetErrorOffset()));
  }
  if (!document.IsObject()) return ErrorOr<NodeList>::Error("node list is not a JSON object");
  const bool machines = !document.HasMember("nodes");
  if (machines && !document.HasMember("machines")) {
    return ErrorOr<NodeList>::Error("the response has neither \"nodes\" nor \"machines\"");
  }
  const Value& nodes = document[machines ? "machines" : "nodes"];
  NodeList result;
  if (nodes.IsNull()) return result;
  if (!nodes.IsArray()) return ErrorOr<NodeList>::Error("\"nodes\" is not a list");
  result.nodes.reserve(nodes.Size());
  for (const Value& item : nodes.GetArray()) {
    if (!item.IsObject()) continue;
    if (result.generation == ApiGeneration::kUnknown)
      result.generation = GenerationOf(item, machines);
    result.nodes.push_back(ReadNode(item));
  }
  return result;
}

}  // namespace peerscout::headscale
