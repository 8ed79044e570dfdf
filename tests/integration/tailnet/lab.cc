#include "tests/integration/tailnet/lab.h"

namespace peerscout::testing {
namespace {

const std::string kLabScript =
    std::string(PEERSCOUT_SOURCE_DIR) + "/tests/integration/tailnet/lab.sh";

// Bringing up a lab starts Headscale and logs every node in; building the daemons is done
// before the tests (scripts/test.sh), so this is well under a minute.
constexpr std::chrono::seconds kUpTimeout{180};

}  // namespace

Lab::Lab(const TestDirectory& directory, int nodes, const Versions& versions)
    : lab_(kLabScript, directory.path().string(), kUpTimeout) {
  std::vector<std::string> args{std::to_string(nodes)};
  if (!versions.tailscale.empty()) args.insert(args.end(), {"--tailscale", versions.tailscale});
  if (!versions.headscale.empty()) args.insert(args.end(), {"--headscale", versions.headscale});
  if (!versions.policy_mode.empty()) {
    args.insert(args.end(), {"--policy-mode", versions.policy_mode});
  }
  if (!versions.tun.empty()) args.insert(args.end(), {"--tun", versions.tun});
  error_ = lab_.Up(args);
}

Lab::~Lab() { lab_.Down(); }

ProcessResult Lab::Run(const std::string& subcommand, const std::vector<std::string>& args) {
  return lab_.Run(subcommand, args);
}

std::vector<std::string> Lab::InNode(int k) const {
  return {"nsenter", "-t", Node(k, "HOLDER"), "-n", "-m", "--"};
}

}  // namespace peerscout::testing
