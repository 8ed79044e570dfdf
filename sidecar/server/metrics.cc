#include "sidecar/server/metrics.h"

#include <unistd.h>

#include <array>
#include <fstream>
#include <map>

#include "sidecar/core/liveness_table.h"

namespace peerscout {
namespace {

class Exposition {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    text_ += "# HELP " + std::string(name) + " " + std::string(help) + "\n";
    text_ += "# TYPE " + std::string(name) + " " + std::string(type) + "\n";
  }

  void Sample(std::string_view name, double value, std::string_view labels = "") {
    text_ += name;
    if (!labels.empty()) text_ += "{" + std::string(labels) + "}";
    char number[32];
    std::snprintf(number, sizeof number, " %.17g\n", value);
    text_ += number;
  }

  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

// Source names are [a-z0-9_-]: nothing to escape in a label value.
std::string SourceLabel(const std::string& name) { return "source=\"" + name + "\""; }

// Destinations are paths: anything but a NUL may be in them.
std::string DestinationLabel(const std::string& path) {
  std::string label = "destination=\"";
  for (char c : path) {
    if (c == '\\' || c == '"') {
      label += '\\';
      label += c;
    } else if (c == '\n') {
      label += "\\n";
    } else {
      label += c;
    }
  }
  return label + "\"";
}

void AddTemplateMetrics(Exposition& out, const std::vector<TemplateStatus>& templates) {
  if (templates.empty()) return;
  out.Family("peerscout_template_renders_total", "counter", "Successful renders of each template.");
  for (const TemplateStatus& status : templates) {
    out.Sample("peerscout_template_renders_total", static_cast<double>(status.renders),
               DestinationLabel(status.destination));
  }
  out.Family("peerscout_template_writes_total", "counter",
             "Times each template's file was replaced (its bytes changed).");
  for (const TemplateStatus& status : templates) {
    out.Sample("peerscout_template_writes_total", static_cast<double>(status.writes),
               DestinationLabel(status.destination));
  }
  out.Family("peerscout_template_errors_total", "counter",
             "Renders or writes of each template that failed.");
  for (const TemplateStatus& status : templates) {
    out.Sample("peerscout_template_errors_total", static_cast<double>(status.errors),
               DestinationLabel(status.destination));
  }
  out.Family("peerscout_template_command_runs_total", "counter",
             "Runs of each template's command.");
  for (const TemplateStatus& status : templates) {
    if (!status.command) continue;
    out.Sample("peerscout_template_command_runs_total", static_cast<double>(status.command->runs),
               DestinationLabel(status.destination));
  }
  out.Family("peerscout_template_command_failures_total", "counter",
             "Runs that did not exit 0: a non-zero exit, a signal, a timeout, a failed start.");
  for (const TemplateStatus& status : templates) {
    if (!status.command) continue;
    out.Sample("peerscout_template_command_failures_total",
               static_cast<double>(status.command->failures), DestinationLabel(status.destination));
  }
  out.Family("peerscout_template_command_last_exit_code", "gauge",
             "Exit code of the command's last run; -1 when it did not exit by itself.");
  for (const TemplateStatus& status : templates) {
    if (!status.command || status.command->runs == 0) continue;
    out.Sample("peerscout_template_command_last_exit_code", status.command->exit_code.value_or(-1),
               DestinationLabel(status.destination));
  }
}

double Seconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

void AddProcessMetrics(Exposition& out) {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  if (statm >> pages >> resident) {
    out.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.Sample("process_resident_memory_bytes",
               static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)));
  }
  std::ifstream stat("/proc/self/stat");
  std::string field;
  for (int i = 0; i < 13 && stat >> field; ++i) {
  }
  long user_ticks = 0;
  long system_ticks = 0;
  if (stat >> user_ticks >> system_ticks) {
    out.Family("process_cpu_seconds_total", "counter", "User and system CPU time spent.");
    out.Sample("process_cpu_seconds_total", static_cast<double>(user_ticks + system_ticks) /
                                                static_cast<double>(::sysconf(_SC_CLK_TCK)));
  }
}

}  // namespace

void AddLivenessMetrics(Exposition& out, const PeerSet& peers, const Telemetry& telemetry) {
  std::array<size_t, 3> states{};  // reachable, unreachable, unknown
  for (const Peer& peer : peers.peers) ++states[peer.reachable ? (*peer.reachable ? 0 : 1) : 2];
  out.Family("peerscout_peers_reachable", "gauge",
             "Peers by what probes found: an address answered, none did, or none was probed.");
  out.Sample("peerscout_peers_reachable", static_cast<double>(states[0]), "state=\"reachable\"");
  out.Sample("peerscout_peers_reachable", static_cast<double>(states[1]), "state=\"unreachable\"");
  out.Sample("peerscout_peers_reachable", static_cast<double>(states[2]), "state=\"unknown\"");
  out.Family("peerscout_liveness_probes_total", "counter", "[liveness] TCP probes by outcome.");
  for (auto outcome : {ProbeOutcome::kAnswered, ProbeOutcome::kRefused, ProbeOutcome::kTimedOut,
                       ProbeOutcome::kFailed}) {
    out.Sample("peerscout_liveness_probes_total",
               static_cast<double>(telemetry.liveness_probes[static_cast<size_t>(outcome)].load()),
               "outcome=\"" + std::string(ProbeOutcomeName(outcome)) + "\"");
  }
}

std::string RenderMetrics(const PeerSet& peers, const std::vector<SourceStatus>& sources,
                          const Telemetry& telemetry) {
  Exposition out;
  out.Family("peerscout_peers", "gauge", "Peers in the merged list.");
  out.Sample("peerscout_peers", static_cast<double>(peers.peers.size()));
  out.Family("peerscout_version", "gauge", "Version of the merged list; changes with it.");
  out.Sample("peerscout_version", static_cast<double>(peers.version));

  std::map<std::string, size_t> per_source = PeersPerSource(peers.peers);
  out.Family("peerscout_source_peers", "gauge", "Peers in the merged list seen by each source.");
  for (const SourceStatus& source : sources) {
    out.Sample("peerscout_source_peers", static_cast<double>(per_source[source.name]),
               SourceLabel(source.name));
  }
  out.Family("peerscout_source_up", "gauge", "1 if the source's last look succeeded.");
  for (const SourceStatus& source : sources) {
    const bool up = source.enabled && source.last_success && !source.failing();
    out.Sample("peerscout_source_up", up ? 1 : 0, SourceLabel(source.name));
  }
  out.Family("peerscout_source_stale", "gauge", "1 while a failing source's last peers are kept.");
  for (const SourceStatus& source : sources) {
    out.Sample("peerscout_source_stale", source.stale ? 1 : 0, SourceLabel(source.name));
  }
  out.Family("peerscout_source_errors_total", "counter", "Failed looks of each source.");
  for (const SourceStatus& source : sources) {
    out.Sample("peerscout_source_errors_total", static_cast<double>(source.errors),
               SourceLabel(source.name));
  }
  out.Family("peerscout_source_issues", "gauge",
             "Entries of the last look that were refused (bad entry, unresolved name).");
  for (const SourceStatus& source : sources) {
    out.Sample("peerscout_source_issues", static_cast<double>(source.issues.size()),
               SourceLabel(source.name));
  }
  out.Family("peerscout_source_fetch_duration_seconds", "summary",
             "Time each successful look took.");
  for (const SourceStatus& source : sources) {
    out.Sample("peerscout_source_fetch_duration_seconds_sum", Seconds(source.total_fetch_duration),
               SourceLabel(source.name));
    out.Sample("peerscout_source_fetch_duration_seconds_count",
               static_cast<double>(source.successes), SourceLabel(source.name));
  }
  // Counter names are the sources' own identifiers ([a-z_]): nothing to escape either.
  out.Family("peerscout_source_events_total", "counter",
             "What sources count as they work (mdns: packets_dropped, queries_sent...).");
  for (const SourceStatus& source : sources) {
    for (const auto& [event, count] : source.counters) {
      out.Sample("peerscout_source_events_total", static_cast<double>(count),
                 SourceLabel(source.name) + ",event=\"" + event + "\"");
    }
  }
  out.Family("peerscout_source_faults_total", "counter",
             "Faults the sidecar counted for each source: reply_too_large (a reply past the size "
             "cap), exceptions (the source's thread threw and was restarted).");
  for (const SourceStatus& source : sources) {
    for (const auto& [fault, count] : source.faults) {
      out.Sample("peerscout_source_faults_total", static_cast<double>(count),
                 SourceLabel(source.name) + ",fault=\"" + fault + "\"");
    }
  }
  out.Family("peerscout_http_responses_total", "counter", "API responses by status class.");
  static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (size_t i = 0; i < telemetry.http_responses.size(); ++i) {
    out.Sample("peerscout_http_responses_total",
               static_cast<double>(telemetry.http_responses[i].load()),
               "code=\"" + std::string(kClasses[i]) + "\"");
  }
  out.Family("peerscout_blocking_queries", "gauge", "Blocking queries waiting for a change.");
  out.Sample("peerscout_blocking_queries",
             static_cast<double>(telemetry.blocking_queries_waiting.load()));
  out.Family("peerscout_http_connections", "gauge", "Connections open on the API's socket.");
  out.Sample("peerscout_http_connections", static_cast<double>(telemetry.http_connections.load()));
  out.Family("peerscout_http_connections_evicted_total", "counter",
             "Idle connections closed to make room for a new one beyond max_connections.");
  out.Sample("peerscout_http_connections_evicted_total",
             static_cast<double>(telemetry.http_connections_evicted.load()));
  out.Family("peerscout_file_writes_total", "counter", "Output files rewritten.");
  out.Sample("peerscout_file_writes_total", static_cast<double>(telemetry.file_writes.load()));
  out.Family("peerscout_file_write_errors_total", "counter", "Output file writes that failed.");
  out.Sample("peerscout_file_write_errors_total",
             static_cast<double>(telemetry.file_write_errors.load()));
  out.Family("peerscout_config_reloads_total", "counter", "Reloads (SIGHUP) by outcome.");
  out.Sample("peerscout_config_reloads_total", static_cast<double>(telemetry.reloads.load()),
             "result=\"ok\"");
  out.Sample("peerscout_config_reloads_total",
             static_cast<double>(telemetry.reload_failures.load()), "result=\"refused\"");
  AddLivenessMetrics(out, peers, telemetry);
  AddTemplateMetrics(out, telemetry.templates.Snapshot());
  AddProcessMetrics(out);
  return out.Take();
}

}  // namespace peerscout
