#include "sidecar/net/peer_id.h"

#include <optional>

#include "sidecar/net/base_encoding.h"

namespace peerscout {
namespace {

// Multicodec and multihash codes from the multiformats tables that libp2p peer ids use.
constexpr uint64_t kIdentityHash = 0x00;
constexpr uint64_t kSha256Hash = 0x12;
constexpr uint64_t kLibp2pKeyCodec = 0x72;
constexpr uint64_t kCidVersion1 = 0x01;
// The peer-id spec inlines keys of at most 42 bytes with the identity hash.
constexpr size_t kMaxInlineKey = 42;

std::optional<uint64_t> ReadVarint(const std::vector<uint8_t>& bytes, size_t& offset) {
  uint64_t value = 0;
  for (int shift = 0; shift < 63 && offset < bytes.size(); shift += 7) {
    const uint8_t byte = bytes[offset++];
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

// Returns an empty string when `bytes` is a multihash a peer id may use, else the reason.
std::string CheckMultihash(const std::vector<uint8_t>& bytes) {
  size_t offset = 0;
  auto code = ReadVarint(bytes, offset);
  auto length = ReadVarint(bytes, offset);
  if (!code || !length) return "not a multihash";
  if (*length != bytes.size() - offset) return "multihash length does not match its digest";
  if (*code == kSha256Hash) {
    return *length == 32 ? "" : "sha2-256 multihash with a digest that is not 32 bytes";
  }
  if (*code == kIdentityHash) {
    if (*length == 0 || *length > kMaxInlineKey) return "identity multihash of a bad length";
    return "";
  }
  return "multihash is neither identity nor sha2-256";
}

ErrorOr<std::vector<uint8_t>> DecodeCidV1(std::string_view text) {
  auto bytes = DecodeBase32Lower(text.substr(1));
  if (!bytes) return ErrorOr<std::vector<uint8_t>>::Error("not valid lowercase base32");
  size_t offset = 0;
  auto version = ReadVarint(*bytes, offset);
  auto codec = ReadVarint(*bytes, offset);
  if (!version || *version != kCidVersion1) {
    return ErrorOr<std::vector<uint8_t>>::Error("CID is not version 1");
  }
  if (!codec || *codec != kLibp2pKeyCodec) {
    return ErrorOr<std::vector<uint8_t>>::Error("CID codec is not libp2p-key");
  }
  return std::vector<uint8_t>(bytes->begin() + static_cast<long>(offset), bytes->end());
}

}  // namespace

ErrorOr<PeerId> PeerId::Parse(std::string_view text) {
  if (text.empty()) return ErrorOr<PeerId>::Error("empty peer id");
  std::vector<uint8_t> multihash;
  if (text.front() == 'b') {
    auto decoded = DecodeCidV1(text);
    if (!decoded) return ErrorOr<PeerId>::Error("peer id: " + decoded.error());
    multihash = std::move(decoded).value();
  } else {
    auto decoded = DecodeBase58Btc(text);
    if (!decoded) return ErrorOr<PeerId>::Error("peer id is neither base58btc nor CIDv1 base32");
    multihash = std::move(*decoded);
  }
  if (std::string reason = CheckMultihash(multihash); !reason.empty()) {
    return ErrorOr<PeerId>::Error("peer id: " + reason);
  }
  PeerId id;
  id.text_ = EncodeBase58Btc(multihash);
  return id;
}

std::string PeerId::ToCidV1() const {
  // text_ came from a valid multihash, so it decodes.
  std::vector<uint8_t> bytes{static_cast<uint8_t>(kCidVersion1),
                             static_cast<uint8_t>(kLibp2pKeyCodec)};
  const std::vector<uint8_t> multihash = *DecodeBase58Btc(text_);
  bytes.insert(bytes.end(), multihash.begin(), multihash.end());
  return "b" + EncodeBase32Lower(bytes);
}

}  // namespace peerscout
