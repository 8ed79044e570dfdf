#include "sidecar/runtime/liveness_prober.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "sidecar/runtime/connect_probes.h"
#include "sidecar/system/stop_event.h"

namespace peerscout {
namespace {

using namespace std::chrono_literals;

// How often the merged list is read for new endpoints: a new peer is probed within this.
constexpr auto kTargetRefresh = 1s;
// Connects open at once, whatever per_second and timeout allow: each holds a descriptor.
constexpr size_t kMaxInFlight = 256;

}  // namespace

LivenessProber::LivenessProber(Registry& registry, Telemetry& telemetry, LivenessCadence cadence)
    : registry_(registry),
      telemetry_(telemetry),
      cadence_(cadence),
      thread_([this](std::stop_token stop) { Run(std::move(stop)); }) {}

LivenessProber::~LivenessProber() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void LivenessProber::Run(std::stop_token stop) {
  StopEvent wake(stop);
  LivenessTable table(cadence_);
  ConnectProbes probes(cadence_.timeout);
  Clock::time_point targets_at{};
  std::optional<uint64_t> targets_version;
  while (!stop.stop_requested()) {
    Clock::time_point now = Clock::now();
    bool changed = false;
    if (now >= targets_at) {
      // One version of the list always gives the same targets: only a new one is walked (a
      // walk is O(peers), each second).
      const std::shared_ptr<const PeerSet> peers = registry_.Current();
      if (peers->version != targets_version) {
        changed = table.SetTargets(ProbeTargets(*peers));
        targets_version = peers->version;
      }
      targets_at = now + kTargetRefresh;
    }
    for (const Endpoint& endpoint : table.Due(now, kMaxInFlight - probes.in_flight())) {
      probes.Start(endpoint);
    }

    // A due probe's deadline may be time_point::min(): compared, never subtracted from.
    Clock::time_point until = targets_at;
    if (auto due = table.NextDeadline()) until = std::min(until, *due);
    std::chrono::nanoseconds wait = until <= now ? 0ns : until - now;
    const auto steady = ConnectProbes::Steady::now();
    const auto timeout_at = probes.NextTimeout();
    if (timeout_at != ConnectProbes::Steady::time_point::max()) {
      wait = std::min<std::chrono::nanoseconds>(wait,
                                                timeout_at <= steady ? 0ns : timeout_at - steady);
    }
    wait = std::clamp<std::chrono::nanoseconds>(wait, 1ms, 1s);
    const auto finished =
        probes.Poll(std::chrono::ceil<std::chrono::milliseconds>(wait), wake.fd());
    now = Clock::now();
    for (const ConnectProbes::Finished& probe : finished) {
      telemetry_.liveness_probes[static_cast<size_t>(probe.outcome)].fetch_add(1);
      if (!probe.error.empty() && probe.outcome == ProbeOutcome::kFailed) {
        spdlog::debug("liveness: {}: {}", probe.endpoint.ToHostPort(), probe.error);
      }
      changed = table.Record(probe.endpoint, probe.outcome, probe.round_trip, now) || changed;
    }
    if (changed) registry_.SetReachability(table.reachability());
  }
}

}  // namespace peerscout
