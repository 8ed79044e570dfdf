#include "tests/integration/sidecar_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "sidecar/system/whole_file.h"

extern char** environ;

namespace peerscout::testing {
namespace {

std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    const size_t equals = text.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = text.substr(0, equals);
    // The test's own environment must not leak peers or sockets into the sidecar (nor tell
    // the manager of a test run under systemd that it is ready).
    if (name.rfind("PEERSCOUT_", 0) == 0 || name.find("BOOTSTRAP_PEERS") != std::string::npos ||
        name == "NOTIFY_SOCKET") {
      continue;
    }
    merged[name] = text.substr(equals + 1);
  }
  // The mdns source multicasts on every interface it has: that is only for the tests that run
  // it inside their own network namespaces (tests/integration/lan), never on this machine's
  // own network, so they turn it on themselves.
  merged["PEERSCOUT_SOURCES_MDNS_ENABLED"] = "false";
  for (const auto& [name, value] : extra) merged[name] = value;
  std::vector<std::string> entries;
  entries.reserve(merged.size());
  for (const auto& [name, value] : merged) entries.push_back(name + "=" + value);
  return entries;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

pid_t Spawn(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<std::string> environment = Environment(env);
  std::vector<char*> args = Pointers(argv);
  std::vector<char*> envp = Pointers(environment);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return error == 0 ? pid : -1;
}

std::optional<int> WaitPid(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string ReadFile(const std::string& path) {
  std::string bytes;
  ReadWholeFile(path, bytes);
  return bytes;
}

}  // namespace

std::string TailscaleFixture(const std::string& name) {
  std::ifstream file(std::string(PEERSCOUT_SOURCE_DIR) + "/tests/fixtures/tailscale/v1.102.5/" +
                     name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

long PeakResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  }
  return -1;
}

bool IntegrationRequired() {
  const char* value = std::getenv("PEERSCOUT_REQUIRE_INTEGRATION");
  return value != nullptr && std::string(value) == "1";
}

TestDirectory::TestDirectory(const std::filesystem::path& parent) {
  std::string pattern = (parent / "peerscout-it-XXXXXX").string();
  path_ = ::mkdtemp(pattern.data());
}

TestDirectory::~TestDirectory() {
  std::error_code error;
  std::filesystem::remove_all(path_, error);
}

void TestDirectory::Write(const std::string& name, const std::string& text) const {
  std::ofstream(path_ / name, std::ios::binary | std::ios::trunc) << text;
}

std::string TestDirectory::Read(const std::string& name) const { return ReadFile(*this / name); }

ProcessResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env,
                         std::chrono::seconds timeout) {
  TestDirectory scratch;
  ProcessResult result;
  const pid_t pid = Spawn(argv, env, scratch / "out", scratch / "err");
  if (pid < 0) return result;
  auto code = WaitPid(pid, timeout);
  if (!code) {
    ::kill(pid, SIGKILL);
    WaitPid(pid, std::chrono::seconds(5));
  }
  result.exit_code = code.value_or(-1);
  result.out = scratch.Read("out");
  result.err = scratch.Read("err");
  return result;
}

ProcessResult RunPeerscout(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{PEERSCOUT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, env);
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env) {
  pid_ = Spawn(argv, env, directory_ / "out", directory_ / "err");
}

BackgroundCommand::~BackgroundCommand() {
  if (pid_ < 0 || exit_code_) return;
  ::kill(pid_, SIGKILL);
  WaitPid(pid_, std::chrono::seconds(5));
}

std::string BackgroundCommand::Out() const { return directory_.Read("out"); }
std::string BackgroundCommand::Err() const { return directory_.Read("err"); }

bool BackgroundCommand::WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Out().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

int BackgroundCommand::WaitForExit(std::chrono::milliseconds timeout) {
  if (!exit_code_) exit_code_ = WaitPid(pid_, timeout);
  return exit_code_.value_or(-1);
}

SidecarProcess::SidecarProcess(const TestDirectory& directory, Options options)
    : directory_(directory),
      socket_(directory / "peerscout.sock"),
      config_path_(directory / "sidecar.toml"),
      log_path_(directory / "peerscout.log") {
  std::vector<std::string> argv = options.wrapper;
  argv.push_back(PEERSCOUT_BINARY);
  if (!options.config.empty()) {
    directory.Write("sidecar.toml", options.config);
    argv.insert(argv.end(), {"--config", config_path_});
  }
  argv.push_back("run");
  options.env.emplace("PEERSCOUT_RUNTIME_DIR", directory.path().string());
  options.env.emplace("PEERSCOUT_LOG_LEVEL", "debug");
  if (auto it = options.env.find("PEERSCOUT_SOCKET"); it != options.env.end()) socket_ = it->second;
  pid_ = Spawn(argv, options.env, directory / "peerscout.out", log_path_);
}

SidecarProcess::~SidecarProcess() {
  if (pid_ < 0 || exit_code_) return;
  ::kill(pid_, SIGTERM);
  if (!WaitPid(pid_, std::chrono::seconds(10))) {
    ::kill(pid_, SIGKILL);
    WaitPid(pid_, std::chrono::seconds(5));
  }
}

bool SidecarProcess::running() {
  if (exit_code_) return false;
  if (auto code = WaitPid(pid_, std::chrono::milliseconds(0))) {
    exit_code_ = code;
    return false;
  }
  return true;
}

bool SidecarProcess::WaitUntilServing(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    if (Get("/v1/health", std::chrono::milliseconds(500))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

bool SidecarProcess::WaitUntilHealthy(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return false;
    auto reply = Get("/v1/health", std::chrono::milliseconds(500));
    if (reply && reply->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void SidecarProcess::Signal(int signal) { ::kill(pid_, signal); }

int SidecarProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (exit_code_) return *exit_code_;
  exit_code_ = WaitPid(pid_, timeout);
  return exit_code_.value_or(-1);
}

ErrorOr<HttpReply> SidecarProcess::Get(const std::string& target,
                                       std::chrono::milliseconds timeout) const {
  return GetOverUnixSocket(socket_, target, timeout);
}

void SidecarProcess::RewriteConfig(const std::string& config) const {
  directory_.Write("sidecar.toml", config);
}

std::string SidecarProcess::Log() const { return ReadFile(log_path_); }

}  // namespace peerscout::testing
