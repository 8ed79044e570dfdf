// peerscout exec: wait for the sidecar (and for enough peers), put the peer list in the
// environment, and become the app. The app is not modified and needs no client of ours.
#include <rapidjson/document.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "sidecar/cli/commands.h"
#include "sidecar/render/format.h"
#include "sidecar/render/shell_quote.h"
#include "sidecar/server/unix_http_client.h"

namespace peerscout::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr int kUnavailable = 69;  // EX_UNAVAILABLE
constexpr int kUsage = 64;        // EX_USAGE

struct EnvSpec {
  std::string variable;
  std::string format;
};

std::chrono::milliseconds Remaining(SteadyClock::time_point deadline) {
  return std::max(
      std::chrono::milliseconds(0),
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
}

// Polls /v1/health until it says 200 (every source reported) or the deadline passes.
bool WaitUntilHealthy(const std::string& socket, SteadyClock::time_point deadline,
                      std::string& last_error) {
  while (true) {
    auto reply = GetOverUnixSocket(socket, "/v1/health", std::chrono::milliseconds(2000));
    if (reply && reply->status == 200) return true;
    last_error =
        reply ? "sidecar is starting (HTTP " + std::to_string(reply->status) + ")" : reply.error();
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::min(std::chrono::milliseconds(100), Remaining(deadline)));
  }
}

std::optional<size_t> CountPeers(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("peers") ||
      !document["peers"].IsArray()) {
    return std::nullopt;
  }
  return document["peers"].Size();
}

// Blocks on the list until it has `min_peers` peers or the deadline passes.
size_t WaitForPeers(const std::string& socket, size_t min_peers, SteadyClock::time_point deadline) {
  std::optional<uint64_t> index;
  size_t count = 0;
  while (true) {
    const auto remaining = std::chrono::duration_cast<std::chrono::seconds>(Remaining(deadline));
    std::string target = "/v1/peers";
    if (index)
      target +=
          "?index=" + std::to_string(*index) + "&wait=" + std::to_string(remaining.count()) + "s";
    auto reply = GetOverUnixSocket(socket, target, remaining + std::chrono::seconds(5));
    if (reply && reply->status == 200) {
      count = CountPeers(reply->body).value_or(0);
      index = reply->index;
    }
    if (count >= min_peers || SteadyClock::now() >= deadline || remaining.count() == 0)
      return count;
    if (!reply) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// Every variable from one version of the list: refetched if the list changed in between.
std::optional<std::vector<std::pair<std::string, std::string>>> FetchValues(
    const std::string& socket, const std::vector<EnvSpec>& specs, std::string& error) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::vector<std::pair<std::string, std::string>> values;
    std::optional<uint64_t> version;
    bool consistent = true;
    for (const EnvSpec& spec : specs) {
      auto reply = GetOverUnixSocket(socket, "/v1/peers?format=" + spec.format + "&separator=%2C",
                                     std::chrono::seconds(5));
      if (!reply || reply->status != 200) {
        error =
            reply ? "HTTP " + std::to_string(reply->status) + ": " + reply->body : reply.error();
        return std::nullopt;
      }
      if (version && reply->index != version) consistent = false;
      version = reply->index;
      std::string value = reply->body;
      if (FindFormat(spec.format)->is_list) {
        while (!value.empty() && value.back() == '\n') value.pop_back();
      }
      values.emplace_back(spec.variable, std::move(value));
    }
    if (consistent) return values;
  }
  error = "the peer list kept changing while it was read";
  return std::nullopt;
}

std::optional<std::vector<EnvSpec>> ParseSpecs(const std::vector<std::string>& texts) {
  std::vector<EnvSpec> specs;
  for (const std::string& text : texts) {
    const size_t equals = text.find('=');
    EnvSpec spec{text.substr(0, equals),
                 equals == std::string::npos ? "" : text.substr(equals + 1)};
    if (!IsEnvVarName(spec.variable) || FindFormat(spec.format) == nullptr) {
      std::fprintf(stderr, "peerscout exec: --env %s: expected VAR=FORMAT with FORMAT one of %s\n",
                   text.c_str(), FormatNames().c_str());
      return std::nullopt;
    }
    specs.push_back(std::move(spec));
  }
  if (specs.empty()) specs.push_back({"PEERSCOUT_PEERS", "multiaddr"});
  return specs;
}

}  // namespace

int Exec(const std::string& socket, const ExecOptions& options) {
  auto specs = ParseSpecs(options.env);
  if (!specs) return kUsage;
  if (options.command.empty()) {
    std::fprintf(stderr, "peerscout exec: no command after --\n");
    return kUsage;
  }
  const auto deadline = SteadyClock::now() + options.wait;
  std::string error;
  if (!WaitUntilHealthy(socket, deadline, error)) {
    std::fprintf(stderr, "peerscout exec: sidecar not ready: %s\n", error.c_str());
    return kUnavailable;
  }
  if (options.min_peers > 0) {
    const size_t count = WaitForPeers(socket, static_cast<size_t>(options.min_peers), deadline);
    if (count < static_cast<size_t>(options.min_peers)) {
      std::fprintf(stderr, "peerscout exec: %zu of %d peers after the wait; starting anyway\n",
                   count, options.min_peers);
    }
  }
  auto values = FetchValues(socket, *specs, error);
  if (!values) {
    std::fprintf(stderr, "peerscout exec: %s\n", error.c_str());
    return kUnavailable;
  }
  for (const auto& [variable, value] : *values) ::setenv(variable.c_str(), value.c_str(), 1);
  std::vector<char*> argv;
  for (const std::string& argument : options.command)
    argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  std::fprintf(stderr, "peerscout exec: %s: %s\n", argv[0], std::strerror(errno));
  return errno == ENOENT ? 127 : 126;
}

}  // namespace peerscout::cli
