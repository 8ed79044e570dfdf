// The configured output files, rewritten when their bytes change.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sidecar/config/config.h"
#include "sidecar/core/peer.h"
#include "sidecar/render/incremental_json.h"

namespace peerscout {

class FileOutputs {
 public:
  struct Counters {
    uint64_t writes = 0;
    uint64_t errors = 0;
    uint64_t unchanged = 0;
  };

  explicit FileOutputs(std::vector<OutputConfig> outputs);

  // Renders each output; writes those whose bytes differ from what the file holds. A failed
  // write is retried on the next call even if nothing changed. Returns the number written.
  size_t Write(const std::shared_ptr<const PeerSet>& peers);
  const Counters& counters() const { return counters_; }

 private:
  struct Written {
    bool known = false;  // `bytes` is what the file holds
    std::string bytes;
    IncrementalJson json;  // a json output's peers as last rendered
  };

  std::string Render(size_t index, const std::shared_ptr<const PeerSet>& peers);

  std::vector<OutputConfig> outputs_;
  std::vector<Written> written_;
  Counters counters_;
};

}  // namespace peerscout
