#include "sidecar/config/config_schema.h"

#include <array>
#include <cstdlib>

namespace peerscout {
namespace {

using K = OptionKind;

constexpr std::string_view kLogLevels[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};
constexpr std::string_view kLogFormats[] = {"text", "json"};
constexpr std::string_view kTriState[] = {"any", "true", "false"};

constexpr OptionSpec kTopLevel[] = {
    {"runtime_dir", K::kString, "/run/peerscout",
     "Directory for the socket and for output paths that are not absolute."},
    {"app", K::kString, "generic",
     "The app whose peers these are: exo-libp2p, skulk, exo-zenoh, generic, or an [apps.<name>] "
     "of ours. It sets the defaults of the sources, the env output and peerscout exec."},
};

constexpr std::string_view kFamilies[] = {"any", "ipv4", "ipv6"};

// No defaults here: an unset key keeps the value of the profile it changes (or of `base`).
constexpr OptionSpec kApp[] = {
    {"base", K::kString, "",
     "The profile this one starts from; default: the built-in of the same name, else generic."},
    {"help", K::kString, "", "One line on the app, for peerscout apps."},
    {"variable", K::kString, "",
     "The variable peerscout exec sets and env outputs add, e.g. SKULK_BOOTSTRAP_PEERS."},
    {"format", K::kString, "",
     "The list format of the variable's value: exo, multiaddr, zenoh or lines."},
    {"app_port", K::kInteger, "",
     "The app's port on tailnet nodes whose tags carry none (the sources' app_port)."},
    {"tag_prefix", K::kString, "", "The tailnet tags' prefix (the sources' tag_prefix)."},
    {"service_type", K::kString, "", "The DNS-SD type the mdns source browses and advertises."},
    {"families", K::kString, "",
     "The address families the app dials: any, ipv4 or ipv6. ipv4 also turns the mdns "
     "source's ipv6 off.",
     kFamilies},
    {"refused_variables", K::kStringList, "",
     "Variables the app refuses to start with: peerscout exec never passes them on."},
};

constexpr OptionSpec kLog[] = {
    {"level", K::kString, "info", "Least severe level logged.", kLogLevels},
    {"format", K::kString, "text", "text, or json for one JSON object per line.", kLogFormats},
};

constexpr OptionSpec kServer[] = {
    {"socket", K::kString, "peerscout.sock",
     "Unix socket of the HTTP API; relative to runtime_dir. PEERSCOUT_SOCKET also sets it."},
    {"socket_mode", K::kFileMode, "0660", "Permissions of the socket file."},
    {"socket_group", K::kString, "", "Group owning the socket (name or number); empty: ours."},
    {"max_connections", K::kInteger, "1024",
     "Connections served at once. A new one beyond them makes the one idle longest give way; "
     "when none is idle, a request on it is answered 503 and closed."},
    {"threads", K::kInteger, "0",
     "Threads serving the API; 0: one per core, at most 4. Parked blocking queries take none."},
    {"connection_timeout", K::kDuration, "60s",
     "Idle time after which a connection is closed (a blocking query is not idle); whole "
     "seconds, and under 1 s never."},
    {"default_wait", K::kDuration, "5m", "Wait of a blocking query given ?index= but no ?wait=."},
    {"max_wait", K::kDuration, "10m", "Longest ?wait= a blocking query may ask for."},
};

constexpr OptionSpec kRegistry[] = {
    {"stale_after", K::kDuration, "10m",
     "How long a failing source's last good peers are served (marked stale) before they go."},
    {"startup_deadline", K::kDuration, "10s",
     "/v1/health turns 200 when every source has reported once, or after this long."},
};

constexpr OptionSpec kSelf[] = {
    {"peer_ids", K::kStringList, "", "Our app's own libp2p peer ids: never listed as peers."},
    {"addresses", K::kStringList, "",
     "Our own IP addresses beyond the interfaces' (a NAT or load-balancer address, say)."},
    {"app_ports", K::kStringList, "",
     "Ports our app listens on. Set them when several app instances share a host: then only "
     "these ports on our addresses are us. Empty: any port on our addresses is us."},
    {"local_subnets", K::kStringList, "",
     "Extra subnets counted as LAN when ranking addresses (the interfaces' own always are)."},
    {"prefer_ipv6", K::kBool, "false", "Rank IPv6 addresses before IPv4 within a class."},
    {"detect_interfaces", K::kBool, "true",
     "Read our addresses and subnets from the network interfaces."},
    {"interface_refresh", K::kDuration, "30s", "How often the interfaces are read again."},
};

constexpr OptionSpec kLiveness[] = {
    {"enabled", K::kBool, "false",
     "Probe every app endpoint (a TCP address with a port) that a source reports, with a TCP "
     "connect closed at once: an answer marks the address and its peer reachable, and ranks "
     "it first. Off: nobody is connected to (exo's instances are still marked by the exo "
     "source's own discovery answers)."},
    {"interval", K::kDuration, "10s", "Between two probes of one endpoint."},
    {"timeout", K::kDuration, "2s",
     "A connect unanswered this long is a miss; two misses in a row make the endpoint "
     "unreachable, a refused connect at once."},
    {"per_second", K::kInteger, "20", "Probes started per second, all endpoints together."},
};

constexpr OptionSpec kOutput[] = {
    {"path", K::kString, "", "File to write; relative to runtime_dir. Required."},
    {"format", K::kString, "",
     "Output format: json, multiaddr, exo, zenoh, lines, env, hosts or file_sd. Required."},
    {"mode", K::kFileMode, "0644", "Permissions of the file."},
    {"separator", K::kString, "",
     "Between entries of a list format (multiaddr, lines); default newline."},
    {"vars", K::kStringMap, "",
     "env format: variables besides PEERSCOUT_PEERS and the list format of each, e.g. "
     "{ EXO_BOOTSTRAP_PEERS = \"exo\" }; default: the app profile's variable."},
    {"sources", K::kStringList, "", "Only peers seen by one of these sources."},
    {"online", K::kString, "any", "Only online (true) or offline (false) peers.", kTriState},
    {"reachable", K::kString, "any",
     "Only peers with an address that answered a probe (true), or the others (false); see "
     "[liveness].",
     kTriState},
};

constexpr OptionSpec kTemplate[] = {
    {"source", K::kString, "",
     "Mustache template file; relative to the config file's directory. Required. Read (and "
     "checked) when the config is loaded and on every reload."},
    {"destination", K::kString, "", "File to write; relative to runtime_dir. Required."},
    {"mode", K::kFileMode, "0644", "Permissions of the file."},
    {"command", K::kStringList, "",
     "Run (argv, no shell) after the file was replaced; empty: none. Changes while it runs "
     "make it run once more when it ends."},
    {"command_timeout", K::kDuration, "30s",
     "A command running longer is stopped (SIGTERM, then SIGKILL) and counted as failed."},
    {"sources", K::kStringList, "", "Only peers seen by one of these sources."},
    {"online", K::kString, "any", "Only online (true) or offline (false) peers.", kTriState},
    {"reachable", K::kString, "any",
     "Only peers with an address that answered a probe (true), or the others (false); see "
     "[liveness].",
     kTriState},
};

constexpr std::array kSections{
    SectionSpec{"", "Top-level keys.", kTopLevel},
    SectionSpec{"apps", "App profiles of our own, or changes to a built-in one.", kApp, false,
                true},
    SectionSpec{"log", "Logging.", kLog},
    SectionSpec{"server", "The HTTP API on a Unix socket.", kServer},
    SectionSpec{"registry", "Keeping peers through source failures.", kRegistry},
    SectionSpec{"self", "Who we are, so our own node is never listed.", kSelf},
    SectionSpec{"liveness", "Probing the apps' ports: which peers answer.", kLiveness},
    SectionSpec{"output", "Files written on every change, one [[output]] table each.", kOutput,
                true},
    SectionSpec{"template", "Mustache templates rendered on every change, one [[template]] each.",
                kTemplate, true},
};

}  // namespace

std::span<const SectionSpec> CoreSections() { return kSections; }

const SectionSpec& FindSection(std::string_view name) {
  for (const SectionSpec& section : kSections) {
    if (section.name == name) return section;
  }
  std::abort();  // a section name is a compile-time constant of ours
}

}  // namespace peerscout
