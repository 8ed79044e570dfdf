#include "tests/integration/lan/lan_lab.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace peerscout::testing {
namespace {

// Up takes about 2 s for 3 hosts (avahi's host name probing, in parallel); avahi-start about 1 s.
constexpr std::chrono::seconds kTimeout{60};

}  // namespace

std::string LanLab::Script() {
#ifdef PEERSCOUT_SOURCE_DIR
  return std::string(PEERSCOUT_SOURCE_DIR) + "/tests/integration/lan/lab.sh";
#else
  return (std::filesystem::path(__FILE__).parent_path() / "lab.sh").string();
#endif
}

std::string LanLab::Unavailable() {
  if (::geteuid() != 0) return "the LAN lab needs root (network namespaces)";
  for (const char* command : {"ip", "unshare", "nsenter", "setsid", "flock", "dbus-daemon",
                              "avahi-daemon", "avahi-browse", "avahi-resolve"}) {
    if (!HaveCommand(command)) {
      return std::string("the LAN lab needs ") + command +
             " (iproute2, util-linux, dbus-daemon, avahi-daemon, avahi-utils)";
    }
  }
  return "";
}

LanLab::LanLab(const TestDirectory& directory, int hosts, bool avahi)
    : lab_(Script(), directory.path().string(), kTimeout) {
  error_ = Unavailable();
  if (!error_.empty()) return;
  std::vector<std::string> args{std::to_string(hosts)};
  if (!avahi) args.push_back("--no-avahi");
  up_ = true;  // a failed up tears itself down; down again is harmless
  error_ = lab_.Up(args);
}

LanLab::~LanLab() {
  if (up_) lab_.Down();
}

ProcessResult LanLab::Run(const std::string& subcommand, const std::vector<std::string>& args) {
  return lab_.Run(subcommand, args);
}

std::vector<std::string> LanLab::InHost(int k) const {
  return {"nsenter", "-t", Host(k, "HOLDER"), "-n", "-m", "-u", "--"};
}

}  // namespace peerscout::testing
