#include "adapters/tailscale/tailscale_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "adapters/tailscale/command_output.h"
#include "adapters/tailscale/file_watch.h"
#include "adapters/tailscale/local_api.h"
#include "adapters/tailscale/status.h"
#include "adapters/tailscale/status_snapshot.h"
#include "sidecar/config/config.h"
#include "sidecar/net/reply_text.h"
#include "sidecar/tailnet/app_tags.h"
#include "sidecar/tailnet/tailnet_node.h"

namespace peerscout::tailscale {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// Messages on the IPN bus come in bursts (a netmap change is several); one read per burst.
constexpr milliseconds kDebounce{100};
// How long an idle stream waits between ticks; it wakes at once for a message or a stop.
constexpr milliseconds kIdleTick{60'000};
constexpr milliseconds kFirstRetry{250};
constexpr milliseconds kLongestRetry{5'000};

// Doubles the wait after each failure, up to a bound; a success starts again.
class Backoff {
 public:
  explicit Backoff(milliseconds longest) : longest_(longest) {}
  milliseconds Next() {
    const milliseconds wait = next_;
    next_ = std::min(next_ * 2, longest_);
    return wait;
  }
  void Reset() { next_ = kFirstRetry; }

 private:
  milliseconds longest_;
  milliseconds next_ = kFirstRetry;
};

bool IsSocket(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

// Read in chunks: a buffer of the whole cap up front would touch 64 MiB on every poll.
ErrorOr<std::string> ReadFile(const std::string& path, bool& too_large) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return ErrorOr<std::string>::Error("cannot read status_file " + path);
  CappedBody body{"", kMaxStatusBytes};
  std::vector<char> chunk(size_t{64} << 10);
  while (file.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || file.gcount() > 0) {
    if (!body.Append(chunk.data(), static_cast<size_t>(file.gcount()))) break;
  }
  too_large = body.too_large;
  if (too_large) {
    return ErrorOr<std::string>::Error("status_file " + path + " is larger than " +
                                       std::to_string(kMaxStatusBytes >> 20) + " MiB");
  }
  return std::move(body.text);
}

milliseconds Millis(Duration duration) {
  return std::chrono::duration_cast<milliseconds>(duration);
}

}  // namespace

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kAuto:
      return "auto";
    case Mode::kLocalApi:
      return "localapi";
    case Mode::kCli:
      return "cli";
    case Mode::kFile:
      return "file";
  }
  return "auto";
}

std::optional<Mode> TailscaleSource::Detect(std::string& why_not) const {
  if (IsSocket(options_.socket)) return Mode::kLocalApi;
  if (!options_.command.empty() && FindExecutable(options_.command.front())) return Mode::kCli;
  if (!options_.status_file.empty() && access(options_.status_file.c_str(), R_OK) == 0) {
    return Mode::kFile;
  }
  why_not = "no tailscaled found: no socket at " + options_.socket + ", no `" +
            (options_.command.empty() ? std::string() : options_.command.front()) +
            "` command on PATH" +
            (options_.status_file.empty() ? "" : ", no status_file " + options_.status_file) +
            " (set [sources.tailscale] enabled = false if this host has no tailnet)";
  return std::nullopt;
}

ErrorOr<std::string> TailscaleSource::Read(Mode mode, std::stop_token stop, bool& too_large) const {
  too_large = false;
  switch (mode) {
    case Mode::kLocalApi:
      return LocalApi(options_.socket, Millis(options_.timeout))
          .Get("status", kMaxStatusBytes, &too_large);
    case Mode::kCli:
      return CommandOutput(options_.command, Millis(options_.timeout), kMaxStatusBytes, stop,
                           &too_large);
    case Mode::kFile:
      return ReadFile(options_.status_file, too_large);
    case Mode::kAuto:
      break;
  }
  return ErrorOr<std::string>::Error("no mode");
}

bool TailscaleSource::Look(Mode mode, std::stop_token stop, SnapshotSink& sink) const {
  const auto started = SteadyClock::now();
  bool too_large = false;
  ErrorOr<std::string> body = Read(mode, stop, too_large);
  if (stop.stop_requested()) return false;
  if (!body) {
    if (too_large) sink.Count("reply_too_large");
    sink.Fail(body.error());
    return false;
  }
  ErrorOr<Status> status = ParseStatus(*body);
  if (!status) {
    sink.Fail(std::string(ModeName(mode)) + ": " + status.error());
    return false;
  }
  ErrorOr<Snapshot> snapshot = SnapshotFromStatus(*status, options_.selection);
  if (!snapshot) {
    sink.Fail(snapshot.error());
    return false;
  }
  Snapshot result = std::move(snapshot).value();
  result.details = {{"mode", std::string(ModeName(mode))}, {"tailscaled", status->version}};
  if (mode == Mode::kLocalApi) result.details["push"] = push_;
  result.fetch_duration = SteadyClock::now() - started;
  sink.Publish(std::move(result));
  return true;
}

void TailscaleSource::Follow(std::stop_token stop, SnapshotSink& sink) {
  std::optional<SteadyClock::time_point> due;
  const auto on_message = [&due] {
    if (!due) due = SteadyClock::now() + kDebounce;
  };
  const auto tick = [&]() -> milliseconds {
    if (!due) return kIdleTick;
    const auto now = SteadyClock::now();
    if (now < *due) return std::chrono::ceil<milliseconds>(*due - now);
    due.reset();
    Look(Mode::kLocalApi, stop, sink);
    return due ? kDebounce : kIdleTick;
  };
  push_ = "watch-ipn-bus";
  const LocalApi api(options_.socket, Millis(options_.timeout));
  const WatchResult result = api.Watch(kWatchMask, stop, on_message, tick);
  if (result.end == WatchEnd::kUnavailable) {
    // An old or trimmed tailscaled without the bus: poll the status instead.
    push_ = "polling: " + result.error;
    SleepUnlessStopped(options_.poll_interval, stop);
    return;
  }
  // Closed or failed: Run looks again at once (with its backoff) and watches anew.
  push_ = result.error.empty() ? "reconnecting" : "reconnecting: " + result.error;
}

void TailscaleSource::Run(std::stop_token stop, SnapshotSink& sink) {
  Backoff backoff(std::min(kLongestRetry, Millis(options_.poll_interval)));
  std::optional<FileWatch> file_watch;
  if (!options_.status_file.empty()) file_watch.emplace(options_.status_file);
  while (!stop.stop_requested()) {
    std::string why_not;
    const std::optional<Mode> mode =
        options_.mode == Mode::kAuto ? Detect(why_not) : std::optional<Mode>(options_.mode);
    if (!mode) {
      sink.Fail(why_not);
      SleepUnlessStopped(options_.poll_interval, stop);
      continue;
    }
    if (!Look(*mode, stop, sink)) {
      SleepUnlessStopped(backoff.Next(), stop);
      continue;
    }
    backoff.Reset();
    if (*mode == Mode::kLocalApi) {
      Follow(stop, sink);
    } else if (*mode == Mode::kFile) {
      file_watch->Wait(Millis(options_.poll_interval), stop);
    } else {
      SleepUnlessStopped(options_.poll_interval, stop);
    }
  }
}

namespace {

constexpr std::string_view kModes[] = {"auto", "localapi", "cli", "file"};

constexpr OptionSpec kOptions[] = {
    {"mode", OptionKind::kString, "auto",
     "Where the status comes from: localapi (tailscaled's socket, changes pushed), cli (the "
     "command), file (status_file), or auto: the first of these that exists.",
     kModes},
    {"socket", OptionKind::kString, "/var/run/tailscale/tailscaled.sock",
     "tailscaled's LocalAPI socket."},
    {"command", OptionKind::kStringList, "tailscale,status,--json",
     "The status command of the cli mode, run without a shell."},
    {"status_file", OptionKind::kString, "",
     "A file holding `tailscale status --json` output, written by something else; read "
     "again whenever it changes."},
    {"poll_interval", OptionKind::kDuration, "10s",
     "How often the status is read when nothing pushes changes (cli and file modes, or a "
     "tailscaled without the IPN bus)."},
    {"timeout", OptionKind::kDuration, "5s", "Longest LocalAPI request or command run."},
    kTagPrefixOption,
    kAppPortOption,
    {"online_only", OptionKind::kBool, "true", "Leave out nodes the control plane sees offline."},
    {"tags", OptionKind::kStringList, "", "Only nodes with one of these tags (e.g. tag:exo)."},
    {"os", OptionKind::kStringList, "",
     "Only nodes running one of these OSes (linux, macOS, ...)."},
    {"hostname", OptionKind::kString, "", "Only nodes whose hostname matches this glob (exo-*)."},
    {"include_shared", OptionKind::kBool, "false",
     "Also list nodes shared into this tailnet from another one."},
};

Mode ParseMode(const std::string& text) {
  for (Mode mode : {Mode::kLocalApi, Mode::kCli, Mode::kFile}) {
    if (ModeName(mode) == text) return mode;
  }
  return Mode::kAuto;
}

ErrorOr<std::shared_ptr<Source>> Create(const SourceContext& context) {
  using Result = ErrorOr<std::shared_ptr<Source>>;
  const OptionValues& values = context.source.options;
  const auto refuse = [&values](std::string_view key, const std::string& reason) {
    return Result::Error("tailscale: " + std::string(key) + ": " + reason + " (" +
                         values.Origin(key) + ")");
  };
  TailscaleSourceOptions options;
  options.mode = ParseMode(values.Get<std::string>("mode"));
  options.socket = values.Get<std::string>("socket");
  options.command = values.Get<std::vector<std::string>>("command");
  options.status_file = values.Get<std::string>("status_file");
  options.poll_interval = values.Get<Duration>("poll_interval");
  options.timeout = values.Get<Duration>("timeout");
  if (options.poll_interval <= Duration(0)) return refuse("poll_interval", "must be positive");
  if (options.timeout <= Duration(0)) return refuse("timeout", "must be positive");
  if (options.mode == Mode::kFile && options.status_file.empty()) {
    return refuse("status_file", "mode = \"file\" needs a status_file");
  }
  if (options.mode == Mode::kCli && options.command.empty()) {
    return refuse("command", "mode = \"cli\" needs a command");
  }
  if (options.mode == Mode::kLocalApi && options.socket.empty()) {
    return refuse("socket", "mode = \"localapi\" needs a socket");
  }
  PeerSelection& selection = options.selection;
  OptionProblem problem;
  auto app = ReadTailnetAppOptions(values, problem);
  if (!app) return refuse(problem.key, problem.reason);
  selection.tag_prefix = app->tag_prefix;
  selection.app_port = app->app_port;
  selection.online_only = values.Get<bool>("online_only");
  selection.tags = values.Get<std::vector<std::string>>("tags");
  selection.os = values.Get<std::vector<std::string>>("os");
  selection.hostname = values.Get<std::string>("hostname");
  selection.include_shared = values.Get<bool>("include_shared");
  return std::shared_ptr<Source>(std::make_shared<TailscaleSource>(std::move(options)));
}

}  // namespace

const SourceFactory& Factory() {
  static const SourceFactory factory{
      "tailscale",
      "The local tailnet from tailscaled: its LocalAPI socket (changes pushed over the IPN "
      "bus), `tailscale status --json`, or a status file. Node tags can carry the app's peer "
      "id and port; `peerscout tag-for` prints them.",
      kOptions,
      true,
      Create,
  };
  return factory;
}

}  // namespace peerscout::tailscale
