#include "tests/integration/lan/lan_lab.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace peerscout::testing {
namespace {

// Up takes about 2 s for 3 hosts (avahi's host name probing, in parallel); avahi-start about 1 s.
constexpr std::chrono::seconds kTimeout{60};

// lab.env values are shell-quoted with printf %q; ours never need more than plain words.
std::string Unquote(std::string value) {
  if (value == "''") return "";
  return value;
}

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
    : directory_(directory.path().string()) {
  error_ = Unavailable();
  if (!error_.empty()) return;
  std::vector<std::string> argv{"bash", Script(), "up", directory_, std::to_string(hosts)};
  if (!avahi) argv.push_back("--no-avahi");
  up_ = true;  // a failed up tears itself down; down again is harmless
  ProcessResult result = RunCommand(argv, {}, kTimeout);
  if (result.exit_code != 0) {
    error_ = "lab.sh up failed (" + std::to_string(result.exit_code) + "): " + result.err;
    return;
  }
  ReadEnv();
}

LanLab::~LanLab() {
  if (up_) RunCommand({"bash", Script(), "down", directory_});
}

ProcessResult LanLab::Run(const std::string& subcommand, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"bash", Script(), subcommand, directory_};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult result = RunCommand(argv, {}, kTimeout);
  ReadEnv();
  return result;
}

std::string LanLab::Get(const std::string& key) const {
  auto it = env_.find(key);
  return it == env_.end() ? "" : it->second;
}

std::vector<std::string> LanLab::InHost(int k) const {
  return {"nsenter", "-t", Host(k, "HOLDER"), "-n", "-m", "-u", "--"};
}

void LanLab::ReadEnv() {
  std::ifstream file(directory_ + "/lab.env");
  std::string line;
  while (std::getline(file, line)) {
    const size_t equals = line.find('=');
    if (equals != std::string::npos)
      env_[line.substr(0, equals)] = Unquote(line.substr(equals + 1));
  }
}

}  // namespace peerscout::testing
