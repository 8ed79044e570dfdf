#include "sidecar/terminal/status_table.h"

#include <rapidjson/document.h>

#include <algorithm>

#include "sidecar/core/clock_text.h"
#include "sidecar/terminal/json_fields.h"

namespace peerscout::terminal {
namespace {

Tone StateTone(std::string_view state) {
  if (state == "ok") return Tone::kGood;
  if (state == "failing") return Tone::kBad;
  if (state == "disabled") return Tone::kDim;
  return Tone::kWarn;  // stale, waiting, or a state this CLI does not know yet
}

Cell Age(const std::optional<Clock::time_point>& time, Clock::time_point now) {
  return time ? Cell{FormatAgo(now - *time)} : Cell{"-", Tone::kDim};
}

void AddSource(TextTable& table, const rapidjson::Value& source, Clock::time_point now) {
  const std::string state = StringField(source, "state");
  table.AddRow({
      Cell{StringField(source, "name")},
      Cell{StringField(source, "type")},
      Cell{state, StateTone(state)},
      Cell{std::to_string(CountField(source, "peer_count"))},
      Age(TimeField(source, "last_success"), now),
      Age(TimeField(source, "last_error_at"), now),
  });
  // An error the source has since recovered from is only its age above.
  const std::string error = StringField(source, "last_error");
  if (!error.empty() && (state == "failing" || state == "stale")) {
    table.AddNote({"error: " + error, Tone::kBad});
  }
  for (const rapidjson::Value& issue : ArrayField(source, "issues").GetArray()) {
    table.AddNote({"refused: " + StringField(issue, "origin") + ": " + StringField(issue, "entry") +
                       ": " + StringField(issue, "reason"),
                   Tone::kWarn});
  }
}

// "health ok, version 12, 3 peers, sources: 2 ok, 1 failing"
std::string Summary(const rapidjson::Value& sources, std::string_view health_json, bool color) {
  rapidjson::Document health;
  health.Parse(health_json.data(), health_json.size());
  std::string status = health.HasParseError() ? "" : Printable(StringField(health, "status"));
  if (status.empty()) status = "unknown";
  std::string line = "health " + Paint(status, status == "ok" ? Tone::kGood : Tone::kWarn, color) +
                     ", version " + std::to_string(CountField(sources, "version")) + ", " +
                     std::to_string(CountField(sources, "peer_count")) + " peers";
  size_t ok = 0;
  std::vector<std::pair<std::string, size_t>> others;  // state, count, in order of appearance
  for (const rapidjson::Value& source : ArrayField(sources, "sources").GetArray()) {
    const std::string state = Printable(StringField(source, "state"));
    if (state == "ok") {
      ++ok;
      continue;
    }
    auto it = std::find_if(others.begin(), others.end(),
                           [&](const auto& other) { return other.first == state; });
    if (it == others.end()) {
      others.emplace_back(state, 1);
    } else {
      ++it->second;
    }
  }
  line += ", sources: " + std::to_string(ok) + " ok";
  for (const auto& [state, count] : others) {
    line += ", " + Paint(std::to_string(count) + " " + state, StateTone(state), color);
  }
  return line;
}

}  // namespace

ErrorOr<std::string> RenderStatus(std::string_view sources_json, std::string_view health_json,
                                  Clock::time_point now, const TerminalView& view) {
  rapidjson::Document sources;
  sources.Parse(sources_json.data(), sources_json.size());
  if (sources.HasParseError() || !sources.IsObject() || !sources.HasMember("sources") ||
      !sources["sources"].IsArray()) {
    return ErrorOr<std::string>::Error("the sidecar's source list is not the JSON expected");
  }
  TextTable table(
      {{"SOURCE", true}, {"TYPE"}, {"STATE"}, {"PEERS"}, {"LAST SUCCESS"}, {"LAST ERROR"}});
  for (const rapidjson::Value& source : sources["sources"].GetArray()) {
    AddSource(table, source, now);
  }
  return Summary(sources, health_json, view.color) + "\n\n" + table.Render(view);
}

}  // namespace peerscout::terminal
