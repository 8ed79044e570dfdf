// The tailscale source: the local tailnet as tailscaled sees it, read from its LocalAPI
// (pushed: the IPN bus says when to read again), from `tailscale status --json`, or from a
// status file that something else writes.
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/tailscale/peer_selection.h"
#include "sidecar/core/source.h"
#include "sidecar/option/duration.h"

namespace peerscout::tailscale {

enum class Mode : uint8_t { kAuto, kLocalApi, kCli, kFile };
std::string_view ModeName(Mode mode);

struct TailscaleSourceOptions {
  Mode mode = Mode::kAuto;
  std::string socket = "/var/run/tailscale/tailscaled.sock";
  std::vector<std::string> command{"tailscale", "status", "--json"};
  std::string status_file;
  // How often the status is read when nothing pushes changes (cli, file, no IPN bus).
  Duration poll_interval = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(5);  // of one LocalAPI request or command
  PeerSelection selection;
};

class TailscaleSource : public Source {
 public:
  explicit TailscaleSource(TailscaleSourceOptions options) : options_(std::move(options)) {}
  void Run(std::stop_token stop, SnapshotSink& sink) override;

 private:
  // The mode auto settles on now: the first whose prerequisite exists; nothing, with the
  // reason, when none does.
  std::optional<Mode> Detect(std::string& why_not) const;
  // The payload; `too_large` says whether it was refused for passing kMaxStatusBytes.
  ErrorOr<std::string> Read(Mode mode, std::stop_token stop, bool& too_large) const;
  // One round: read, parse, select, then Publish or Fail. True when it published.
  bool Look(Mode mode, std::stop_token stop, SnapshotSink& sink) const;
  // Follows the IPN bus until it ends, reading the status after each burst of messages.
  void Follow(std::stop_token stop, SnapshotSink& sink);

  TailscaleSourceOptions options_;
  std::string push_ = "connecting";  // how changes reach us, for /v1/sources
};

const SourceFactory& Factory();

}  // namespace peerscout::tailscale
