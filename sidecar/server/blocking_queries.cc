#include "sidecar/server/blocking_queries.h"

#include <algorithm>

namespace peerscout {

BlockingQueries::BlockingQueries(const Registry& registry, Telemetry& telemetry)
    : registry_(registry),
      telemetry_(telemetry),
      version_(registry.Current()->version),
      thread_([this](std::stop_token stop) { Loop(stop); }) {}

BlockingQueries::~BlockingQueries() {
  ResumeAll();
  thread_.request_stop();
}

void BlockingQueries::Park(uint64_t index, SteadyTime deadline, std::function<void()> resume) {
  {
    std::lock_guard lock(mutex_);
    // Read the version under our lock: a change published after this read reaches OnChange
    // only after we unlock, and finds this query parked.
    version_ = std::max(version_, registry_.Current()->version);
    if (!closed_ && version_ == index) {
      parked_.push_back({index, deadline, std::move(resume)});
      telemetry_.blocking_queries_waiting.store(parked_.size());
      ++generation_;
      wake_.notify_all();
      return;
    }
  }
  resume();
}

void BlockingQueries::OnChange(uint64_t version) {
  std::list<Parked> due;
  {
    std::lock_guard lock(mutex_);
    version_ = std::max(version_, version);
    due = TakeDue(version_, std::chrono::steady_clock::now(), false);
  }
  for (Parked& parked : due) parked.resume();
}

void BlockingQueries::ResumeAll() {
  std::list<Parked> due;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    due = TakeDue(version_, std::chrono::steady_clock::now(), true);
  }
  for (Parked& parked : due) parked.resume();
}

size_t BlockingQueries::parked() const {
  std::lock_guard lock(mutex_);
  return parked_.size();
}

std::list<BlockingQueries::Parked> BlockingQueries::TakeDue(uint64_t version, SteadyTime now,
                                                            bool all) {
  std::list<Parked> due;
  for (auto it = parked_.begin(); it != parked_.end();) {
    auto next = std::next(it);
    if (all || it->index != version || it->deadline <= now) due.splice(due.end(), parked_, it);
    it = next;
  }
  telemetry_.blocking_queries_waiting.store(parked_.size());
  return due;
}

void BlockingQueries::Loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    // Woken by a new query (its deadline may be the earliest) or by the earliest deadline.
    const uint64_t seen = generation_;
    auto parked_more = [this, seen] { return generation_ != seen; };
    if (parked_.empty()) {
      wake_.wait(lock, stop, parked_more);
      continue;
    }
    SteadyTime earliest = parked_.front().deadline;
    for (const Parked& parked : parked_) earliest = std::min(earliest, parked.deadline);
    wake_.wait_until(lock, stop, earliest, parked_more);
    std::list<Parked> due = TakeDue(version_, std::chrono::steady_clock::now(), false);
    lock.unlock();
    for (Parked& parked : due) parked.resume();
    lock.lock();
  }
}

}  // namespace peerscout
