// An app's identity carried in tailnet tags: the libp2p peer id and the port of the app on a
// node, set by an admin (Headscale's API, Tailscale's console) or by the node itself
// (`tailscale up --advertise-tags`). Both tailnet sources read them through this one codec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sidecar/base/error_or.h"
#include "sidecar/net/peer_id.h"

namespace peerscout {

enum class TagStyle : uint8_t {
  // "tag:exo-peer-<id>", "tag:exo-port-52416": valid under Tailscale's tag rule (letters,
  // digits, dashes), so a node may advertise them itself, and under Headscale's (lowercase)
  // when the id is in its CIDv1 base32 form.
  kDash,
  // "tag:exo_peer_id=<id>", "tag:exo_port=52416": exo's Headscale convention; only Headscale's
  // admin API can set these, since Tailscale's tag rule refuses '_' and '='.
  kUnderscore,
};

struct RefusedTag {
  std::string tag;
  std::string reason;
  bool operator==(const RefusedTag&) const = default;
};

struct AppTags {
  std::optional<PeerId> peer_id;
  std::optional<uint16_t> port;
  std::vector<RefusedTag> refused;  // app tags whose value is malformed or contradicts another
};

// A prefix is a letter, then lowercase letters, digits and dashes ("exo", "skulk").
ErrorOr<std::string> CheckTagPrefix(std::string_view prefix);

// Reads both styles. A malformed value, or two tags that disagree, is refused with a reason
// and that field stays unset: never half-used. Tags of other prefixes are ignored.
AppTags ReadAppTags(const std::vector<std::string>& tags, std::string_view prefix);

// The tag carrying `id`: the CIDv1 base32 form, which every control plane accepts.
std::string PeerIdTag(const PeerId& id, std::string_view prefix, TagStyle style);
std::string PortTag(uint16_t port, std::string_view prefix, TagStyle style);

// A tag we pass on as it is: "tag:" and then printable ASCII without spaces, at most 128 bytes.
// Anything else is refused with the reason.
ErrorOr<std::string> CheckTag(std::string_view tag);

}  // namespace peerscout
