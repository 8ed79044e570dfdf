// The Headscale source: nodes of a Headscale control server whose tags carry an app's peer id
// and port (or a member tag), polled from its REST API with an API key.
#pragma once

#include <optional>
#include <stop_token>
#include <string>

#include "adapters/headscale/api_client.h"
#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_selection.h"
#include "sidecar/config/environment.h"
#include "sidecar/core/source.h"
#include "sidecar/option/duration.h"
#include "sidecar/tailnet/app_tags.h"

namespace peerscout::headscale {

struct SelfRegistration {
  bool enabled = false;
  TagStyle style = TagStyle::kDash;
  // Add our tags to the policy's tagOwners through the policy API (database policies only).
  bool manage_policy = false;
};

struct HeadscaleSourceOptions {
  ApiClientOptions api;
  SelfRegistration self_register;
  std::string api_key_env = "HEADSCALE_API_KEY";
  std::string api_key_file;  // read every round, so a rotated secret is picked up
  Duration poll_interval = std::chrono::seconds(5);
  NodeSelection selection;
};

class HeadscaleSource : public Source {
 public:
  HeadscaleSource(HeadscaleSourceOptions options, Environment env, SelfView self)
      : options_(std::move(options)),
        env_(std::move(env)),
        self_(std::move(self)),
        api_(options_.api) {}
  void Run(std::stop_token stop, SnapshotSink& sink) override;

  // One round; true when it published.
  bool Look(SnapshotSink& sink);

 private:
  ErrorOr<std::string> Key() const;
  // Sets our node's app tags when they differ from what it carries; register_state_ and
  // register_problem_ say how it went.
  void RegisterSelf(const NodeList& list, const std::string& key);
  std::string TrySetTags(const NodeList& list, const SelfIdentity& self, const std::string& key);
  // Adds tagOwners entries for `tags` through the policy API.
  ErrorOr<bool> AllowTags(const std::vector<std::string>& tags, const std::string& key);

  HeadscaleSourceOptions options_;
  Environment env_;
  SelfView self_;
  ApiClient api_;
  // A refused change is tried again after a while, not every poll.
  std::optional<std::chrono::steady_clock::time_point> retry_register_at_;
  std::string register_state_;
  bool register_problem_ = false;
  // ≤ v0.22 has no /api/v1/node; found by a 404, remembered.
  bool machines_ = false;
};

const SourceFactory& Factory();

}  // namespace peerscout::headscale
