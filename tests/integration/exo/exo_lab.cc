#include "tests/integration/exo/exo_lab.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace peerscout::testing {
namespace {

// Up takes well under a second per host.
constexpr std::chrono::seconds kTimeout{60};

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

}  // namespace peerscout::testing
