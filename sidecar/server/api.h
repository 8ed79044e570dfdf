// The HTTP API as a pure function of the registry: request in, response (or "wait") out.
// The libmicrohttpd server around it only moves bytes, so every route is tested without a socket.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sidecar/config/app_profile.h"
#include "sidecar/core/registry.h"
#include "sidecar/option/duration.h"
#include "sidecar/render/format.h"
#include "sidecar/render/incremental_json.h"
#include "sidecar/server/telemetry.h"

namespace peerscout {

struct ApiRequest {
  std::string_view method;
  std::string_view path;
  // The value of a query argument, decoded; nullopt when absent.
  std::function<std::optional<std::string>(std::string_view key)> query;
  // A blocking query whose wait is over (changed or timed out): answer now.
  bool wait_over = false;
  // The value of a request header; nullopt when absent (or not asked for).
  std::function<std::optional<std::string>(std::string_view name)> header;
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  uint64_t index = 0;  // X-Peerscout-Index
  std::vector<std::pair<std::string, std::string>> headers;
  // A body shared by every response of one version (served without a copy); wins over body.
  std::shared_ptr<const std::string> shared_body;

  const std::string& text() const { return shared_body ? *shared_body : body; }
};

// Park the request until the version differs from `index` or `wait` has passed.
struct ApiWait {
  uint64_t index = 0;
  Duration wait{};
};

class Api {
 public:
  struct Options {
    Duration default_wait = std::chrono::minutes(5);
    Duration max_wait = std::chrono::minutes(10);
    Duration startup_deadline = std::chrono::seconds(10);
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  };

  Api(const Registry& registry, const Telemetry& telemetry, Options options);

  std::variant<ApiResponse, ApiWait> Handle(const ApiRequest& request) const;
  // The app profile /v1/app describes (for peerscout exec in another container); reloadable.
  void SetApp(const AppProfile& app);
  // Bodies rendered so far: the sidecar returns freed memory after a change settles.
  uint64_t Renders() const { return renders_.load(); }
  // Lets go of the rendered bodies last served before `cutoff`; returns how many. An idle
  // sidecar need not hold a body per format (3.4 MB of json at 10k peers) for a poller that
  // may never come back; one that does costs one render. With the last json body go the json's
  // kept peers, as large again.
  size_t DropBodiesServedBefore(std::chrono::steady_clock::time_point cutoff);

 private:
  struct CachedBody {
    uint64_t version;
    std::shared_ptr<const std::string> body;
    std::string etag;
    std::chrono::steady_clock::time_point served;
  };

  std::variant<ApiResponse, ApiWait> Peers(const ApiRequest& request) const;
  ApiResponse Sources() const;
  ApiResponse App() const;
  ApiResponse Templates() const;
  ApiResponse Health() const;
  ApiResponse Metrics() const;

  // The rendered body of an unfiltered list, per format and separator, for one version:
  // blocking queries woken together, and pollers, cost one render per change, not one each.
  CachedBody Rendered(const std::shared_ptr<const PeerSet>& peers, const Format& format,
                      const RenderOptions& render) const;
  // The format's bytes; json's written incrementally from the last version rendered.
  std::string RenderBody(const std::shared_ptr<const PeerSet>& peers, const Format& format,
                         const RenderOptions& render) const;

  const Registry& registry_;
  const Telemetry& telemetry_;
  Options options_;
  mutable std::mutex app_mutex_;
  AppProfile app_;
  mutable std::mutex cache_mutex_;
  mutable std::map<std::pair<std::string_view, std::string>, CachedBody> cache_;
  mutable std::atomic<uint64_t> renders_{0};
  // The unfiltered json's peers as last rendered, for the next version to reuse.
  mutable std::mutex json_mutex_;
  mutable IncrementalJson json_;
};

}  // namespace peerscout
