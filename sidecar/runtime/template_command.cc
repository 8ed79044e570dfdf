#include "sidecar/runtime/template_command.h"

#include <spdlog/spdlog.h>

#include "sidecar/runtime/timed_command.h"

namespace peerscout {

TemplateCommand::TemplateCommand(std::string destination, std::vector<std::string> argv,
                                 Duration timeout, TemplateStatuses& statuses)
    : destination_(std::move(destination)),
      argv_(std::move(argv)),
      timeout_(timeout),
      statuses_(statuses),
      thread_([this](std::stop_token stop) { Loop(stop); }) {}

TemplateCommand::~TemplateCommand() {
  thread_.request_stop();
  thread_.join();
}

void TemplateCommand::Trigger() {
  std::lock_guard lock(mutex_);
  pending_ = true;
  wake_.notify_all();
}

void TemplateCommand::Loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    wake_.wait(lock, stop, [this] { return pending_; });
    if (stop.stop_requested()) return;
    // Cleared before the run: a replacement during it sets it again, for one more run.
    pending_ = false;
    lock.unlock();
    RunOnce(stop);
    lock.lock();
  }
}

void TemplateCommand::RunOnce(std::stop_token stop) {
  statuses_.Update(destination_, [](TemplateStatus& status) {
    if (!status.command) return;
    status.command->running = true;
    status.command->last_started = Clock::now();
  });
  std::string command_line;
  for (const std::string& arg : argv_) command_line += (command_line.empty() ? "" : " ") + arg;
  spdlog::info("template {}: running {}", destination_, command_line);
  const CommandResult result = RunTimedCommand(argv_, timeout_, stop);
  statuses_.Update(destination_, [&result](TemplateStatus& status) {
    if (!status.command) return;
    CommandStatus& command = *status.command;
    command.running = false;
    command.last_finished = Clock::now();
    ++command.runs;
    command.failures += result.ok ? 0 : 1;
    command.last_status = result.status;
    command.exit_code = result.exit_code;
    command.output_tail = result.output_tail;
  });
  // Its output is in /v1/templates, not in the log: it may say anything.
  if (result.ok) {
    spdlog::info("template {}: command {}", destination_, result.status);
  } else {
    spdlog::warn("template {}: command {}", destination_, result.status);
  }
}

}  // namespace peerscout
