// The [[template]] files, replaced when their rendered bytes change.
#pragma once

#include <string>
#include <vector>

#include "sidecar/config/config.h"
#include "sidecar/core/peer.h"

namespace peerscout {

class TemplateFiles {
 public:
  struct Result {
    bool replaced = false;
    std::string error;  // why it could not be rendered or written; the old file stays
  };

  explicit TemplateFiles(std::vector<TemplateConfig> templates);

  // Renders each template and replaces the files whose bytes differ from what they hold. A
  // failed render or write is tried again on the next call even if nothing changed. One
  // result per template, in config order.
  std::vector<Result> Write(const PeerSet& peers);
  const std::vector<TemplateConfig>& templates() const { return templates_; }

 private:
  struct Written {
    bool known = false;  // `bytes` is what the file holds
    std::string bytes;
  };

  std::vector<TemplateConfig> templates_;
  std::vector<Written> written_;
};

}  // namespace peerscout
