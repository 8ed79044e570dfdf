// `peerscout tag-for`: the tags that give a tailnet node its app's peer id and port, and the
// other way round, what a tag says.
#include <cstdio>

#include "sidecar/cli/commands.h"
#include "sidecar/tailnet/app_tags.h"

namespace peerscout::cli {
namespace {

constexpr int kUsageError = 64;

int ReadTag(const std::string& tag, const std::string& prefix) {
  const AppTags app = ReadAppTags({tag}, prefix);
  if (!app.refused.empty()) {
    std::fprintf(stderr, "peerscout: %s: %s\n", tag.c_str(), app.refused.front().reason.c_str());
    return kUsageError;
  }
  if (app.peer_id) {
    std::printf("%s\n", app.peer_id->ToString().c_str());
  } else if (app.port) {
    std::printf("%u\n", static_cast<unsigned>(*app.port));
  } else {
    std::fprintf(stderr, "peerscout: %s is not a tag:%s peer id or port tag\n", tag.c_str(),
                 prefix.c_str());
    return kUsageError;
  }
  return 0;
}

void PrintStyle(const PeerId& id, const TagForOptions& options, TagStyle style,
                const char* separator) {
  std::printf("%s", PeerIdTag(id, options.prefix, style).c_str());
  if (options.port > 0) {
    std::printf("%s%s", separator,
                PortTag(static_cast<uint16_t>(options.port), options.prefix, style).c_str());
  }
  std::printf("\n");
}

}  // namespace

int TagFor(const TagForOptions& options) {
  auto prefix = CheckTagPrefix(options.prefix);
  if (!prefix) {
    std::fprintf(stderr, "peerscout: --prefix: %s\n", prefix.error().c_str());
    return kUsageError;
  }
  if (options.subject.rfind("tag:", 0) == 0) return ReadTag(options.subject, options.prefix);
  auto id = PeerId::Parse(options.subject);
  if (!id) {
    std::fprintf(stderr, "peerscout: %s\n", id.error().c_str());
    return kUsageError;
  }
  // A single style prints one line, comma-separated: what --advertise-tags and
  // `headscale nodes tag -t` take.
  if (options.style == "dash") {
    PrintStyle(*id, options, TagStyle::kDash, ",");
  } else if (options.style == "underscore") {
    PrintStyle(*id, options, TagStyle::kUnderscore, ",");
  } else {
    std::printf(
        "# valid on Tailscale and Headscale; a node may set them itself with "
        "tailscale up --advertise-tags\n");
    PrintStyle(*id, options, TagStyle::kDash, "\n");
    std::printf("# exo's Headscale convention; only Headscale's API can set them\n");
    PrintStyle(*id, options, TagStyle::kUnderscore, "\n");
  }
  return 0;
}

}  // namespace peerscout::cli
