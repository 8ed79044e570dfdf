#include "adapters/exo/discovery_message.h"

#include <algorithm>

#include "sidecar/net/base_encoding.h"

namespace peerscout::exo {
namespace {

constexpr std::array<uint8_t, 3> kMagic{'E', 'X', 'O'};
constexpr size_t kHeaderSize = 4;
constexpr uint8_t kHelloKind = 0;
constexpr uint8_t kWhatsUpKind = 1;

template <size_t N>
std::array<uint8_t, N> Take(std::span<const uint8_t> bytes, size_t at) {
  std::array<uint8_t, N> out{};
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), N, out.begin());
  return out;
}

}  // namespace

std::string_view MalformedName(Malformed why) {
  switch (why) {
    case Malformed::kSize:
      return "wrong_size";
    case Malformed::kMagic:
      return "wrong_magic";
    case Malformed::kKind:
      return "unknown_kind";
    case Malformed::kZeroZid:
      return "zero_zid";
  }
  return "unknown";
}

// In exo's order: the header, its magic, its kind, then the exact size for that kind.
Message Decode(std::span<const uint8_t> datagram) {
  if (datagram.size() < kHeaderSize) return Malformed::kSize;
  if (!std::equal(kMagic.begin(), kMagic.end(), datagram.begin())) return Malformed::kMagic;
  const uint8_t kind = datagram[3];
  if (kind == kHelloKind) {
    if (datagram.size() != kHelloSize) return Malformed::kSize;
    return Hello{Take<8>(datagram, kHeaderSize), Take<8>(datagram, kHeaderSize + 8)};
  }
  if (kind != kWhatsUpKind) return Malformed::kKind;
  if (datagram.size() != kWhatsUpSize) return Malformed::kSize;
  auto zid = ZenohId::FromLittleEndian(datagram.subspan(kHeaderSize + 8, ZenohId::kSize));
  if (!zid) return Malformed::kZeroZid;
  const size_t port_at = kHeaderSize + 8 + ZenohId::kSize;
  const auto port = static_cast<uint16_t>(datagram[port_at] | (datagram[port_at + 1] << 8));
  return WhatsUp{Take<8>(datagram, kHeaderSize), *zid, port};
}

std::array<uint8_t, kHelloSize> Encode(const Hello& hello) {
  std::array<uint8_t, kHelloSize> out{'E', 'X', 'O', kHelloKind};
  std::copy(hello.nonce.begin(), hello.nonce.end(), out.begin() + kHeaderSize);
  std::copy(hello.space.begin(), hello.space.end(), out.begin() + kHeaderSize + 8);
  return out;
}

std::array<uint8_t, kWhatsUpSize> Encode(const WhatsUp& whats_up) {
  std::array<uint8_t, kWhatsUpSize> out{'E', 'X', 'O', kWhatsUpKind};
  std::copy(whats_up.nonce.begin(), whats_up.nonce.end(), out.begin() + kHeaderSize);
  const auto& zid = whats_up.zid.little_endian();
  std::copy(zid.begin(), zid.end(), out.begin() + kHeaderSize + 8);
  out[kWhatsUpSize - 2] = static_cast<uint8_t>(whats_up.port & 0xff);
  out[kWhatsUpSize - 1] = static_cast<uint8_t>(whats_up.port >> 8);
  return out;
}

std::optional<Namespace> ParseNamespace(std::string_view hex) {
  const auto bytes = DecodeHex(hex);
  if (!bytes || bytes->size() != Namespace{}.size()) return std::nullopt;
  Namespace space{};
  std::copy(bytes->begin(), bytes->end(), space.begin());
  return space;
}

std::string NamespaceText(const Namespace& space) { return EncodeHex(space); }

}  // namespace peerscout::exo
