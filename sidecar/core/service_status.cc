#include "sidecar/core/service_status.h"

namespace peerscout {
namespace {

std::string Joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) {
    if (!text.empty()) text += ", ";
    text += word;
  }
  return text;
}

std::vector<std::string> Waiting(const std::vector<SourceStatus>& sources) {
  std::vector<std::string> names;
  for (const SourceStatus& source : sources) {
    if (source.enabled && !source.reported()) names.push_back(source.name);
  }
  return names;
}

std::string SourcesPart(const std::vector<SourceStatus>& sources) {
  std::vector<std::string> failing;
  size_t ok = 0;
  for (const SourceStatus& source : sources) {
    if (!source.enabled || !source.reported()) continue;
    if (source.failing()) {
      failing.push_back(source.stale ? source.name + " (stale)" : source.name);
    } else {
      ++ok;
    }
  }
  std::string text;
  if (!failing.empty()) text += "failing: " + Joined(failing) + "; ";
  // A source still silent after the startup deadline is as worth a look as a failing one.
  const std::vector<std::string> waiting = Waiting(sources);
  if (!waiting.empty()) text += "waiting: " + Joined(waiting) + "; ";
  if (failing.empty() && waiting.empty()) {
    return text + std::to_string(ok) + (ok == 1 ? " source ok" : " sources ok");
  }
  return text + std::to_string(ok) + " ok";
}

}  // namespace

std::string ServiceStatusLine(const ServiceState& state) {
  std::string line;
  if (!state.ready) {
    const std::vector<std::string> waiting = Waiting(state.sources);
    line = waiting.empty() ? "starting" : "starting: waiting for " + Joined(waiting);
  } else {
    const size_t count = state.peers.peers.size();
    line = std::to_string(count) + (count == 1 ? " peer" : " peers") + " (version " +
           std::to_string(state.peers.version) + "); " + SourcesPart(state.sources);
  }
  if (state.reload_refused) line += "; last reload refused";
  return line;
}

}  // namespace peerscout
