// An exo test peer for the labs that run one (tests/integration/exo/ and tailnet/):
// tests/peers/exo_discovery_peer.py, speaking exo's discovery protocol, run under a command
// prefix that puts it inside a lab host, and its JSON-line events. Header-only: each lab's
// test binary builds only its own directory's sources.
#pragma once

#include <rapidjson/document.h>
#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/sidecar_process.h"
#include "tests/integration/sidecar_queries.h"

namespace peerscout::testing {

// One line of the test peer's output.
struct ExoEvent {
  std::string event;    // ready, answered, discovered, dropped, connected, accepted, closed, ...
  std::string zid;      // the other side's, when the event has one
  std::string address;  // likewise
  std::string reason;   // of a dropped datagram
};

// exo_discovery_peer.py inside a lab host: exo's discovery on UDP 52413 (multicast Hellos every
// second, answers to Hellos of its namespace) and a TCP stand-in for zenoh on 52414, where the
// greater zid dials. Killed when it goes out of scope.
class ExoPeer {
 public:
  // `in_host`: the command prefix that enters the host (ExoLab::InHost, Lab::InNode); `host`
  // names it in failure messages.
  ExoPeer(std::vector<std::string> in_host, int host, std::string zid, const std::string& space)
      : zid_(std::move(zid)), host_(host), command_(Command(std::move(in_host), zid_, space)) {}

  const std::string& zid() const { return zid_; }
  int host() const { return host_; }

  std::vector<ExoEvent> Events() const {
    std::vector<ExoEvent> events;
    std::stringstream lines(command_.Out());
    std::string line;
    while (std::getline(lines, line)) {
      const rapidjson::Document document = Json(line);
      if (document.HasParseError() || !document.IsObject()) continue;  // a line being written
      events.push_back({Text(document, "event"), Text(document, "zid"), Text(document, "address"),
                        Text(document, "reason")});
    }
    return events;
  }

  // Events of this kind, with this zid unless `zid` is empty.
  size_t Count(const std::string& event, const std::string& zid = "") const {
    size_t count = 0;
    for (const ExoEvent& e : Events()) {
      if (e.event == event && (zid.empty() || e.zid == zid)) ++count;
    }
    return count;
  }
  bool Has(const std::string& event, const std::string& zid = "") const {
    return Count(event, zid) > 0;
  }
  // Until it says "ready" (its sockets are bound); false if it did not in time.
  bool WaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return command_.WaitForOutput("\"ready\"", timeout);
  }
  bool running() { return command_.WaitForExit(std::chrono::milliseconds(0)) == -1; }
  // Its output, for failure messages.
  std::string Output() const { return command_.Out() + command_.Err(); }

 private:
  static std::vector<std::string> Command(std::vector<std::string> argv, const std::string& zid,
                                          const std::string& space) {
    argv.insert(
        argv.end(),
        {"python3", std::string(PEERSCOUT_SOURCE_DIR) + "/tests/peers/exo_discovery_peer.py",
         "--zid", zid, "--namespace", space});
    return argv;
  }
  static std::string Text(const rapidjson::Value& object, const char* key) {
    if (!object.HasMember(key) || !object[key].IsString()) return "";
    return object[key].GetString();
  }

  std::string zid_;
  int host_;
  BackgroundCommand command_;
};

// Whether one of `a` and `b` dialled the other and the other accepted it: a TCP connection
// between them, as zenoh's would be.
inline bool Linked(const ExoPeer& a, const ExoPeer& b) {
  return (a.Has("connected", b.zid()) && b.Has("accepted", a.zid())) ||
         (b.Has("connected", a.zid()) && a.Has("accepted", b.zid()));
}

// A line of /proc/PID/status ("Uid", "CapEff"), without its key: how the tests see that a
// sidecar runs without privilege.
inline std::string ProcStatus(pid_t pid, const std::string& key) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(key + ":", 0) == 0) {
      const size_t value = line.find_first_not_of(" \t", key.size() + 1);
      return value == std::string::npos ? "" : line.substr(value);
    }
  }
  return "";
}

// Every pair of `peers` (pointers of any kind to ExoPeer) connected.
template <typename Peers>
bool AllLinked(const Peers& peers) {
  for (size_t i = 0; i < peers.size(); ++i) {
    for (size_t j = i + 1; j < peers.size(); ++j) {
      if (!Linked(*peers[i], *peers[j])) return false;
    }
  }
  return true;
}

inline bool AllLinked(const std::vector<const ExoPeer*>& peers) {
  return AllLinked<std::vector<const ExoPeer*>>(peers);
}

// What each of `peers` printed, for a failure message; `place` names where a peer runs ("host").
template <typename Peers>
std::string Outputs(const Peers& peers, const std::string& place) {
  std::string text;
  for (const auto& peer : peers) {
    text += "\n--- exo " + peer->zid() + " on " + place + " " + std::to_string(peer->host()) +
            ":\n" + peer->Output();
  }
  return text;
}

}  // namespace peerscout::testing
