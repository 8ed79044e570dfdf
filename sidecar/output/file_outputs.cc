#include "sidecar/output/file_outputs.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "sidecar/output/atomic_file.h"
#include "sidecar/render/format.h"
#include "sidecar/render/peer_filter.h"
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

std::string FileOutputs::Render(size_t index, const std::shared_ptr<const PeerSet>& peers) {
  const OutputConfig& output = outputs_[index];
  if (!RendersJson(*output.format)) {
    return output.filter.empty()
               ? output.format->render(*peers, output.render)
               : output.format->render(FilterPeers(*peers, output.filter), output.render);
  }
  // An output's filter never changes, so its successive lists are versions of one list.
  return written_[index].json.Render(
      output.filter.empty() ? peers
                            : std::make_shared<const PeerSet>(FilterPeers(*peers, output.filter)));
}

size_t FileOutputs::Write(const std::shared_ptr<const PeerSet>& peers) {
  size_t count = 0;
  for (size_t i = 0; i < outputs_.size(); ++i) {
    const OutputConfig& output = outputs_[i];
    std::string bytes = Render(i, peers);
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
    written_[i].known = true;
    written_[i].bytes = std::move(bytes);
    ++counters_.writes;
    ++count;
    spdlog::debug("output {}: wrote version {}", output.path, peers->version);
  }
  return count;
}

}  // namespace peerscout
