// Runs the real peerscout binary for integration tests: its own directory, environment,
// socket and log, stopped (SIGTERM) when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/cli/unix_http_client.h"

namespace peerscout::testing {

// A fresh directory under /tmp (or `parent`), removed at the end.
class TestDirectory {
 public:
  explicit TestDirectory(
      const std::filesystem::path& parent = std::filesystem::temp_directory_path());
  ~TestDirectory();
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  void Write(const std::string& name, const std::string& text) const;
  std::string Read(const std::string& name) const;

 private:
  std::filesystem::path path_;
};

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion with extra environment variables; captures its output.
ProcessResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(60));

// A peerscout subcommand (peers, health, exec, check-config, ...) against `socket`.
ProcessResult RunPeerscout(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {});

// A command left running (watch, exec waiting for peers); killed when it goes out of scope.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {});
  ~BackgroundCommand();
  std::string Out() const;
  std::string Err() const;
  // Waits until stdout contains `text`; false on timeout.
  bool WaitForOutput(const std::string& text, std::chrono::milliseconds timeout);
  // The exit code, or -1 if it has not exited within `timeout`.
  int WaitForExit(std::chrono::milliseconds timeout);
  void Signal(int signal) const { ::kill(pid_, signal); }

 private:
  TestDirectory directory_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

class SidecarProcess {
 public:
  struct Options {
    std::string config;  // file contents; empty: no --config
    std::map<std::string, std::string> env;
    // Runs peerscout under this prefix, e.g. {"unshare", "-m", "--", "sh", "-c", ...}.
    std::vector<std::string> wrapper;
  };

  SidecarProcess(const TestDirectory& directory, Options options);
  ~SidecarProcess();

  // Waits until /v1/health answers (any status); false if the process died or time ran out.
  bool WaitUntilServing(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits until /v1/health says 200.
  bool WaitUntilHealthy(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Signal(int signal);
  // Waits for the process to exit; its exit code, or -1 on timeout.
  int WaitForExit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool running();

  ErrorOr<HttpReply> Get(const std::string& target,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  void RewriteConfig(const std::string& config) const;
  std::string Log() const;

  const std::string& socket() const { return socket_; }
  const std::string& config_path() const { return config_path_; }
  pid_t pid() const { return pid_; }

 private:
  const TestDirectory& directory_;
  std::string socket_;
  std::string config_path_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// tests/fixtures/tailscale/v1.102.5/<name>, captured from a real tailscaled.
std::string TailscaleFixture(const std::string& name);

// The most memory a process has had resident (VmHWM), in bytes; -1 if unknown.
long PeakResidentBytes(pid_t pid);

// Whether failing prerequisites fail tests (CI) instead of skipping them.
bool IntegrationRequired();

}  // namespace peerscout::testing
