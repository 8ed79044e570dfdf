// Headscale's node list, `GET /api/v1/node` (and `/api/v1/machine` before v0.23), across the
// API generations: the generation is read from the response, never configured.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/base/error_or.h"

namespace peerscout::headscale {

// Which release line served the list, as far as its shape tells.
enum class ApiGeneration : uint8_t {
  kMachines,    // ≤ v0.22: /api/v1/machine, {"machines": [...]}
  kForcedTags,  // v0.23–v0.27: forcedTags, validTags, invalidTags
  kTags,        // v0.28+: one `tags` field
  kUnknown,     // no node said (an empty list)
};
std::string_view GenerationName(ApiGeneration generation);

// One node, as Headscale reports it. Every string is as received: untrusted.
struct Node {
  std::string id;          // a JSON string ("3"); a number is accepted too
  std::string name;        // the client's hostname
  std::string given_name;  // the DNS-safe MagicDNS label
  std::string user;        // the user's name; "" when null (tagged nodes on v0.28+ GET)
  std::vector<std::string> ip_addresses;
  std::vector<std::string> tags;  // tags ∪ forcedTags ∪ validTags; invalidTags are not tags
  std::string expiry;             // RFC 3339; "" or Go's zero time: never
  bool online = false;
  // Fields holding a value longer than the parser keeps ("name"): left out, and reported.
  std::vector<std::string> oversized;
};

struct NodeList {
  ApiGeneration generation = ApiGeneration::kUnknown;
  std::vector<Node> nodes;
};

inline constexpr size_t kMaxNodeListBytes = 64u << 20;

// A JSON object with "nodes" (or "machines"); unknown fields ignored, missing ones default,
// null allowed for any object, list or timestamp. Anything else is refused with the reason.
ErrorOr<NodeList> ParseNodeList(std::string_view json);

}  // namespace peerscout::headscale
