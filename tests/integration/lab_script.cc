#include "tests/integration/lab_script.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

namespace peerscout::testing {
namespace {

// lab.env values are shell-quoted with printf %q; ours never need more than plain words.
std::string Unquote(std::string value) {
  if (value == "''") return "";
  return value;
}

}  // namespace

LabScript::LabScript(std::string script, std::string directory, std::chrono::seconds timeout)
    : script_(std::move(script)), directory_(std::move(directory)), timeout_(timeout) {}

std::string LabScript::Up(const std::vector<std::string>& args) {
  ProcessResult result = Call("up", args);
  if (result.exit_code != 0) {
    return "lab.sh up failed (" + std::to_string(result.exit_code) + "): " + result.err;
  }
  ReadEnv();
  return "";
}

ProcessResult LabScript::Run(const std::string& subcommand, const std::vector<std::string>& args) {
  ProcessResult result = Call(subcommand, args);
  ReadEnv();
  return result;
}

void LabScript::Down() const { RunCommand({"bash", script_, "down", directory_}); }

std::string LabScript::Get(const std::string& key) const {
  auto it = env_.find(key);
  return it == env_.end() ? "" : it->second;
}

ProcessResult LabScript::Call(const std::string& subcommand, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"bash", script_, subcommand, directory_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {}, timeout_);
}

void LabScript::ReadEnv() {
  std::ifstream file(directory_ + "/lab.env");
  std::string line;
  while (std::getline(file, line)) {
    const size_t equals = line.find('=');
    if (equals != std::string::npos)
      env_[line.substr(0, equals)] = Unquote(line.substr(equals + 1));
  }
}

bool HaveCommand(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(std::string(path ? path : "") + ":/usr/local/sbin:/usr/sbin:/sbin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace peerscout::testing
