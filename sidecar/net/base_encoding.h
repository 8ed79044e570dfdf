// The two multibase encodings libp2p peer ids use. No listed dependency provides them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerscout {

std::optional<std::vector<uint8_t>> DecodeBase58Btc(std::string_view text);
std::string EncodeBase58Btc(const std::vector<uint8_t>& bytes);

// RFC 4648 base32, lowercase alphabet, no padding (multibase 'b').
std::optional<std::vector<uint8_t>> DecodeBase32Lower(std::string_view text);
std::string EncodeBase32Lower(const std::vector<uint8_t>& bytes);

}  // namespace peerscout
