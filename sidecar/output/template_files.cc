#include "sidecar/output/template_files.h"

#include "sidecar/output/atomic_file.h"
#include "sidecar/render/peer_filter.h"
#include "sidecar/system/whole_file.h"

namespace peerscout {

TemplateFiles::TemplateFiles(std::vector<TemplateConfig> templates)
    : templates_(std::move(templates)), written_(templates_.size()) {
  // Start from what is on disk: a restart with the same peers replaces nothing and runs no
  // command.
  for (size_t i = 0; i < templates_.size(); ++i) {
    RemoveStaleTemporaries(templates_[i].destination);
    written_[i].known = ReadWholeFile(templates_[i].destination, written_[i].bytes);
  }
}

std::vector<TemplateFiles::Result> TemplateFiles::Write(const PeerSet& peers) {
  std::vector<Result> results(templates_.size());
  for (size_t i = 0; i < templates_.size(); ++i) {
    const TemplateConfig& config = templates_[i];
    ErrorOr<std::string> bytes = config.filter.empty()
                                     ? config.text.Render(peers)
                                     : config.text.Render(FilterPeers(peers, config.filter));
    if (!bytes) {
      results[i].error = "render " + config.source + ": " + bytes.error();
      written_[i].known = false;
      continue;
    }
    if (written_[i].known && written_[i].bytes == *bytes) continue;
    results[i].error = WriteFileAtomically(config.destination, *bytes, config.mode);
    if (!results[i].error.empty()) {
      written_[i].known = false;
      continue;
    }
    written_[i] = {true, std::move(bytes).value()};
    results[i].replaced = true;
  }
  return results;
}

}  // namespace peerscout
