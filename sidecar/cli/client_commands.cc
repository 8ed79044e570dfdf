// Commands that talk to a running sidecar over its socket.
#include <cstdio>
#include <thread>

#include "sidecar/cli/commands.h"
#include "sidecar/cli/stdout_view.h"
#include "sidecar/cli/unix_http_client.h"
#include "sidecar/config/config_loader.h"
#include "sidecar/render/address_choice.h"
#include "sidecar/terminal/peer_table.h"
#include "sidecar/terminal/status_table.h"

namespace peerscout::cli {
namespace {

constexpr std::chrono::milliseconds kRequestTimeout{5000};

// The table is made here from the JSON list; every other format is the sidecar's.
std::string ServerFormat(const std::string& format) { return format == "table" ? "json" : format; }

std::string PeersTarget(const PeersOptions& options, const std::string& format) {
  std::string target = "/v1/peers?format=" + EscapeQueryValue(ServerFormat(format));
  if (!options.sources.empty())
    target += "&source=" + EscapeQueryValue(JoinWith(options.sources, ","));
  if (!options.online.empty()) target += "&online=" + EscapeQueryValue(options.online);
  if (!options.reachable.empty()) target += "&reachable=" + EscapeQueryValue(options.reachable);
  if (!options.separator.empty()) target += "&separator=" + EscapeQueryValue(options.separator);
  return target;
}

void PrintBody(const std::string& body) {
  std::fwrite(body.data(), 1, body.size(), stdout);
  if (!body.empty() && body.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
}

bool PrintPeerTable(const std::string& json, const std::string& color) {
  auto table =
      terminal::RenderPeerTable(json, Clock::now(), StdoutView(color, Environment::FromProcess()));
  if (!table) {
    std::fprintf(stderr, "peerscout: %s\n", table.error().c_str());
    return false;
  }
  PrintBody(*table);
  return true;
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
  const std::string format = ResolveFormat(options.format);
  auto reply = GetOverUnixSocket(socket, PeersTarget(options, format), kRequestTimeout);
  if (!reply) {
    std::fprintf(stderr, "peerscout: %s\n", reply.error().c_str());
    return 1;
  }
  if (reply->status != 200) {
    std::fprintf(stderr, "peerscout: HTTP %ld: %s", reply->status, reply->body.c_str());
    return 1;
  }
  if (format == "table") return PrintPeerTable(reply->body, options.color) ? 0 : 1;
  std::fwrite(reply->body.data(), 1, reply->body.size(), stdout);
  return 0;
}

int Watch(const std::string& socket, const PeersOptions& options, std::chrono::seconds wait) {
  const std::string format = ResolveFormat(options.format);
  uint64_t index = 0;
  std::string last_printed;
  bool printed_any = false;
  auto backoff = std::chrono::milliseconds(250);
  while (true) {
    std::string target = PeersTarget(options, format);
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
    if (format != "table") {
      PrintBody(reply->body);
    } else {
      if (printed_any) std::fputc('\n', stdout);  // one table apart from the next
      PrintPeerTable(reply->body, options.color);
    }
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

int Status(const std::string& socket, const StatusOptions& options) {
  auto sources = GetOverUnixSocket(socket, "/v1/sources", kRequestTimeout);
  if (!sources) {
    std::fprintf(stderr, "peerscout: %s\n", sources.error().c_str());
    return 1;
  }
  if (sources->status != 200) {
    std::fprintf(stderr, "peerscout: HTTP %ld: %s", sources->status, sources->body.c_str());
    return 1;
  }
  if (ResolveFormat(options.format) == "json") {
    std::fwrite(sources->body.data(), 1, sources->body.size(), stdout);
    return 0;
  }
  // 503 while sources are starting is still an answer; no answer at all shows as unknown.
  auto health = GetOverUnixSocket(socket, "/v1/health", kRequestTimeout);
  auto text = terminal::RenderStatus(sources->body, health ? health->body : "", Clock::now(),
                                     StdoutView(options.color, Environment::FromProcess()));
  if (!text) {
    std::fprintf(stderr, "peerscout: %s\n", text.error().c_str());
    return 1;
  }
  PrintBody(*text);
  return 0;
}

}  // namespace peerscout::cli
