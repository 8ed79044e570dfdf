#include "sidecar/runtime/output_writer.h"

namespace peerscout {
namespace {

// After a failed write (disk full, directory gone) the same bytes are tried again this often.
constexpr auto kRetryAfterError = std::chrono::seconds(5);

}  // namespace

OutputWriter::OutputWriter(Telemetry& telemetry)
    : telemetry_(telemetry), thread_([this](std::stop_token stop) { Loop(stop); }) {}

OutputWriter::~OutputWriter() {
  thread_.request_stop();
  thread_.join();
}

void OutputWriter::SetOutputs(std::vector<OutputConfig> outputs) {
  std::lock_guard lock(mutex_);
  next_outputs_ = std::move(outputs);
  dirty_ = true;
  wake_.notify_all();
}

void OutputWriter::Offer(std::shared_ptr<const PeerSet> peers) {
  std::lock_guard lock(mutex_);
  latest_ = std::move(peers);
  dirty_ = true;
  wake_.notify_all();
}

void OutputWriter::SetReady() {
  std::lock_guard lock(mutex_);
  if (ready_) return;
  ready_ = true;
  wake_.notify_all();
}

void OutputWriter::Loop(std::stop_token stop) {
  FileOutputs outputs({});
  uint64_t errors_seen = 0;
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    const bool failing = outputs.counters().errors != errors_seen;
    auto due = [this] { return ready_ && dirty_ && latest_; };
    if (failing) {
      wake_.wait_for(lock, stop, kRetryAfterError, due);
    } else {
      wake_.wait(lock, stop, due);
    }
    if (stop.stop_requested() || !ready_ || !latest_) continue;
    errors_seen = outputs.counters().errors;
    if (next_outputs_) {
      outputs = FileOutputs(std::move(*next_outputs_));
      next_outputs_.reset();
    }
    std::shared_ptr<const PeerSet> peers = latest_;
    dirty_ = false;
    lock.unlock();
    const FileOutputs::Counters before = outputs.counters();
    outputs.Write(peers);
    telemetry_.file_writes += outputs.counters().writes - before.writes;
    telemetry_.file_write_errors += outputs.counters().errors - before.errors;
    first_write_done_ = true;
    lock.lock();
  }
}

}  // namespace peerscout
