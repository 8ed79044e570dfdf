// What each [[template]] last did, for /v1/templates and /metrics. Written by the template
// writer's thread and the commands' threads, read by the API's.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/core/observation.h"

namespace peerscout {

struct CommandStatus {
  std::vector<std::string> argv;
  bool running = false;
  uint64_t runs = 0;
  uint64_t failures = 0;
  // "exited 0", "killed by signal 9", "timed out after 1s", "could not start: <reason>";
  // empty before the first run.
  std::string last_status;
  std::optional<int> exit_code;  // set when it exited by itself
  std::optional<Clock::time_point> last_started;
  std::optional<Clock::time_point> last_finished;
  std::string output_tail;  // the end of its stdout and stderr, interleaved
};

struct TemplateStatus {
  std::string source;
  std::string destination;
  std::optional<uint64_t> last_rendered;  // the version last rendered
  std::optional<Clock::time_point> last_written;
  uint64_t renders = 0;
  uint64_t writes = 0;
  uint64_t errors = 0;
  std::string last_error;  // of the last render or write; empty once one succeeds
  std::optional<CommandStatus> command;
};

class TemplateStatuses {
 public:
  // The new list, in config order. A destination that was there before keeps its counts, so a
  // reload does not reset them.
  void Replace(std::vector<TemplateStatus> statuses);
  std::vector<TemplateStatus> Snapshot() const;

  template <typename Change>
  void Update(const std::string& destination, Change change) {
    std::lock_guard lock(mutex_);
    for (TemplateStatus& status : statuses_) {
      if (status.destination == destination) change(status);
    }
  }

 private:
  mutable std::mutex mutex_;
  std::vector<TemplateStatus> statuses_;
};

}  // namespace peerscout
