// Parked blocking queries (?index=N&wait=D): each is resumed exactly once, as soon as the
// version moves past N or at its deadline, whichever comes first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "sidecar/core/registry.h"
#include "sidecar/server/telemetry.h"

namespace peerscout {

class BlockingQueries {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  BlockingQueries(const Registry& registry, Telemetry& telemetry);
  ~BlockingQueries();

  // `resume` runs once, on this object's thread or the caller's. If the version has already
  // moved past `index`, it runs before Park returns.
  void Park(uint64_t index, SteadyTime deadline, std::function<void()> resume);
  // The registry's version changed; called by its listener.
  void OnChange(uint64_t version);
  // Resumes everything parked and parks nothing more (shutdown).
  void ResumeAll();
  size_t parked() const;

 private:
  struct Parked {
    uint64_t index;
    SteadyTime deadline;
    std::function<void()> resume;
  };

  void Loop(std::stop_token stop);
  // Moves the due ones out under the lock; the caller resumes them after unlocking.
  std::list<Parked> TakeDue(uint64_t version, SteadyTime now, bool all);

  const Registry& registry_;
  Telemetry& telemetry_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::list<Parked> parked_;
  uint64_t version_;
  uint64_t generation_ = 0;  // counts Park calls, to wake the loop
  bool closed_ = false;
  std::jthread thread_;
};

}  // namespace peerscout
