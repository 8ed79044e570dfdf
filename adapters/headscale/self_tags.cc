#include "adapters/headscale/self_tags.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cctype>

namespace peerscout::headscale {
namespace {

constexpr unsigned kHuJsonFlags = rapidjson::kParseCommentsFlag |
                                  rapidjson::kParseTrailingCommasFlag |
                                  rapidjson::kParseIterativeFlag;

bool IsAppTag(const std::string& tag, std::string_view prefix) {
  const AppTags app = ReadAppTags({tag}, prefix);
  return app.peer_id || app.port || !app.refused.empty();
}

bool Holds(const Node& node, const SelfIdentity& self) {
  for (const std::string& text : node.ip_addresses) {
    auto ip = IpAddress::Parse(text);
    if (ip &&
        std::find(self.addresses.begin(), self.addresses.end(), *ip) != self.addresses.end()) {
      return true;
    }
  }
  return false;
}

// Where tagOwners' object opens and whether it is empty, and where the top-level object opens:
// offsets into the text, read while RapidJSON walks it (comments and all).
class PolicyLayout : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PolicyLayout> {
 public:
  explicit PolicyLayout(const rapidjson::MemoryStream& stream) : stream_(stream) {}

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (depth_ == 1) top_key_.assign(text, length);
    if (depth_ == 2 && in_owners_) owners_.emplace_back(text, length);
    return true;
  }
  bool StartObject() {
    ++depth_;
    if (depth_ == 1) top_open = stream_.Tell();
    if (depth_ == 2 && top_key_ == "tagOwners") {
      owners_open = stream_.Tell();
      in_owners_ = true;
    }
    return true;
  }
  bool EndObject(rapidjson::SizeType members) {
    if (depth_ == 2 && in_owners_) {
      in_owners_ = false;
      owners_empty = members == 0;
    }
    --depth_;
    return true;
  }
  bool StartArray() {
    ++depth_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }

  std::optional<size_t> top_open;
  std::optional<size_t> owners_open;
  bool owners_empty = true;
  const std::vector<std::string>& owners() const { return owners_; }

 private:
  const rapidjson::MemoryStream& stream_;
  int depth_ = 0;
  std::string top_key_;
  bool in_owners_ = false;
  std::vector<std::string> owners_;
};

// Just past the '{' that opens the object RapidJSON reported near `at`: the reader may tell a
// position before the brace, with only blanks and comments between.
std::optional<size_t> PastBrace(std::string_view text, size_t at) {
  if (at > 0 && text[at - 1] == '{') return at;
  while (at < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[at]))) {
      ++at;
    } else if (text.substr(at, 2) == "//") {
      at = text.find('\n', at);
    } else if (text.substr(at, 2) == "/*") {
      at = text.find("*/", at);
      if (at != std::string_view::npos) at += 2;
    } else {
      break;
    }
  }
  if (at >= text.size() || text[at] != '{') return std::nullopt;
  return at + 1;
}

std::string Entries(const std::vector<std::string>& tags, std::string_view indent) {
  std::string text;
  for (const std::string& tag : tags) text += "\n" + std::string(indent) + "\"" + tag + "\": [],";
  return text;
}

}  // namespace

std::vector<std::string> AppTagsFor(const PeerId& id, std::optional<uint16_t> port,
                                    std::string_view prefix, TagStyle style) {
  std::vector<std::string> tags{PeerIdTag(id, prefix, style)};
  if (port) tags.push_back(PortTag(*port, prefix, style));
  return tags;
}

ErrorOr<std::optional<TagChange>> PlanTagChange(const NodeList& list, const SelfIdentity& self,
                                                const std::vector<std::string>& wanted,
                                                std::string_view prefix) {
  using Result = ErrorOr<std::optional<TagChange>>;
  const auto ours = std::find_if(list.nodes.begin(), list.nodes.end(),
                                 [&self](const Node& node) { return Holds(node, self); });
  if (ours == list.nodes.end()) {
    return Result::Error("our node is not in Headscale's list (none holds one of our addresses)");
  }
  std::vector<std::string> tags;
  for (const std::string& tag : ours->tags) {
    if (!IsAppTag(tag, prefix)) tags.push_back(tag);
  }
  tags.insert(tags.end(), wanted.begin(), wanted.end());
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  std::vector<std::string> current = ours->tags;
  std::sort(current.begin(), current.end());
  if (current == tags) return std::optional<TagChange>();
  return std::optional<TagChange>(TagChange{ours->id, std::move(tags)});
}

std::string PolicySnippet(const std::vector<std::string>& tags) {
  std::string text = "\"tagOwners\": {";
  for (size_t i = 0; i < tags.size(); ++i) {
    text += "\n  \"" + tags[i] + "\": []" + (i + 1 < tags.size() ? "," : "");
  }
  return text + "\n}\n";
}

ErrorOr<std::string> AddTagOwners(std::string_view policy, const std::vector<std::string>& tags) {
  rapidjson::MemoryStream stream(policy.data(), policy.size());
  PolicyLayout layout(stream);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse<kHuJsonFlags>(stream, layout);
  if (!result) {
    return ErrorOr<std::string>::Error(std::string("the policy does not parse: ") +
                                       rapidjson::GetParseError_En(result.Code()) + " at byte " +
                                       std::to_string(result.Offset()));
  }
  if (!layout.top_open) return ErrorOr<std::string>::Error("the policy is not an object");
  std::vector<std::string> missing;
  for (const std::string& tag : tags) {
    if (std::find(layout.owners().begin(), layout.owners().end(), tag) == layout.owners().end()) {
      missing.push_back(tag);
    }
  }
  std::string text(policy);
  if (missing.empty()) return text;
  std::string entries = Entries(missing, "    ");
  const std::optional<size_t> at =
      PastBrace(policy, layout.owners_open ? *layout.owners_open : *layout.top_open);
  if (!at) return ErrorOr<std::string>::Error("cannot find where tagOwners opens");
  if (layout.owners_open) {
    if (layout.owners_empty) entries.pop_back();  // no member follows: no comma
    text.insert(*at, entries);
  } else {
    entries.pop_back();
    text.insert(*at, "\n  \"tagOwners\": {" + entries + "\n  },");
  }
  return text;
}

}  // namespace peerscout::headscale
