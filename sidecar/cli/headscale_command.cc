// `peerscout headscale policy-snippet`: the tagOwners entries Headscale v0.28+ needs before it
// sets our node's app tags (self_register), from the config or the flags.
#include <cstdio>

#include "adapters/headscale/self_tags.h"
#include "sidecar/cli/commands.h"
#include "sidecar/config/config_loader.h"

namespace peerscout::cli {
namespace {

constexpr int kUsageError = 64;

// The first headscale-type source's table, for its tag options.
const SourceConfig* HeadscaleTable(const Config& config) {
  for (const SourceConfig& source : config.sources) {
    if (source.type == "headscale") return &source;
  }
  return nullptr;
}

}  // namespace

int HeadscalePolicySnippet(const std::string& config_file, const PolicySnippetOptions& flags,
                           const Environment& env) {
  auto config = LoadConfig(config_file, env, Catalog());
  if (!config) {
    std::fprintf(stderr, "peerscout: %s\n", config.error().c_str());
    return kUsageError;
  }
  std::string prefix = "exo";
  std::string style = "dash";
  std::optional<uint16_t> port;
  if (const SourceConfig* table = HeadscaleTable(*config)) {
    prefix = table->options.Get<std::string>("tag_prefix");
    style = table->options.Get<std::string>("tag_style");
    if (table->options.Has("app_port")) {
      port = static_cast<uint16_t>(table->options.Get<int64_t>("app_port"));
    }
  }
  if (!config->self.app_ports.empty()) port = config->self.app_ports.front();
  if (!flags.prefix.empty()) prefix = flags.prefix;
  if (!flags.style.empty()) style = flags.style;
  if (flags.port > 0) port = static_cast<uint16_t>(flags.port);
  std::optional<PeerId> id;
  if (!flags.peer_id.empty()) {
    auto parsed = PeerId::Parse(flags.peer_id);
    if (!parsed) {
      std::fprintf(stderr, "peerscout: --peer-id: %s\n", parsed.error().c_str());
      return kUsageError;
    }
    id = *parsed;
  } else if (!config->self.peer_ids.empty()) {
    id = config->self.peer_ids.front();
  }
  if (!id) {
    std::fprintf(stderr, "peerscout: no peer id: pass --peer-id or set [self] peer_ids\n");
    return kUsageError;
  }
  if (auto checked = CheckTagPrefix(prefix); !checked) {
    std::fprintf(stderr, "peerscout: tag prefix: %s\n", checked.error().c_str());
    return kUsageError;
  }
  const TagStyle tag_style = style == "underscore" ? TagStyle::kUnderscore : TagStyle::kDash;
  std::printf(
      "%s", headscale::PolicySnippet(headscale::AppTagsFor(*id, port, prefix, tag_style)).c_str());
  return 0;
}

}  // namespace peerscout::cli
