// A libp2p peer id: the multihash of a node's public key.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"

namespace peerscout {

class PeerId {
 public:
  // Accepts the two textual forms libp2p defines: base58btc multihash ("12D3KooW…", "Qm…")
  // and a CIDv1 with the libp2p-key codec in lowercase base32 ("bafzaa…"). Both name the same
  // id, so both parse to the same value.
  static ErrorOr<PeerId> Parse(std::string_view text);

  // The base58btc form: what rust-libp2p and go-libp2p print and what exo's `/p2p/` accepts.
  const std::string& ToString() const { return text_; }
  // The CIDv1 form in lowercase base32 ("bafz…"): the same id in an alphabet that survives
  // lowercasing, so it fits where only lowercase is allowed (Headscale's tags).
  std::string ToCidV1() const;

  auto operator<=>(const PeerId& other) const { return text_ <=> other.text_; }
  bool operator==(const PeerId& other) const { return text_ == other.text_; }

 private:
  std::string text_;  // the only state: every Peer and Observation carries a copy
};

}  // namespace peerscout
