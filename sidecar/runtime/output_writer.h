// Writes the output files on its own thread, so a slow disk never holds up a source or the
// API. Only the newest peer set is written; sets that were superseded meanwhile are skipped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sidecar/output/file_outputs.h"
#include "sidecar/server/telemetry.h"

namespace peerscout {

class OutputWriter {
 public:
  explicit OutputWriter(Telemetry& telemetry);
  ~OutputWriter();

  // Replaces the outputs; the current set is written to the new ones.
  void SetOutputs(std::vector<OutputConfig> outputs);
  void Offer(std::shared_ptr<const PeerSet> peers);
  // Nothing is written before this: a restart must not replace good files with the empty
  // list every process starts with. Called once every source has reported (or at a deadline).
  void SetReady();
  // Every output has been written once (or failed to be) since SetReady.
  bool FirstWriteDone() const { return first_write_done_; }

 private:
  void Loop(std::stop_token stop);

  Telemetry& telemetry_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::shared_ptr<const PeerSet> latest_;
  bool dirty_ = false;
  bool ready_ = false;
  std::optional<std::vector<OutputConfig>> next_outputs_;
  std::atomic<bool> first_write_done_ = false;
  std::jthread thread_;
};

}  // namespace peerscout
