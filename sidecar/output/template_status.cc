#include "sidecar/output/template_status.h"

namespace peerscout {

void TemplateStatuses::Replace(std::vector<TemplateStatus> statuses) {
  std::lock_guard lock(mutex_);
  for (TemplateStatus& status : statuses) {
    for (const TemplateStatus& old : statuses_) {
      if (old.destination != status.destination) continue;
      std::optional<CommandStatus> command = std::move(status.command);
      const std::string source = std::move(status.source);
      status = old;
      status.source = source;
      // The command's history stays; its argv is the new one (or none).
      if (command && status.command) {
        status.command->argv = std::move(command->argv);
      } else {
        status.command = std::move(command);
      }
    }
  }
  statuses_ = std::move(statuses);
}

std::vector<TemplateStatus> TemplateStatuses::Snapshot() const {
  std::lock_guard lock(mutex_);
  return statuses_;
}

}  // namespace peerscout
