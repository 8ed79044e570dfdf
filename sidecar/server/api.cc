#include "sidecar/server/api.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>
#include <map>

#include "sidecar/render/format.h"
#include "sidecar/render/json_writer.h"
#include "sidecar/render/peer_filter.h"
#include "sidecar/server/metrics.h"

namespace peerscout {
namespace {

using json::Finish;
using json::String;
using json::Writer;

ApiResponse Error(unsigned status, std::string_view message, uint64_t index) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("error");
  String(writer, message);
  writer.EndObject();
  return ApiResponse{status, "application/json", Finish(buffer), index, {}, {}};
}

std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    if (comma != 0) items.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

// A strong validator: the same bytes, the same tag, whatever the version or the filters.
std::string EntityTag(std::string_view body) {
  // The standard library's hash of the bytes (libstdc++: 64-bit MurmurHash, a fixed seed, so
  // the same body has the same tag in every process), eight bytes a step: over the 3.4 MB body
  // of 10k peers, 0.47 ms where byte-wise FNV-1a took 3.8 ms, once per version. Like FNV, not
  // a MAC: a clash (even a crafted one) costs a poller that sent If-None-Match one version.
  const uint64_t hash = std::hash<std::string_view>{}(body);
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

std::string_view SourceState(const SourceStatus& source) {
  if (!source.enabled) return "disabled";
  if (!source.reported()) return "waiting";
  if (source.stale) return "stale";
  return source.failing() ? "failing" : "ok";
}

void OptionalUint(Writer& writer, const std::optional<uint64_t>& value) {
  if (value) {
    writer.Uint64(*value);
  } else {
    writer.Null();
  }
}

void WriteCommand(Writer& writer, const CommandStatus& command) {
  writer.StartObject();
  writer.Key("argv");
  json::StringArray(writer, command.argv);
  writer.Key("running");
  writer.Bool(command.running);
  writer.Key("runs");
  writer.Uint64(command.runs);
  writer.Key("failures");
  writer.Uint64(command.failures);
  writer.Key("last_status");
  json::StringOrNull(writer, command.last_status);
  writer.Key("exit_code");
  if (command.exit_code) {
    writer.Int(*command.exit_code);
  } else {
    writer.Null();
  }
  writer.Key("last_started");
  json::TimeOrNull(writer, command.last_started);
  writer.Key("last_finished");
  json::TimeOrNull(writer, command.last_finished);
  writer.Key("output_tail");
  String(writer, command.output_tail);
  writer.EndObject();
}

void WriteTemplate(Writer& writer, const TemplateStatus& status) {
  writer.StartObject();
  writer.Key("source");
  String(writer, status.source);
  writer.Key("destination");
  String(writer, status.destination);
  writer.Key("last_rendered");
  OptionalUint(writer, status.last_rendered);
  writer.Key("last_written");
  json::TimeOrNull(writer, status.last_written);
  writer.Key("renders");
  writer.Uint64(status.renders);
  writer.Key("writes");
  writer.Uint64(status.writes);
  writer.Key("errors");
  writer.Uint64(status.errors);
  writer.Key("last_error");
  json::StringOrNull(writer, status.last_error);
  writer.Key("command");
  if (status.command) {
    WriteCommand(writer, *status.command);
  } else {
    writer.Null();
  }
  writer.EndObject();
}

}  // namespace

Api::Api(const Registry& registry, const Telemetry& telemetry, Options options)
    : registry_(registry), telemetry_(telemetry), options_(options) {}

std::variant<ApiResponse, ApiWait> Api::Handle(const ApiRequest& request) const {
  const uint64_t version = registry_.Current()->version;
  if (request.method != "GET" && request.method != "HEAD") {
    ApiResponse response = Error(405, "only GET and HEAD are served", version);
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (request.path == "/v1/peers") return Peers(request);
  if (request.path == "/v1/sources") return Sources();
  if (request.path == "/v1/app") return App();
  if (request.path == "/v1/templates") return Templates();
  if (request.path == "/v1/health") return Health();
  if (request.path == "/metrics") return Metrics();
  return Error(404,
               "no such endpoint; try /v1/peers, /v1/sources, /v1/app, /v1/templates, /v1/health, "
               "/metrics",
               version);
}

std::variant<ApiResponse, ApiWait> Api::Peers(const ApiRequest& request) const {
  const std::shared_ptr<const PeerSet> peers = registry_.Current();
  const uint64_t version = peers->version;

  const Format* format = FindFormat(request.query("format").value_or("json"));
  if (format == nullptr) return Error(400, "format: expected " + FormatNames(), version);
  PeerFilter filter;
  if (auto sources = request.query("source")) filter.sources = SplitCommas(*sources);
  for (auto [key, field] :
       {std::pair{"online", &filter.online}, std::pair{"reachable", &filter.reachable}}) {
    auto value = request.query(key);
    if (!value) continue;
    if (*value != "true" && *value != "false")
      return Error(400, std::string(key) + ": true or false", version);
    *field = *value == "true";
  }
  if (auto families = request.query("family")) {
    auto parsed = ParseAddressFamilies(*families);
    if (!parsed) return Error(400, "family: any, ipv4 or ipv6", version);
    filter.families = *parsed;
  }
  RenderOptions render;
  if (auto separator = request.query("separator")) render.separator = *separator;

  if (auto index_text = request.query("index"); index_text && !request.wait_over) {
    uint64_t index = 0;
    auto [end, error] =
        std::from_chars(index_text->data(), index_text->data() + index_text->size(), index);
    if (index_text->empty() || error != std::errc() ||
        end != index_text->data() + index_text->size()) {
      return Error(400, "index: expected a version number", version);
    }
    Duration wait = options_.default_wait;
    if (auto wait_text = request.query("wait")) {
      auto parsed = ParseDuration(*wait_text);
      if (!parsed) return Error(400, "wait: " + parsed.error(), version);
      wait = std::min(*parsed, options_.max_wait);
    }
    // A larger index than ours comes from before a restart: answer at once, like Consul.
    if (index == version && wait > Duration(0)) return ApiWait{index, wait};
  }
  ApiResponse response;
  response.content_type = std::string(format->content_type);
  response.index = version;
  std::string etag;
  if (filter.empty()) {
    CachedBody cached = Rendered(peers, *format, render);
    response.shared_body = std::move(cached.body);
    etag = std::move(cached.etag);
  } else {
    response.body = format->render(FilterPeers(*peers, filter), render);
    etag = EntityTag(response.body);
  }
  response.headers.emplace_back("ETag", etag);
  // A poller that has this version's bytes gets 304 and no body.
  if (request.header) {
    if (auto match = request.header("If-None-Match"); match && *match == etag) {
      response.status = 304;
      response.shared_body.reset();
      response.body.clear();
    }
  }
  return response;
}

Api::CachedBody Api::Rendered(const std::shared_ptr<const PeerSet>& peers, const Format& format,
                              const RenderOptions& render) const {
  const auto key = std::make_pair(format.name, render.separator);
  {
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.version == peers->version) {
      it->second.served = std::chrono::steady_clock::now();
      return it->second;
    }
  }
  // Rendered outside the lock; two requests racing on a new version both render, harmlessly.
  auto body = std::make_shared<const std::string>(RenderBody(peers, format, render));
  CachedBody cached{peers->version, body, EntityTag(*body), std::chrono::steady_clock::now()};
  ++renders_;
  std::lock_guard lock(cache_mutex_);
  // Separators come from clients: bound what they can make us keep.
  if (cache_.size() >= 64) cache_.clear();
  // A body of an older version is never served again: formats nobody asks for any more would
  // otherwise keep theirs (a json of 10k peers is 3.4 MB) for the life of the process.
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.version < peers->version; });
  cache_[key] = cached;
  return cached;
}

std::string Api::RenderBody(const std::shared_ptr<const PeerSet>& peers, const Format& format,
                            const RenderOptions& render) const {
  if (!RendersJson(format)) return format.render(*peers, render);
  // json, what most pollers read, writes again only the peers changed since its last render.
  std::lock_guard lock(json_mutex_);
  return json_.Render(peers);
}

size_t Api::DropBodiesServedBefore(std::chrono::steady_clock::time_point cutoff) {
  std::lock_guard lock(cache_mutex_);
  const size_t dropped =
      std::erase_if(cache_, [&](const auto& entry) { return entry.second.served < cutoff; });
  // The json's kept peers are as large as its body: with no json body left, let go of them too.
  const bool json_served = std::ranges::any_of(cache_, [](const auto& entry) {
    const Format* format = FindFormat(entry.first.first);
    return format != nullptr && RendersJson(*format);
  });
  if (!json_served) {
    std::lock_guard json_lock(json_mutex_);
    json_.Clear();
  }
  return dropped;
}

ApiResponse Api::Sources() const {
  const std::shared_ptr<const PeerSet> peers = registry_.Current();
  std::map<std::string, size_t> per_source = PeersPerSource(peers->peers);
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Uint64(peers->version);
  // The merged count, which the per-source counts do not add up to: `peerscout status` shows it.
  writer.Key("peer_count");
  writer.Uint64(peers->peers.size());
  writer.Key("sources");
  writer.StartArray();
  for (const SourceStatus& source : registry_.Sources()) {
    writer.StartObject();
    writer.Key("name");
    String(writer, source.name);
    writer.Key("type");
    String(writer, source.type);
    writer.Key("enabled");
    writer.Bool(source.enabled);
    writer.Key("state");
    String(writer, SourceState(source));
    writer.Key("stale");
    writer.Bool(source.stale);
    writer.Key("last_success");
    json::TimeOrNull(writer, source.last_success);
    writer.Key("last_error");
    json::StringOrNull(writer, source.last_error);
    writer.Key("last_error_at");
    json::TimeOrNull(writer, source.last_error_at);
    writer.Key("peer_count");
    writer.Uint64(per_source[source.name]);
    writer.Key("observation_count");
    writer.Uint64(source.observation_count);
    writer.Key("errors");
    writer.Uint64(source.errors);
    writer.Key("last_fetch_seconds");
    writer.Double(std::chrono::duration<double>(source.last_fetch_duration).count());
    writer.Key("details");
    writer.StartObject();
    for (const auto& [key, value] : source.details) {
      writer.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
      String(writer, value);
    }
    writer.EndObject();
    writer.Key("issues");
    writer.StartArray();
    for (const SourceIssue& issue : source.issues) {
      writer.StartObject();
      writer.Key("entry");
      String(writer, issue.subject);
      writer.Key("origin");
      String(writer, issue.origin);
      writer.Key("reason");
      String(writer, issue.reason);
      writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return ApiResponse{200, "application/json", Finish(buffer), peers->version, {}, {}};
}

void Api::SetApp(const AppProfile& app) {
  std::lock_guard lock(app_mutex_);
  app_ = app;
}

ApiResponse Api::App() const {
  AppProfile app;
  {
    std::lock_guard lock(app_mutex_);
    app = app_;
  }
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("name");
  String(writer, app.name);
  writer.Key("help");
  String(writer, app.help);
  writer.Key("variable");
  String(writer, app.variable);
  writer.Key("format");
  String(writer, app.format);
  writer.Key("families");
  String(writer, AddressFamiliesName(app.families));
  writer.Key("app_port");
  if (app.app_port) {
    writer.Uint(*app.app_port);
  } else {
    writer.Null();
  }
  writer.Key("tag_prefix");
  String(writer, app.tag_prefix);
  writer.Key("service_type");
  String(writer, app.service_type);
  writer.Key("refused_variables");
  writer.StartArray();
  for (const std::string& variable : app.refused_variables) String(writer, variable);
  writer.EndArray();
  writer.EndObject();
  return ApiResponse{200, "application/json", Finish(buffer), registry_.Current()->version, {}, {}};
}

ApiResponse Api::Templates() const {
  const uint64_t version = registry_.Current()->version;
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Uint64(version);
  writer.Key("templates");
  writer.StartArray();
  for (const TemplateStatus& status : telemetry_.templates.Snapshot()) {
    WriteTemplate(writer, status);
  }
  writer.EndArray();
  writer.EndObject();
  return ApiResponse{200, "application/json", Finish(buffer), version, {}, {}};
}

ApiResponse Api::Health() const {
  const uint64_t version = registry_.Current()->version;
  const std::vector<SourceStatus> sources = registry_.Sources();
  const bool deadline_passed =
      std::chrono::steady_clock::now() - options_.started >= options_.startup_deadline;
  const bool healthy = AllReported(sources) || deadline_passed;
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("status");
  String(writer, healthy ? "ok" : "starting");
  writer.Key("version");
  writer.Uint64(version);
  writer.Key("sources");
  writer.StartObject();
  for (const SourceStatus& source : sources) {
    String(writer, source.name);
    String(writer, SourceState(source));
  }
  writer.EndObject();
  writer.EndObject();
  return ApiResponse{healthy ? 200u : 503u, "application/json", Finish(buffer), version, {}, {}};
}

ApiResponse Api::Metrics() const {
  const std::shared_ptr<const PeerSet> peers = registry_.Current();
  return ApiResponse{200,
                     "text/plain; version=0.0.4; charset=utf-8",
                     RenderMetrics(*peers, registry_.Sources(), telemetry_),
                     peers->version,
                     {},
                     {}};
}

}  // namespace peerscout
