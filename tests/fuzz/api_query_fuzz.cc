// Fuzz target: a request target from any client of the socket ("/v1/peers?format=env&index=3"),
// through the API's routing and query handling (index, wait, format, family, source, online,
// separator) over a registry with peers from two sources. Whatever a client asks, it gets a
// status it can act on, a JSON body that parses, or a wait no longer than max_wait.
// Built for libFuzzer by tests/fuzz/run.sh; replayed over its corpus by ctest.
#include <microhttpd.h>
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "sidecar/server/api.h"
#include "tests/unit/observation_builders.h"

namespace {

using namespace peerscout;
using testing::Seen;

// The query arguments as libmicrohttpd hands them to the server: split on '&', the key up to
// the first '=', both percent-decoded by libmicrohttpd's own decoder; the first of a key wins.
std::map<std::string, std::string, std::less<>> Arguments(std::string_view query) {
  std::map<std::string, std::string, std::less<>> arguments;
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const size_t equals = pair.find('=');
    std::string key(pair.substr(0, equals));
    std::string value(equals == std::string_view::npos ? "" : pair.substr(equals + 1));
    key.resize(MHD_http_unescape(key.data()));
    value.resize(MHD_http_unescape(value.data()));
    arguments.emplace(std::move(key), std::move(value));
  }
  return arguments;
}

struct World {
  Telemetry telemetry;
  Registry registry{Registry::Options{}};
  Api api{registry, telemetry, Options()};

  World() {
    registry.DeclareSources({{"env", "env", true}, {"tail", "tailscale", true}});
    Snapshot env;
    env.observations = {Seen().peer_id(testing::kPeerA).at("10.0.0.2:52416"),
                        Seen().at("[fd7a:115c:a1e0::5]:52416").online(false)};
    Snapshot tail;
    tail.observations = {Seen().node("nXYZ").magic_dns("box.tail1.ts.net").at("100.64.0.7")};
    registry.Publish("env", std::move(env), Clock::now());
    registry.Publish("tail", std::move(tail), Clock::now());
  }

  static Api::Options Options() {
    Api::Options options;
    options.max_wait = std::chrono::minutes(10);
    return options;
  }
};

void CheckResponse(const ApiResponse& response) {
  switch (response.status) {
    case 200:
    case 304:
    case 400:
    case 404:
      break;
    default:
      __builtin_trap();
  }
  if (response.status == 304 || response.content_type != "application/json") return;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(response.text().data(),
                                                        response.text().size());
  if (document.HasParseError()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const size_t mark = target.find('?');
  std::string path(target.substr(0, mark));
  path.resize(MHD_http_unescape(path.data()));
  const auto arguments =
      Arguments(mark == std::string_view::npos ? std::string_view() : target.substr(mark + 1));
  ApiRequest request;
  request.method = "GET";
  request.path = path;
  request.query = [&arguments](std::string_view key) -> std::optional<std::string> {
    auto it = arguments.find(key);
    if (it == arguments.end()) return std::nullopt;
    return it->second;
  };
  request.header = [&arguments](std::string_view name) -> std::optional<std::string> {
    // The fuzzer may send a validator back as "etag=" to reach the 304 path.
    if (name != "If-None-Match") return std::nullopt;
    auto it = arguments.find("etag");
    if (it == arguments.end()) return std::nullopt;
    return it->second;
  };
  auto result = world.api.Handle(request);
  if (auto* wait = std::get_if<ApiWait>(&result)) {
    // Parked only on the version it has, never longer than max_wait; then it is answered.
    if (wait->index != world.registry.Current()->version) __builtin_trap();
    if (wait->wait <= Duration(0) || wait->wait > World::Options().max_wait) __builtin_trap();
    request.wait_over = true;
    result = world.api.Handle(request);
    if (!std::holds_alternative<ApiResponse>(result)) __builtin_trap();
  }
  CheckResponse(std::get<ApiResponse>(result));
  return 0;
}
