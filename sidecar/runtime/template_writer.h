// Renders the [[template]] files on their own thread, like OutputWriter: only the newest peer
// set, nothing before every source has reported. A replaced file triggers its command.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sidecar/output/template_files.h"
#include "sidecar/output/template_status.h"
#include "sidecar/runtime/template_command.h"

namespace peerscout {

class TemplateWriter {
 public:
  explicit TemplateWriter(TemplateStatuses& statuses);
  ~TemplateWriter();

  // Replaces the templates; the current set is rendered with the new ones. A command whose
  // template stays with the same argv and timeout keeps running; the others are stopped.
  void SetTemplates(std::vector<TemplateConfig> templates);
  void Offer(std::shared_ptr<const PeerSet> peers);
  void SetReady();
  // Every template has been rendered once (or failed to be) since SetReady.
  bool FirstWriteDone() const { return first_write_done_; }

 private:
  void Loop(std::stop_token stop);
  void Apply(std::vector<TemplateConfig> templates);
  void Write(const PeerSet& peers);

  TemplateStatuses& statuses_;
  // The writer thread's own: swapped only by it, between writes.
  TemplateFiles files_{std::vector<TemplateConfig>{}};
  std::vector<std::unique_ptr<TemplateCommand>> commands_;  // one per template; null: none
  bool failing_ = false;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::shared_ptr<const PeerSet> latest_;
  bool dirty_ = false;
  bool ready_ = false;
  bool applied_ = false;  // the writer thread has taken templates
  std::optional<std::vector<TemplateConfig>> next_templates_;
  std::atomic<bool> first_write_done_ = false;
  std::jthread thread_;
};

}  // namespace peerscout
