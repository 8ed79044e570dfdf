// exo's discovery datagrams (exo's rust/networking/src/discovery.rs, zenoh era): a Hello asks
// "who is here in my namespace?", a WhatsUp answers with the zenoh id and port to dial. Pure:
// bytes in, values out, nothing trusted.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "sidecar/net/zenoh_id.h"

namespace peerscout::exo {

inline constexpr size_t kHelloSize = 20;    // header, nonce, namespace
inline constexpr size_t kWhatsUpSize = 30;  // header, nonce, zid, port
inline constexpr uint16_t kDefaultDiscoveryPort = 52413;

using Nonce = std::array<uint8_t, 8>;
// The first 8 bytes of blake3 of exo's namespace string (its version, unless --namespace).
using Namespace = std::array<uint8_t, 8>;

struct Hello {
  Nonce nonce{};
  Namespace space{};
  bool operator==(const Hello&) const = default;
};

struct WhatsUp {
  Nonce nonce{};  // the Hello's it answers
  ZenohId zid;
  uint16_t port = 0;  // zenoh's TCP port
  bool operator==(const WhatsUp&) const = default;
};

// Why a datagram is not one of the two: what /metrics counts.
enum class Malformed : uint8_t { kSize, kMagic, kKind, kZeroZid };
std::string_view MalformedName(Malformed why);

using Message = std::variant<Hello, WhatsUp, Malformed>;

Message Decode(std::span<const uint8_t> datagram);
std::array<uint8_t, kHelloSize> Encode(const Hello& hello);
std::array<uint8_t, kWhatsUpSize> Encode(const WhatsUp& whats_up);

// 16 hex digits, as `b3sum` prints the start of a hash.
std::optional<Namespace> ParseNamespace(std::string_view hex);
std::string NamespaceText(const Namespace& space);

}  // namespace peerscout::exo
