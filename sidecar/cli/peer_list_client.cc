#include "sidecar/cli/peer_list_client.h"

#include <rapidjson/document.h>

#include <thread>

#include "sidecar/cli/unix_http_client.h"
#include "sidecar/render/format.h"
#include "sidecar/terminal/json_fields.h"

namespace peerscout::cli {
namespace {

using terminal::StringField;
using terminal::StringsField;

std::chrono::milliseconds Remaining(SteadyClock::time_point deadline) {
  return std::max(
      std::chrono::milliseconds(0),
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
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

std::string ValuesTarget(const EnvSpec& spec) {
  std::string target = "/v1/peers?format=" + spec.format + "&separator=%2C";
  if (spec.families != AddressFamilies::kAny) {
    target += "&family=" + std::string(AddressFamiliesName(spec.families));
  }
  if (spec.reachable_only) target += "&reachable=true";
  return target;
}

}  // namespace

bool WaitUntilHealthy(const std::string& socket, SteadyClock::time_point deadline, bool& reachable,
                      std::string& last_error) {
  while (true) {
    auto reply = GetOverUnixSocket(socket, "/v1/health", std::chrono::milliseconds(2000));
    reachable = static_cast<bool>(reply);
    if (reply && reply->status == 200) return true;
    last_error =
        reply ? "sidecar is starting (HTTP " + std::to_string(reply->status) + ")" : reply.error();
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::min(std::chrono::milliseconds(100), Remaining(deadline)));
  }
}

size_t WaitForPeers(const std::string& socket, size_t min_peers, bool reachable_only,
                    SteadyClock::time_point deadline) {
  std::optional<uint64_t> index;
  size_t count = 0;
  while (true) {
    const auto remaining = std::chrono::duration_cast<std::chrono::seconds>(Remaining(deadline));
    std::string target = reachable_only ? "/v1/peers?reachable=true" : "/v1/peers?format=json";
    if (index) {
      target +=
          "&index=" + std::to_string(*index) + "&wait=" + std::to_string(remaining.count()) + "s";
    }
    auto reply = GetOverUnixSocket(socket, target, remaining + std::chrono::seconds(5));
    if (reply && reply->status == 200) {
      count = CountPeers(reply->body).value_or(0);
      index = reply->index;
    }
    if (count >= min_peers || SteadyClock::now() >= deadline || remaining.count() == 0) {
      return count;
    }
    if (!reply) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

ErrorOr<AppProfile> FetchApp(const std::string& socket) {
  auto reply = GetOverUnixSocket(socket, "/v1/app", std::chrono::seconds(5));
  if (!reply) return ErrorOr<AppProfile>::Error(reply.error());
  if (reply->status != 200) {
    return ErrorOr<AppProfile>::Error("/v1/app: HTTP " + std::to_string(reply->status));
  }
  rapidjson::Document document;
  document.Parse(reply->body.c_str(), reply->body.size());
  if (document.HasParseError() || !document.IsObject()) {
    return ErrorOr<AppProfile>::Error("/v1/app: not a JSON object");
  }
  AppProfile app;
  app.name = StringField(document, "name");
  app.variable = StringField(document, "variable");
  app.format = StringField(document, "format");
  app.families =
      ParseAddressFamilies(StringField(document, "families")).value_or(AddressFamilies::kAny);
  app.refused_variables = StringsField(document, "refused_variables");
  return app;
}

ErrorOr<ListValues> FetchValues(const std::string& socket, const std::vector<EnvSpec>& specs) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    ListValues list;
    std::optional<uint64_t> version;
    bool consistent = true;
    for (const EnvSpec& spec : specs) {
      auto reply = GetOverUnixSocket(socket, ValuesTarget(spec), std::chrono::seconds(5));
      if (!reply || reply->status != 200) {
        return ErrorOr<ListValues>::Error(
            reply ? "HTTP " + std::to_string(reply->status) + ": " + reply->body : reply.error());
      }
      if (version && reply->index != version) consistent = false;
      version = reply->index;
      std::string value = reply->body;
      if (FindFormat(spec.format)->is_list) {
        while (!value.empty() && value.back() == '\n') value.pop_back();
      }
      list.values.emplace_back(spec.variable, std::move(value));
    }
    list.version = version.value_or(0);
    if (consistent) return list;
  }
  return ErrorOr<ListValues>::Error("the peer list kept changing while it was read");
}

std::optional<uint64_t> WaitForChange(const std::string& socket, uint64_t index,
                                      std::chrono::seconds wait) {
  // The cheapest format: only the version is wanted.
  const std::string target = "/v1/peers?format=lines&index=" + std::to_string(index) +
                             "&wait=" + std::to_string(wait.count()) + "s";
  auto reply = GetOverUnixSocket(socket, target, wait + std::chrono::seconds(15));
  if (!reply || reply->status != 200 || !reply->index) return std::nullopt;
  return reply->index;
}

}  // namespace peerscout::cli
