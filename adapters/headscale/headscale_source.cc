#include "adapters/headscale/headscale_source.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <random>

#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_snapshot.h"
#include "adapters/headscale/self_tags.h"
#include "sidecar/config/config.h"
#include "sidecar/render/json_writer.h"
#include "sidecar/system/whole_file.h"
#include "sidecar/tailnet/app_tags.h"
#include "sidecar/tailnet/tailnet_node.h"

namespace peerscout::headscale {
namespace {

using SteadyClock = std::chrono::steady_clock;

// After Headscale refuses our tags (or their tagOwners), we ask again this much later, not every
// poll: the refusal stands until someone changes the policy.
constexpr auto kRegisterRetry = std::chrono::minutes(1);

std::string TagsBody(const std::vector<std::string>& tags) {
  rapidjson::StringBuffer buffer;
  json::Writer writer(buffer);
  writer.StartObject();
  writer.Key("tags");
  json::StringArray(writer, tags);
  writer.EndObject();
  return json::Finish(buffer);
}

std::string PolicyBody(const std::string& policy) {
  rapidjson::StringBuffer buffer;
  json::Writer writer(buffer);
  writer.StartObject();
  writer.Key("policy");
  json::String(writer, policy);
  writer.EndObject();
  return json::Finish(buffer);
}

// ±10 %: many sidecars started together do not poll Headscale in lockstep.
Duration Jittered(Duration duration) {
  static thread_local std::minstd_rand random(std::random_device{}());
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  return std::chrono::duration_cast<Duration>(duration * factor(random));
}

std::string Trimmed(std::string text) {
  const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  text.erase(text.begin(), std::find_if_not(text.begin(), text.end(), space));
  text.erase(std::find_if_not(text.rbegin(), text.rend(), space).base(), text.end());
  return text;
}

}  // namespace

ErrorOr<std::string> HeadscaleSource::Key() const {
  if (!options_.api_key_file.empty()) {
    std::string text;
    if (!ReadWholeFile(options_.api_key_file, text)) {
      return ErrorOr<std::string>::Error("cannot read api_key_file " + options_.api_key_file);
    }
    std::string key = Trimmed(text);
    if (key.empty())
      return ErrorOr<std::string>::Error("api_key_file " + options_.api_key_file + " is empty");
    return key;
  }
  std::string key = Trimmed(env_.Get(options_.api_key_env).value_or(""));
  if (key.empty()) {
    return ErrorOr<std::string>::Error("no API key: set " + options_.api_key_env +
                                       " or api_key_file (headscale apikeys create)");
  }
  return key;
}

bool HeadscaleSource::Look(SnapshotSink& sink) {
  const auto started = SteadyClock::now();
  ErrorOr<std::string> key = Key();
  if (!key) {
    sink.Fail(key.error());
    return false;
  }
  ApiError error;
  ErrorOr<std::string> body =
      api_.Get(machines_ ? "/api/v1/machine" : "/api/v1/node", *key, &error);
  if (!body && error.status == 404 && !machines_) {
    machines_ = true;
    body = api_.Get("/api/v1/machine", *key, &error);
    if (!body) machines_ = false;
  }
  if (!body) {
    if (error.too_large) sink.Count("reply_too_large");
    sink.Fail(body.error());
    return false;
  }
  ErrorOr<NodeList> list = ParseNodeList(*body);
  if (!list) {
    sink.Fail(list.error());
    return false;
  }
  Snapshot snapshot = SnapshotFromNodes(*list, options_.selection, Clock::now());
  if (options_.self_register.enabled) {
    RegisterSelf(*list, *key);
    snapshot.details["self_register"] = register_state_;
    // A problem is an issue too, so the log says it once and /v1/sources lists it.
    if (register_problem_) {
      snapshot.issues.push_back({"self_register", "[sources.headscale]", register_state_});
    }
  }
  snapshot.fetch_duration = SteadyClock::now() - started;
  sink.Publish(std::move(snapshot));
  return true;
}

ErrorOr<bool> HeadscaleSource::AllowTags(const std::vector<std::string>& tags,
                                         const std::string& key) {
  ApiError error;
  ErrorOr<std::string> current = api_.Get("/api/v1/policy", key, &error);
  if (!current) return ErrorOr<bool>::Error("reading the policy: " + current.error());
  rapidjson::Document document;
  document.Parse(current->c_str(), current->size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("policy") ||
      !document["policy"].IsString()) {
    return ErrorOr<bool>::Error("the policy API answered without a policy");
  }
  ErrorOr<std::string> edited = AddTagOwners(document["policy"].GetString(), tags);
  if (!edited) return ErrorOr<bool>::Error(edited.error());
  if (*edited == document["policy"].GetString()) return false;
  ErrorOr<std::string> put = api_.Send("PUT", "/api/v1/policy", PolicyBody(*edited), key, &error);
  if (!put) return ErrorOr<bool>::Error("writing the policy: " + put.error());
  return true;
}

void HeadscaleSource::RegisterSelf(const NodeList& list, const std::string& key) {
  register_problem_ = true;
  const SelfIdentity self = self_();
  if (self.peer_ids.empty()) {
    register_state_ = "waiting for our peer id ([self] peer_ids, or the local app's mDNS answer)";
    return;
  }
  if (retry_register_at_ && SteadyClock::now() < *retry_register_at_) return;
  retry_register_at_.reset();
  register_state_ = TrySetTags(list, self, key);
}

std::string HeadscaleSource::TrySetTags(const NodeList& list, const SelfIdentity& self,
                                        const std::string& key) {
  std::optional<uint16_t> port = options_.selection.app_port;
  if (!self.app_ports.empty()) port = self.app_ports.front();
  const std::vector<std::string> wanted = AppTagsFor(
      self.peer_ids.front(), port, options_.selection.tag_prefix, options_.self_register.style);
  auto change = PlanTagChange(list, self, wanted, options_.selection.tag_prefix);
  if (!change) return change.error();
  if (!*change) {
    register_problem_ = false;
    return "our node carries our tags";
  }
  const std::string path =
      (machines_ ? "/api/v1/machine/" : "/api/v1/node/") + (*change)->node_id + "/tags";
  ApiError error;
  ErrorOr<std::string> set = api_.Send("POST", path, TagsBody((*change)->tags), key, &error);
  if (!set && error.status == 400 && options_.self_register.manage_policy) {
    ErrorOr<bool> allowed = AllowTags(wanted, key);
    if (!allowed) {
      retry_register_at_ = SteadyClock::now() + kRegisterRetry;
      return "could not add our tags to the policy's tagOwners: " + allowed.error();
    }
    set = api_.Send("POST", path, TagsBody((*change)->tags), key, &error);
  }
  if (!set) {
    retry_register_at_ = SteadyClock::now() + kRegisterRetry;
    std::string state = "Headscale refused our tags: " + error.server_message;
    if (error.status == 400) {
      state +=
          "; on v0.28+ each tag must be a key of the policy's tagOwners: `peerscout "
          "headscale policy-snippet` prints the entries, or set manage_policy = true";
    }
    return state;
  }
  register_problem_ = false;
  return "set our tags on node " + (*change)->node_id;
}

// A failed poll is retried after one interval, not a growing backoff: a poll costs Headscale no
// more when it fails, and the peers must come back within one interval of its recovery.
void HeadscaleSource::Run(std::stop_token stop, SnapshotSink& sink) {
  while (!stop.stop_requested()) {
    Look(sink);
    SleepUnlessStopped(Jittered(options_.poll_interval), stop);
  }
}

namespace {

constexpr std::string_view kTagStyles[] = {"dash", "underscore"};

constexpr OptionSpec kOptions[] = {
    {"url", OptionKind::kString, "", "Headscale's URL, e.g. https://headscale.example.com."},
    {"api_key_env", OptionKind::kString, "HEADSCALE_API_KEY",
     "The variable holding the API key (headscale apikeys create)."},
    {"api_key_file", OptionKind::kString, "",
     "A file holding the API key (a Docker or Kubernetes secret); wins over api_key_env and is "
     "read again every poll."},
    {"ca_file", OptionKind::kString, "",
     "CA certificates for Headscale's TLS; empty: the system's."},
    {"allow_http", OptionKind::kBool, "false",
     "Allow a plain http:// URL (the API key then travels in clear)."},
    {"poll_interval", OptionKind::kDuration, "5s",
     "How often the node list is read (±10 % jitter); a failed read is retried one interval "
     "later."},
    {"connect_timeout", OptionKind::kDuration, "5s", "Longest wait for a connection."},
    {"timeout", OptionKind::kDuration, "15s", "Longest request."},
    kTagPrefixOption,
    {"member_tag", OptionKind::kString, "",
     "Also list nodes with this tag (e.g. tag:exo) that have no peer-id or port tag; empty: only "
     "nodes with one of those are listed."},
    {"online_only", OptionKind::kBool, "true",
     "Leave out nodes Headscale sees offline, and expired ones."},
    {"user", OptionKind::kString, "",
     "Only this user's nodes (on v0.28+ tagged nodes belong to tagged-devices)."},
    kAppPortOption,
    {"self_register", OptionKind::kBool, "false",
     "Set our own node's peer-id and port tags (from [self] peer_ids and app_ports), keeping its "
     "other tags. Our node is the one holding one of our tailnet addresses."},
    {"tag_style", OptionKind::kString, "dash",
     "The tags self_register sets: dash (tag:exo-peer-<id>, valid everywhere) or underscore "
     "(tag:exo_peer_id=<id>, exo's convention).",
     kTagStyles},
    {"manage_policy", OptionKind::kBool, "false",
     "When Headscale refuses our tags for want of tagOwners entries (v0.28+), add them through "
     "the policy API, changing nothing else; only for a policy kept in Headscale's database."},
};

ErrorOr<std::shared_ptr<Source>> Create(const SourceContext& context) {
  using Result = ErrorOr<std::shared_ptr<Source>>;
  const OptionValues& values = context.source.options;
  const auto refuse = [&values](std::string_view key, const std::string& reason) {
    return Result::Error("headscale: " + std::string(key) + ": " + reason + " (" +
                         values.Origin(key) + ")");
  };
  HeadscaleSourceOptions options;
  std::string url = values.Get<std::string>("url");
  while (!url.empty() && url.back() == '/') url.pop_back();
  const bool allow_http = values.Get<bool>("allow_http");
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return refuse("url", "needs Headscale's https:// URL");
  }
  if (url.rfind("http://", 0) == 0 && !allow_http) {
    return refuse("url", "plain http would send the API key in clear; set allow_http = true");
  }
  options.api.url = url;
  options.api.allow_http = allow_http;
  options.api.ca_file = values.Get<std::string>("ca_file");
  options.api.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      values.Get<Duration>("connect_timeout"));
  options.api.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(values.Get<Duration>("timeout"));
  options.api_key_env = values.Get<std::string>("api_key_env");
  options.api_key_file = values.Get<std::string>("api_key_file");
  options.poll_interval = values.Get<Duration>("poll_interval");
  for (const char* key : {"poll_interval", "connect_timeout", "timeout"}) {
    if (values.Get<Duration>(key) <= Duration(0)) return refuse(key, "must be positive");
  }
  NodeSelection& selection = options.selection;
  OptionProblem problem;
  auto app = ReadTailnetAppOptions(values, problem);
  if (!app) return refuse(problem.key, problem.reason);
  selection.tag_prefix = app->tag_prefix;
  selection.app_port = app->app_port;
  selection.member_tag = values.Get<std::string>("member_tag");
  if (!selection.member_tag.empty() && !CheckTag(selection.member_tag)) {
    return refuse("member_tag", "a tag looks like tag:exo");
  }
  selection.online_only = values.Get<bool>("online_only");
  selection.user = values.Get<std::string>("user");
  options.self_register.enabled = values.Get<bool>("self_register");
  options.self_register.style = values.Get<std::string>("tag_style") == "underscore"
                                    ? TagStyle::kUnderscore
                                    : TagStyle::kDash;
  options.self_register.manage_policy = values.Get<bool>("manage_policy");
  return std::shared_ptr<Source>(
      std::make_shared<HeadscaleSource>(std::move(options), context.env, context.self));
}

}  // namespace

const SourceFactory& Factory() {
  static const SourceFactory factory{
      "headscale",
      "Nodes of a Headscale server (GET /api/v1/node, every API generation) whose tags carry an "
      "app's peer id and port, or a member_tag. Needs an API key; the tailscale source reads the "
      "same tags with none.",
      kOptions,
      false,
      Create,
  };
  return factory;
}

}  // namespace peerscout::headscale
