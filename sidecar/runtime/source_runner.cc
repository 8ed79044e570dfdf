#include "sidecar/runtime/source_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace peerscout {
namespace {

class RegistrySink : public SnapshotSink {
 public:
  RegistrySink(Registry& registry, std::string name)
      : registry_(registry), name_(std::move(name)) {}

  void Publish(Snapshot snapshot) override {
    for (const SourceIssue& issue : snapshot.issues) {
      if (std::find(last_issues_.begin(), last_issues_.end(), issue) != last_issues_.end()) {
        continue;
      }
      spdlog::warn("{}: {}: '{}': {}", name_, issue.origin, issue.subject, issue.reason);
    }
    last_issues_ = snapshot.issues;
    if (!last_error_.empty()) spdlog::info("{}: recovered", name_);
    last_error_.clear();
    registry_.Publish(name_, std::move(snapshot), Clock::now());
  }

  void Fail(std::string error) override {
    if (error != last_error_) spdlog::warn("{}: {}", name_, error);
    last_error_ = error;
    registry_.Fail(name_, error, Clock::now());
  }

  void Count(std::string_view event) override { registry_.Count(name_, event); }

 private:
  Registry& registry_;
  std::string name_;
  std::vector<SourceIssue> last_issues_;
  std::string last_error_;
};

void Crashed(const std::string& name, SnapshotSink& sink, const std::string& what) {
  spdlog::error("{}: source stopped on an exception: {}; restarting in 5s", name, what);
  sink.Count("exceptions");
  sink.Fail("internal error: " + what);
}

// A source that throws has a bug; the sidecar keeps serving the others and retries it.
void RunGuarded(std::stop_token stop, const RunnableSource& runnable, Registry& registry) {
  RegistrySink sink(registry, runnable.name);
  while (!stop.stop_requested()) {
    try {
      runnable.source->Run(stop, sink);
      return;
    } catch (const std::exception& error) {
      Crashed(runnable.name, sink, error.what());
    } catch (...) {
      // Not an std::exception: without this the thread would end the whole process.
      Crashed(runnable.name, sink, "an exception of unknown type");
    }
    SleepUnlessStopped(std::chrono::seconds(5), stop);
  }
}

}  // namespace

void SourceRunner::StartAll(std::vector<RunnableSource> sources) {
  for (RunnableSource& runnable : sources) {
    threads_.emplace_back([this, runnable = std::move(runnable)](std::stop_token stop) {
      RunGuarded(stop, runnable, registry_);
    });
  }
}

void SourceRunner::StopAll() {
  for (std::jthread& thread : threads_) thread.request_stop();
  threads_.clear();  // joins
}

}  // namespace peerscout
