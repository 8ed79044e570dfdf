// A [[template]]'s command, run on a thread of its own after its file was replaced, so a slow
// command holds up neither the registry nor the other files. Replacements that come while it
// runs make it run once more when it ends, not once each.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sidecar/option/duration.h"
#include "sidecar/output/template_status.h"

namespace peerscout {

class TemplateCommand {
 public:
  TemplateCommand(std::string destination, std::vector<std::string> argv, Duration timeout,
                  TemplateStatuses& statuses);
  // Stops a command that is still running (SIGTERM, then SIGKILL) and waits for it.
  ~TemplateCommand();
  TemplateCommand(const TemplateCommand&) = delete;
  TemplateCommand& operator=(const TemplateCommand&) = delete;

  void Trigger();
  bool SameAs(const std::vector<std::string>& argv, Duration timeout) const {
    return argv == argv_ && timeout == timeout_;
  }

 private:
  void Loop(std::stop_token stop);
  void RunOnce(std::stop_token stop);

  const std::string destination_;
  const std::vector<std::string> argv_;
  const Duration timeout_;
  TemplateStatuses& statuses_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool pending_ = false;
  std::jthread thread_;
};

}  // namespace peerscout
