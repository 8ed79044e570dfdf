// Commands that talk to a running sidecar over its socket.
#include <cstdio>
#include <thread>

#include "sidecar/cli/commands.h"
#include "sidecar/config/config_loader.h"
#include "sidecar/server/unix_http_client.h"

namespace peerscout::cli {
namespace {

constexpr std::chrono::milliseconds kRequestTimeout{5000};

std::string PeersTarget(const PeersOptions& options) {
  std::string target = "/v1/peers?format=" + EscapeQueryValue(options.format);
  std::string sources;
  for (const std::string& source : options.sources)
    sources += (sources.empty() ? "" : ",") + source;
  if (!sources.empty()) target += "&source=" + EscapeQueryValue(sources);
  if (!options.online.empty()) target += "&online=" + EscapeQueryValue(options.online);
  if (!options.separator.empty()) target += "&separator=" + EscapeQueryValue(options.separator);
  return target;
}

void PrintBody(const std::string& body) {
  std::fwrite(body.data(), 1, body.size(), stdout);
  if (!body.empty() && body.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

std::string ResolveSocket(const std::string& flag, const std::string& config_file,
                          const Environment& env) {
  if (!flag.empty()) return flag;
  if (auto socket = env.Get("PEERSCOUT_SOCKET"); socket && !socket->empty()) return *socket;
  auto config = LoadConfig(config_file, env, Catalog());
  if (config) return config->server.socket;
  return "/run/peerscout/peerscout.sock";
}

int Peers(const std::string& socket, const PeersOptions& options) {
  auto reply = GetOverUnixSocket(socket, PeersTarget(options), kRequestTimeout);
  if (!reply) {
    std::fprintf(stderr, "peerscout: %s\n", reply.error().c_str());
    return 1;
  }
  if (reply->status != 200) {
    std::fprintf(stderr, "peerscout: HTTP %ld: %s", reply->status, reply->body.c_str());
    return 1;
  }
  std::fwrite(reply->body.data(), 1, reply->body.size(), stdout);
  return 0;
}

int Watch(const std::string& socket, const PeersOptions& options, std::chrono::seconds wait) {
  uint64_t index = 0;
  std::string last_printed;
  bool printed_any = false;
  auto backoff = std::chrono::milliseconds(250);
  while (true) {
    std::string target = PeersTarget(options);
    if (printed_any) {
      target += "&index=" + std::to_string(index) + "&wait=" + std::to_string(wait.count()) + "s";
    }
    auto reply = GetOverUnixSocket(socket, target, wait + std::chrono::seconds(15));
    if (!reply || reply->status != 200) {
      std::fprintf(
          stderr, "peerscout: %s\n",
          reply ? ("HTTP " + std::to_string(reply->status)).c_str() : reply.error().c_str());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(250);
    index = reply->index.value_or(0);
    // A version change outside a filtered view gives the same bytes: nothing new to print.
    if (printed_any && reply->body == last_printed) continue;
    PrintBody(reply->body);
    last_printed = reply->body;
    printed_any = true;
  }
}

int Health(const std::string& socket) {
  auto reply = GetOverUnixSocket(socket, "/v1/health", kRequestTimeout);
  if (!reply) {
    std::fprintf(stderr, "peerscout: unhealthy: %s\n", reply.error().c_str());
    return 1;
  }
  std::fwrite(reply->body.data(), 1, reply->body.size(), stdout);
  return reply->status == 200 ? 0 : 1;
}

}  // namespace peerscout::cli
