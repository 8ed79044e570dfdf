// Counters the sidecar keeps about itself, read by /metrics. Written from several threads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "sidecar/output/template_status.h"

namespace peerscout {

struct Telemetry {
  // HTTP responses by status class: index 0 = 1xx ... 4 = 5xx.
  std::array<std::atomic<uint64_t>, 5> http_responses{};
  std::atomic<uint64_t> blocking_queries_waiting{0};
  std::atomic<uint64_t> http_connections{0};  // open, not counting those told to give way
  std::atomic<uint64_t> http_connections_evicted{0};
  std::atomic<uint64_t> file_writes{0};
  std::atomic<uint64_t> file_write_errors{0};
  std::atomic<uint64_t> reloads{0};
  std::atomic<uint64_t> reload_failures{0};
  TemplateStatuses templates;
  // [liveness] probes by outcome, in ProbeOutcome's order: answered, refused, timed out, failed.
  std::array<std::atomic<uint64_t>, 4> liveness_probes{};

  void CountResponse(unsigned status) {
    if (status >= 100 && status < 600) http_responses[status / 100 - 1].fetch_add(1);
  }
};

}  // namespace peerscout
