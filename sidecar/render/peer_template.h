// A user's mustache template, rendered with the peer list: [[template]] tables.
#pragma once

#include <string>

#include "sidecar/base/error_or.h"
#include "sidecar/core/peer.h"

namespace peerscout {

class PeerTemplate {
 public:
  PeerTemplate() = default;  // renders nothing
  // Checks the syntax; the error says where: "line 3: Unclosed section \"peers\"".
  static ErrorOr<PeerTemplate> Parse(std::string text);

  // The context: `version`, `peer_count`, `peers` (each peer with the fields of /v1/peers,
  // nulls as false) and, per list format, the whole list comma-separated (`{{exo}}`).
  // Partials are not served: `{{> name}}` renders nothing.
  ErrorOr<std::string> Render(const PeerSet& peers) const;

  const std::string& text() const { return text_; }

 private:
  explicit PeerTemplate(std::string text) : text_(std::move(text)) {}
  // Kept as text and parsed again per render: parsing is cheap beside the data, and the
  // library's parsed form can be neither copied nor shared between threads.
  std::string text_;
};

}  // namespace peerscout
