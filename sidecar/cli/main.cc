// peerscout: one deduplicated peer list from mDNS, the tailnet, Headscale and static lists,
// for apps that are not modified.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "sidecar/cli/child_process.h"
#include "sidecar/cli/commands.h"
#include "sidecar/option/duration.h"

namespace {

using peerscout::Environment;
namespace cli = peerscout::cli;

// CLI11 validator for "30s", "5m", "1h30m".
struct DurationValidator : public CLI::Validator {
  DurationValidator() : CLI::Validator("DURATION") {
    func_ = [](std::string& text) -> std::string {
      auto parsed = peerscout::ParseDuration(text);
      return parsed ? "" : parsed.error();
    };
  }
};

// The words after the first `--` that follows `exec`, moved into `command`; the count of
// those left for the parser.
int SplitCommand(int argc, char** argv, std::vector<std::string>& command) {
  bool exec = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    exec = exec || word == "exec";
    if (exec && word == "--") {
      command.assign(argv + i + 1, argv + argc);
      return i;
    }
  }
  return argc;
}

std::chrono::milliseconds ToMillis(const std::string& text) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(*peerscout::ParseDuration(text));
}

}  // namespace

// An exception escaping main is a bug: it ends the process with its message, as it should.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  const Environment env = Environment::FromProcess();
  CLI::App app{
      "peerscout: one deduplicated list of an app's peers, merged from mDNS, the tailnet, "
      "Headscale and static lists, published over a Unix socket, in files, and in the "
      "environment of `peerscout exec`."};
  app.require_subcommand(1);
  // --socket and --config are accepted after the subcommand too: `peerscout run --config F`.
  app.fallthrough();
  app.set_version_flag("--version", std::string("peerscout ") + PEERSCOUT_VERSION);
  std::string socket_flag;
  std::string config_file = env.Get("PEERSCOUT_CONFIG").value_or("");
  app.add_option("--socket", socket_flag,
                 "API socket (default: PEERSCOUT_SOCKET, else the config's server.socket)");
  app.add_option("-c,--config", config_file, "Config file (default: PEERSCOUT_CONFIG)");
  const DurationValidator duration;

  CLI::App* run = app.add_subcommand("run", "Run the sidecar");
  CLI::App* check = app.add_subcommand("check-config", "Validate the config and exit");
  bool list_keys = false;
  check->add_flag("--keys", list_keys, "List every key with its default and variable");

  cli::PeersOptions peers_options;
  CLI::App* peers = app.add_subcommand("peers", "Print the peer list");
  CLI::App* watch = app.add_subcommand("watch", "Print the peer list on every change");
  for (CLI::App* command : {peers, watch}) {
    command
        ->add_option("-f,--format", peers_options.format,
                     "table, or any API format (auto: table on a terminal, else json)")
        ->capture_default_str();
    command->add_option("--source", peers_options.sources, "Only peers seen by these sources");
    command->add_option("--online", peers_options.online, "Only online (true) or offline (false)")
        ->check(CLI::IsMember({"true", "false"}));
    command
        ->add_option("--reachable", peers_options.reachable,
                     "Only peers that answered a probe (true) or the others (false)")
        ->check(CLI::IsMember({"true", "false"}));
    command->add_option("--separator", peers_options.separator, "Separator of list formats");
    command->add_option("--color", peers_options.color, "Colour the table: auto, always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
  }
  std::string watch_wait = "5m";
  watch->add_option("--wait", watch_wait, "Longest wait of each blocking query")
      ->check(duration)
      ->capture_default_str();

  CLI::App* health =
      app.add_subcommand("health", "Exit 0 when the sidecar is healthy (HEALTHCHECK)");

  cli::StatusOptions status_options;
  CLI::App* status = app.add_subcommand("status", "Show each source's health at a glance");
  status
      ->add_option("-f,--format", status_options.format,
                   "table or json (auto: table on a terminal, else json)")
      ->check(CLI::IsMember({"auto", "table", "json"}))
      ->capture_default_str();
  status->add_option("--color", status_options.color, "Colour the table: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();

  cli::ExecOptions exec_options;
  std::string exec_wait = "30s";
  std::string exec_app;
  std::string on_timeout = "start";
  std::string restart = "never";
  std::string wait_min = "5s";
  std::string wait_max;
  std::string kill_signal = "TERM";
  std::string kill_timeout = "30s";
  CLI::App* exec = app.add_subcommand(
      "exec", "Start a command with the peer list in its environment: exec [options] -- CMD ARGS");
  exec->add_option("-e,--env", exec_options.env,
                   "VAR=FORMAT to set, e.g. EXO_BOOTSTRAP_PEERS=exo (default: the app profile's "
                   "variable)");
  exec->add_option("--app", exec_app,
                   "App profile whose variable is set (default: the sidecar's `app`)");
  exec->add_option("--min-peers", exec_options.min_peers, "Wait for this many peers, up to --wait")
      ->check(CLI::NonNegativeNumber);
  exec->add_flag("--reachable", exec_options.reachable_only,
                 "Count toward --min-peers, and pass on, only peers with an address that answered "
                 "a probe ([liveness], or exo's discovery)");
  exec->add_option("--wait", exec_wait, "Longest wait for the sidecar and for --min-peers")
      ->check(duration)
      ->capture_default_str();
  exec->add_option("--on-timeout", on_timeout, "After --wait: start anyway, or fail (exit 75)")
      ->check(CLI::IsMember({"start", "fail"}))
      ->capture_default_str();
  exec->add_option("--restart", restart,
                   "Restart the command when the list changes (on-change) or grows (on-add); "
                   "never: peerscout becomes the command")
      ->check(CLI::IsMember({"never", "on-change", "on-add"}))
      ->capture_default_str();
  exec->add_option("--wait-min", wait_min, "Restart once changes are quiet this long")
      ->check(duration)
      ->capture_default_str();
  exec->add_option("--wait-max", wait_max,
                   "... but no later than this after the first change (default 4 x --wait-min)")
      ->check(duration);
  exec->add_option("--kill-signal", kill_signal, "Signal that stops the command for a restart")
      ->capture_default_str();
  exec->add_option("--kill-timeout", kill_timeout, "Then SIGKILL after this long")
      ->check(duration)
      ->capture_default_str();
  exec->add_flag("--pristine", exec_options.environment.pristine,
                 "Pass on none of our environment (but what --env-allow names)");
  exec->add_option("--env-allow", exec_options.environment.allow,
                   "Pass on only variables matching these globs (PATH, LC_*)");
  exec->add_option("--env-deny", exec_options.environment.deny,
                   "Never pass on variables matching these globs (*_TOKEN)");
  exec->add_option("command", exec_options.command, "The command and its arguments (after --)");

  app.add_subcommand("apps", "List the app profiles and the one `app` selects");

  cli::TagForOptions tag_options;
  CLI::App* tag_for = app.add_subcommand(
      "tag-for", "Print the tailnet tags that carry a peer id (and port), or read a tag back");
  tag_for->add_option("subject", tag_options.subject, "A peer id, or a tag to read back")
      ->required();
  tag_for->add_option("--port", tag_options.port, "The app's port")->check(CLI::Range(1, 65535));
  tag_for->add_option("--prefix", tag_options.prefix, "Tag prefix")->capture_default_str();
  tag_for->add_option("--style", tag_options.style, "Only one style, comma-separated")
      ->check(CLI::IsMember({"dash", "underscore"}));

  CLI::App* headscale = app.add_subcommand("headscale", "Headscale helpers");
  headscale->require_subcommand(1);
  cli::PolicySnippetOptions snippet_options;
  CLI::App* snippet = headscale->add_subcommand(
      "policy-snippet",
      "Print the tagOwners entries Headscale v0.28+ needs for our tags (self_register)");
  snippet->add_option("--peer-id", snippet_options.peer_id, "Our app's peer id ([self] peer_ids)");
  snippet->add_option("--port", snippet_options.port, "Our app's port")
      ->check(CLI::Range(1, 65535));
  snippet->add_option("--prefix", snippet_options.prefix, "Tag prefix (the source's tag_prefix)");
  snippet
      ->add_option("--style", snippet_options.style, "dash or underscore (the source's tag_style)")
      ->check(CLI::IsMember({"dash", "underscore"}));

  app.add_subcommand("version", "Print the version");

  // What follows exec's `--` is the command, untouched: CLI11 drops words of it after a
  // repeated option such as --env.
  const int parsed_argc = SplitCommand(argc, argv, exec_options.command);
  CLI11_PARSE(app, parsed_argc, argv);

  // --socket wins over the config and PEERSCOUT_SOCKET, for reloads too.
  if (*run) {
    return cli::Run(config_file,
                    socket_flag.empty() ? env : env.With("PEERSCOUT_SOCKET", socket_flag));
  }
  if (*check) return cli::CheckConfig(config_file, list_keys, env);
  if (*tag_for) return cli::TagFor(tag_options);
  if (*snippet) return cli::HeadscalePolicySnippet(config_file, snippet_options, env);
  if (app.got_subcommand("apps")) return cli::Apps(config_file, env);
  if (app.got_subcommand("version")) {
    std::printf("peerscout %s\n", PEERSCOUT_VERSION);
    return 0;
  }
  const std::string socket = cli::ResolveSocket(socket_flag, config_file, env);
  if (*peers) return cli::Peers(socket, peers_options);
  if (*watch) {
    return cli::Watch(socket, peers_options,
                      std::chrono::duration_cast<std::chrono::seconds>(ToMillis(watch_wait)));
  }
  if (*health) return cli::Health(socket);
  if (*status) return cli::Status(socket, status_options);
  if (*exec) {
    exec_options.wait = ToMillis(exec_wait);
    exec_options.fail_on_timeout = on_timeout == "fail";
    cli::SupervisorOptions& supervisor = exec_options.supervisor;
    supervisor.restart = *cli::ParseRestartPolicy(restart);
    supervisor.wait_min = ToMillis(wait_min);
    supervisor.wait_max = wait_max.empty() ? 4 * supervisor.wait_min : ToMillis(wait_max);
    supervisor.kill_timeout = ToMillis(kill_timeout);
    supervisor.kill_signal = cli::ParseSignal(kill_signal);
    if (supervisor.kill_signal == 0) {
      std::fprintf(stderr, "peerscout exec: --kill-signal %s: not a signal\n", kill_signal.c_str());
      return 64;
    }
    if (!exec_app.empty()) {
      auto profile = cli::FindApp(config_file, env, exec_app);
      if (!profile) return 64;
      exec_options.app = *profile;
    }
    return cli::Exec(socket, exec_options);
  }
  return 0;
}
