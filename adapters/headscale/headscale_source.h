// The Headscale source: nodes of a Headscale control server whose tags carry an app's peer id
// and port (or a member tag), polled from its REST API with an API key.
#pragma once

#include <optional>
#include <stop_token>
#include <string>

#include "adapters/headscale/api_client.h"
#include "adapters/headscale/node_selection.h"
#include "sidecar/config/duration.h"
#include "sidecar/config/environment.h"
#include "sidecar/core/source.h"

namespace peerscout::headscale {

struct HeadscaleSourceOptions {
  ApiClientOptions api;
  std::string api_key_env = "HEADSCALE_API_KEY";
  std::string api_key_file;  // read every round, so a rotated secret is picked up
  Duration poll_interval = std::chrono::seconds(5);
  NodeSelection selection;
};

class HeadscaleSource : public Source {
 public:
  HeadscaleSource(HeadscaleSourceOptions options, Environment env)
      : options_(std::move(options)), env_(std::move(env)), api_(options_.api) {}
  void Run(std::stop_token stop, SnapshotSink& sink) override;

  // One round; true when it published.
  bool Look(SnapshotSink& sink);

 private:
  Parsed<std::string> Key() const;

  HeadscaleSourceOptions options_;
  Environment env_;
  ApiClient api_;
  // ≤ v0.22 has no /api/v1/node; found by a 404, remembered.
  bool machines_ = false;
};

const SourceFactory& Factory();

}  // namespace peerscout::headscale
