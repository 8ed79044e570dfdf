// The byte encodings ids come in: the two multibase ones libp2p peer ids use, and hex (zenoh
// ids, exo namespaces). No listed dependency provides them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace peerscout {

std::optional<std::vector<uint8_t>> DecodeBase58Btc(std::string_view text);
std::string EncodeBase58Btc(const std::vector<uint8_t>& bytes);

// RFC 4648 base32, lowercase alphabet, no padding (multibase 'b').
std::optional<std::vector<uint8_t>> DecodeBase32Lower(std::string_view text);
std::string EncodeBase32Lower(const std::vector<uint8_t>& bytes);

// Two digits a byte, either case in; lowercase out.
std::optional<std::vector<uint8_t>> DecodeHex(std::string_view text);
std::string EncodeHex(std::span<const uint8_t> bytes);

}  // namespace peerscout
