// A host name safe to hand to a resolver and to write into env, hosts and multiaddr outputs.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"

namespace peerscout {

class DnsName {
 public:
  // Lowercases and drops one trailing dot. Labels hold letters, digits, '-' and '_' (Docker
  // Compose service names use '_'); no label starts or ends with '-'; the last label is not
  // all digits, so nothing that looks like an address is taken for a name. Anything else is
  // refused: a name is written unquoted into outputs, so no shell or hosts-file syntax may pass.
  static ErrorOr<DnsName> Parse(std::string_view text);

  const std::string& ToString() const { return text_; }
  auto operator<=>(const DnsName&) const = default;

 private:
  std::string text_;
};

// Turns an arbitrary host name (a tailnet node's OS hostname, say) into one DNS label, the way
// MagicDNS does: lowercase, runs of other characters become '-'. Empty if nothing is left.
std::string SanitizeHostLabel(std::string_view hostname);

}  // namespace peerscout
