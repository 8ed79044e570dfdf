#include "tests/integration/tailnet/lab.h"

#include <fstream>

namespace peerscout::testing {
namespace {

const std::string kLabScript =
    std::string(PEERSCOUT_SOURCE_DIR) + "/tests/integration/tailnet/lab.sh";

// Bringing up a lab starts Headscale and logs every node in; building the daemons is done
// before the tests (scripts/test.sh), so this is well under a minute.
constexpr std::chrono::seconds kUpTimeout{180};

// lab.env values are shell-quoted with printf %q; ours never need more than plain words.
std::string Unquote(std::string value) {
  if (value == "''") return "";
  return value;
}

}  // namespace

Lab::Lab(const TestDirectory& directory, int nodes, const Versions& versions)
    : directory_(directory.path().string()) {
  std::vector<std::string> argv{"bash", kLabScript, "up", directory_, std::to_string(nodes)};
  if (!versions.tailscale.empty()) argv.insert(argv.end(), {"--tailscale", versions.tailscale});
  if (!versions.headscale.empty()) argv.insert(argv.end(), {"--headscale", versions.headscale});
  if (!versions.policy_mode.empty()) {
    argv.insert(argv.end(), {"--policy-mode", versions.policy_mode});
  }
  ProcessResult result = RunCommand(argv, {}, kUpTimeout);
  if (result.exit_code != 0) {
    error_ = "lab.sh up failed (" + std::to_string(result.exit_code) + "): " + result.err;
    return;
  }
  ReadEnv();
}

Lab::~Lab() { RunCommand({"bash", kLabScript, "down", directory_}); }

ProcessResult Lab::Run(const std::string& subcommand, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"bash", kLabScript, subcommand, directory_};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult result = RunCommand(argv, {}, kUpTimeout);
  ReadEnv();
  return result;
}

std::string Lab::Get(const std::string& key) const {
  auto it = env_.find(key);
  return it == env_.end() ? "" : it->second;
}

std::vector<std::string> Lab::InNode(int k) const {
  return {"nsenter", "-t", Node(k, "HOLDER"), "-n", "-m", "--"};
}

void Lab::ReadEnv() {
  std::ifstream file(directory_ + "/lab.env");
  std::string line;
  while (std::getline(file, line)) {
    const size_t equals = line.find('=');
    if (equals != std::string::npos)
      env_[line.substr(0, equals)] = Unquote(line.substr(equals + 1));
  }
}

}  // namespace peerscout::testing
