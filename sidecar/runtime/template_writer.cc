#include "sidecar/runtime/template_writer.h"

#include <spdlog/spdlog.h>

namespace peerscout {
namespace {

// After a failed render or write the template is tried again this often, like the outputs.
constexpr auto kRetryAfterError = std::chrono::seconds(5);

TemplateStatus InitialStatus(const TemplateConfig& config) {
  TemplateStatus status;
  status.source = config.source;
  status.destination = config.destination;
  if (!config.command.empty()) {
    status.command.emplace();
    status.command->argv = config.command;
  }
  return status;
}

std::vector<TemplateStatus> InitialStatuses(const std::vector<TemplateConfig>& templates) {
  std::vector<TemplateStatus> statuses;
  statuses.reserve(templates.size());
  for (const TemplateConfig& config : templates) statuses.push_back(InitialStatus(config));
  return statuses;
}

}  // namespace

TemplateWriter::TemplateWriter(TemplateStatuses& statuses)
    : statuses_(statuses), thread_([this](std::stop_token stop) { Loop(stop); }) {}

TemplateWriter::~TemplateWriter() {
  thread_.request_stop();
  thread_.join();
  commands_.clear();  // stops the commands still running
}

void TemplateWriter::SetTemplates(std::vector<TemplateConfig> templates) {
  std::lock_guard lock(mutex_);
  // Shown by the API from the start; once the thread has commands, it alone replaces them.
  if (!applied_) statuses_.Replace(InitialStatuses(templates));
  next_templates_ = std::move(templates);
  dirty_ = true;
  wake_.notify_all();
}

void TemplateWriter::Offer(std::shared_ptr<const PeerSet> peers) {
  std::lock_guard lock(mutex_);
  latest_ = std::move(peers);
  dirty_ = true;
  wake_.notify_all();
}

void TemplateWriter::SetReady() {
  std::lock_guard lock(mutex_);
  if (ready_) return;
  ready_ = true;
  wake_.notify_all();
}

void TemplateWriter::Loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    auto due = [this] { return ready_ && dirty_ && latest_; };
    if (failing_) {
      wake_.wait_for(lock, stop, kRetryAfterError, due);
    } else {
      wake_.wait(lock, stop, due);
    }
    if (stop.stop_requested() || !ready_ || !latest_) continue;
    std::optional<std::vector<TemplateConfig>> templates = std::move(next_templates_);
    next_templates_.reset();
    applied_ = applied_ || templates.has_value();
    std::shared_ptr<const PeerSet> peers = latest_;
    dirty_ = false;
    lock.unlock();
    if (templates) Apply(std::move(*templates));
    Write(*peers);
    first_write_done_ = true;
    lock.lock();
  }
}

void TemplateWriter::Apply(std::vector<TemplateConfig> templates) {
  std::vector<std::unique_ptr<TemplateCommand>> commands(templates.size());
  const std::vector<TemplateConfig>& old = files_.templates();
  for (size_t i = 0; i < templates.size(); ++i) {
    for (size_t j = 0; j < old.size(); ++j) {
      if (commands_[j] && old[j].destination == templates[i].destination &&
          commands_[j]->SameAs(templates[i].command, templates[i].command_timeout)) {
        commands[i] = std::move(commands_[j]);
      }
    }
  }
  // Stopped before the statuses change, so their last run is recorded where it belongs.
  commands_.clear();
  statuses_.Replace(InitialStatuses(templates));
  for (size_t i = 0; i < templates.size(); ++i) {
    if (!commands[i] && !templates[i].command.empty()) {
      commands[i] = std::make_unique<TemplateCommand>(
          templates[i].destination, templates[i].command, templates[i].command_timeout, statuses_);
    }
  }
  commands_ = std::move(commands);
  files_ = TemplateFiles(std::move(templates));
}

void TemplateWriter::Write(const PeerSet& peers) {
  const std::vector<TemplateFiles::Result> results = files_.Write(peers);
  failing_ = false;
  for (size_t i = 0; i < results.size(); ++i) {
    const TemplateFiles::Result& result = results[i];
    const std::string& destination = files_.templates()[i].destination;
    if (!result.error.empty()) {
      failing_ = true;
      spdlog::error("template {}: {}; the old file stays", destination, result.error);
    } else if (result.replaced) {
      spdlog::debug("template {}: wrote version {}", destination, peers.version);
    }
    statuses_.Update(destination, [&](TemplateStatus& status) {
      if (result.error.empty()) {
        status.last_error.clear();
        status.last_rendered = peers.version;
        ++status.renders;
      } else {
        status.last_error = result.error;
        ++status.errors;
      }
      if (result.replaced) {
        status.last_written = Clock::now();
        ++status.writes;
      }
    });
    if (result.replaced && commands_[i]) commands_[i]->Trigger();
  }
}

}  // namespace peerscout
