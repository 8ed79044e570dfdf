#include "tests/integration/exo/exo_lab.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "tests/integration/sidecar_queries.h"

namespace peerscout::testing {
namespace {

// Up takes well under a second per host.
constexpr std::chrono::seconds kTimeout{60};

// Whether `name` is an executable in PATH or in the sbin directories lab.sh adds to it.
bool HaveCommand(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(std::string(path ? path : "") + ":/usr/local/sbin:/usr/sbin:/sbin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string PeerScript() {
  return std::string(PEERSCOUT_SOURCE_DIR) + "/tests/peers/exo_discovery_peer.py";
}

std::string Text(const rapidjson::Value& object, const char* key) {
  if (!object.HasMember(key) || !object[key].IsString()) return "";
  return object[key].GetString();
}

}  // namespace

std::string ExoLab::Script() {
  return std::string(PEERSCOUT_SOURCE_DIR) + "/tests/integration/exo/lab.sh";
}

std::string ExoLab::Unavailable() {
  if (::geteuid() != 0) return "the exo lab needs root (network namespaces)";
  for (const char* command :
       {"ip", "unshare", "nsenter", "setsid", "flock", "ip6tables", "setpriv", "python3", "ss"}) {
    if (!HaveCommand(command)) {
      return std::string("the exo lab needs ") + command +
             " (iproute2, util-linux, iptables, python3)";
    }
  }
  return "";
}

ExoLab::ExoLab(const TestDirectory& directory, int hosts)
    : lab_(Script(), directory.path().string(), kTimeout) {
  error_ = Unavailable();
  if (!error_.empty()) return;
  up_ = true;  // a failed up tears itself down; down again is harmless
  error_ = lab_.Up({std::to_string(hosts)});
}

ExoLab::~ExoLab() {
  if (up_) lab_.Down();
}

std::vector<std::string> ExoLab::InHost(int k) const {
  return {"nsenter", "-t", Host(k, "HOLDER"), "-n", "-m", "-u", "--"};
}

std::vector<std::string> ExoLab::InHostUnprivileged(int k) const {
  std::vector<std::string> argv = InHost(k);
  argv.insert(argv.end(),
              {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
               "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"});
  return argv;
}

namespace {

std::vector<std::string> PeerCommand(const ExoLab& lab, int host, const std::string& zid,
                                     const std::string& space) {
  std::vector<std::string> argv = lab.InHost(host);
  argv.insert(argv.end(), {"python3", PeerScript(), "--zid", zid, "--namespace", space});
  return argv;
}

}  // namespace

ExoPeer::ExoPeer(const ExoLab& lab, int host, std::string zid, const std::string& space)
    : zid_(std::move(zid)), host_(host), command_(PeerCommand(lab, host, zid_, space)) {}

std::vector<ExoEvent> ExoPeer::Events() const {
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

size_t ExoPeer::Count(const std::string& event, const std::string& zid) const {
  size_t count = 0;
  for (const ExoEvent& e : Events()) {
    if (e.event == event && (zid.empty() || e.zid == zid)) ++count;
  }
  return count;
}

bool ExoPeer::WaitReady(std::chrono::milliseconds timeout) {
  return command_.WaitForOutput("\"ready\"", timeout);
}

bool Linked(const ExoPeer& a, const ExoPeer& b) {
  return (a.Has("connected", b.zid()) && b.Has("accepted", a.zid())) ||
         (b.Has("connected", a.zid()) && a.Has("accepted", b.zid()));
}

}  // namespace peerscout::testing
