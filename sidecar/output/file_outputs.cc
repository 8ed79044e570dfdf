#include "sidecar/output/file_outputs.h"

#include <spdlog/spdlog.h>

#include "sidecar/output/atomic_file.h"
#include "sidecar/system/whole_file.h"

namespace peerscout {

FileOutputs::FileOutputs(std::vector<OutputConfig> outputs)
    : outputs_(std::move(outputs)), written_(outputs_.size()) {
  // Start from what is on disk, so a restart with the same peers rewrites nothing.
  for (size_t i = 0; i < outputs_.size(); ++i) {
    RemoveStaleTemporaries(outputs_[i].path);
    written_[i].known = ReadWholeFile(outputs_[i].path, written_[i].bytes);
  }
}

size_t FileOutputs::Write(const PeerSet& peers) {
  size_t count = 0;
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const OutputConfig& output = outputs_[i];
    std::string bytes =
        output.filter.empty()
            ? output.format->render(peers, output.render)
            : output.format->render(FilterPeers(peers, output.filter), output.render);
    if (written_[i].known && written_[i].bytes == bytes) {
      ++counters_.unchanged;
      continue;
    }
    const std::string failure = WriteFileAtomically(output.path, bytes, output.mode);
    if (!failure.empty()) {
      ++counters_.errors;
      written_[i].known = false;
      spdlog::error("output {}: {}", output.path, failure);
      continue;
    }
    written_[i] = {true, std::move(bytes)};
    ++counters_.writes;
    ++count;
    spdlog::debug("output {}: wrote version {}", output.path, peers.version);
  }
  return count;
}

}  // namespace peerscout
