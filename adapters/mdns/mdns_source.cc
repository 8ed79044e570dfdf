#include "adapters/mdns/mdns_source.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "adapters/mdns/service_txt.h"
#include "sidecar/config/config.h"

namespace peerscout::mdns {
namespace {

std::string HostName() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "peerscout";
  return name.data();
}

Libp2pListenerOptions ListenerOptions(const MdnsSourceOptions& options) {
  return {options.ipv6, options.interfaces, options.query_interval, options.missed_queries,
          options.own_app_ports};
}

}  // namespace

// In the order of Backend's values: the option's choices and the names shown.
constexpr std::string_view kBackends[] = {"avahi", "dns_sd", "none"};

std::string_view BackendName(Backend backend) { return kBackends[static_cast<size_t>(backend)]; }

MdnsSource::MdnsSource(MdnsSourceOptions options, SelfView self)
    : options_(std::move(options)),
      self_(std::move(self)),
      browser_(options_.selection, options_.stale_after, [this] { Publish(); }),
      listener_(ListenerOptions(options_), self_, [this] { Publish(); }) {}

void MdnsSource::Run(std::stop_token stop, SnapshotSink& sink) {
  {
    std::lock_guard lock(sink_mutex_);
    sink_ = &sink;
  }
  browser_.ResetFirstLook();
  listener_.ResetFirstLook();
  std::jthread dns_sd;
  if (options_.backend != Backend::kNone) {
    dns_sd = std::jthread(
        [this, backend = MakeBackend()](std::stop_token token) { backend->Run(token, browser_); });
  }
  if (options_.libp2p) {
    listener_.Run(stop);
  } else {
    while (!stop.stop_requested()) SleepUnlessStopped(std::chrono::hours(1), stop);
  }
  dns_sd.request_stop();
  dns_sd = {};  // joins: the backend withdraws our advertisement first
  std::lock_guard lock(sink_mutex_);
  sink_ = nullptr;
}

std::unique_ptr<ServiceBackend> MdnsSource::MakeBackend() const {
  BackendOptions backend{options_.service_types, [this] { return WantedAdvertisement(); }};
  if (options_.backend == Backend::kAvahi) return MakeAvahiBackend(std::move(backend));
  return MakeDnsSdBackend(std::move(backend));
}

std::optional<Advertisement> MdnsSource::WantedAdvertisement() const {
  if (!options_.advertise) return std::nullopt;
  const SelfIdentity self = self_();
  ServiceTxt txt;
  if (!self.peer_ids.empty()) txt.peer_id = self.peer_ids.front();
  if (!self.app_ports.empty()) txt.port = self.app_ports.front();
  txt.app = options_.app;
  if (!self.tailnet_nodes.empty()) txt.tailnet_node = self.tailnet_nodes.front();
  Advertisement advertisement;
  advertisement.name = options_.advertise_name.empty() ? HostName() : options_.advertise_name;
  advertisement.type = options_.advertise_type;
  advertisement.port = txt.port.value_or(0);
  advertisement.txt = WriteServiceTxt(txt);
  return advertisement;
}

void MdnsSource::Publish() {
  std::lock_guard lock(sink_mutex_);
  if (sink_ == nullptr) return;
  Libp2pListener::View libp2p;
  if (options_.libp2p) {
    libp2p = listener_.Look();
    if (!libp2p.ready) return;
  }
  DnsSdBrowser::View dns_sd;
  if (options_.backend != Backend::kNone) {
    dns_sd = browser_.Look(Clock::now());
    if (!dns_sd.settled) return;
  }
  const uint64_t counts = libp2p.counts;
  if ((options_.backend == Backend::kNone || dns_sd.away()) &&
      (!options_.libp2p || libp2p.failed())) {
    // Nothing works: the registry keeps the last good peers, stale, until they expire.
    sink_->Fail(dns_sd.away() ? dns_sd.error : libp2p.state);
  } else {
    sink_->Publish(Combined(std::move(dns_sd), std::move(libp2p)));
  }
  listener_.CountersSent(counts);
}

Snapshot MdnsSource::Combined(DnsSdBrowser::View dns_sd, Libp2pListener::View libp2p) const {
  Snapshot snapshot;
  snapshot.observations = std::move(dns_sd.services);
  snapshot.issues = std::move(dns_sd.refused);
  if (dns_sd.away()) {
    snapshot.issues.push_back({std::string(BackendName(options_.backend)), "dns-sd", dns_sd.error});
  }
  for (Observation& observation : libp2p.peers) {
    snapshot.observations.push_back(std::move(observation));
  }
  snapshot.self = std::move(libp2p.local_app);
  snapshot.details["backend"] = std::string(BackendName(options_.backend));
  if (options_.backend != Backend::kNone) {
    snapshot.details["dns_sd"] = dns_sd.away() ? dns_sd.error : "browsing";
  }
  if (options_.advertise && !dns_sd.advertised.empty()) {
    snapshot.details["advertised"] = dns_sd.advertised;
  }
  if (options_.libp2p) snapshot.details["libp2p"] = libp2p.state;
  if (options_.libp2p && libp2p.failed())
    snapshot.issues.push_back({"libp2p", "mdns socket", libp2p.state});
  snapshot.counters = std::move(dns_sd.counters);
  snapshot.counters.merge(libp2p.counters);
  return snapshot;
}

namespace {

constexpr OptionSpec kOptions[] = {
    {"backend", OptionKind::kString, "avahi",
     "How DNS-SD is spoken: avahi (avahi-daemon over D-Bus), dns_sd (the dns_sd API: "
     "mDNSResponder, or avahi-compat), or none (libp2p discovery only).",
     kBackends},
    {"service_types",
     OptionKind::kStringList,
     "_peerscout._tcp",
     "DNS-SD service types to browse. TXT keys peer_id, port, app and tailnet_node are read. "
     "Default: the app's service type.",
     {},
     false,
     AppField::kServiceType},
    {"apps", OptionKind::kStringList, "",
     "Only services whose TXT app is one of these; empty: every service found."},
    {"advertise", OptionKind::kBool, "true",
     "Advertise our node over DNS-SD (withdrawn on shutdown), so that sidecars on the LAN find "
     "each other even when the app does not announce itself."},
    {"advertise_type",
     OptionKind::kString,
     "_peerscout._tcp",
     "The service type we advertise; default: the app's.",
     {},
     false,
     AppField::kServiceType},
    {"advertise_name", OptionKind::kString, "", "Our service's name; empty: the host name."},
    {"app",
     OptionKind::kString,
     "",
     "Our app's name, advertised in the TXT key app; default: the app profile's name (none for "
     "generic).",
     {},
     false,
     AppField::kAppName},
    {"libp2p", OptionKind::kBool, "true",
     "Discover libp2p peers (exo, Skulk, go-libp2p) by their `_p2p._udp.local` mDNS, on a "
     "socket of ours beside avahi-daemon, which cannot see them."},
    {"ipv6",
     OptionKind::kBool,
     "true",
     "Also listen and ask on IPv6 (ff02::fb); exo's own mDNS is IPv4 only. Default: false for "
     "an app that dials IPv4 only.",
     {},
     false,
     AppField::kIpv6},
    {"interfaces", OptionKind::kStringList, "",
     "Interfaces to query and listen on; empty: every multicast-capable one but loopback."},
    {"query_interval", OptionKind::kDuration, "60s",
     "How often libp2p peers are asked for, after a quick few at start; another node's "
     "query makes us ask at once."},
    {"missed_queries", OptionKind::kInteger, "2",
     "Drop a libp2p peer that has not answered this many of our queries in a row, instead of "
     "trusting its TTL (exo's is 2,500 s); 0 trusts the TTL."},
};

Backend ParseBackend(const std::string& text) {
  for (size_t i = 0; i < std::size(kBackends); ++i) {
    if (kBackends[i] == text) return static_cast<Backend>(i);
  }
  return Backend::kAvahi;  // the option's choices let nothing else through
}

// A DNS-SD service type: "_name._tcp" or "_name._udp" (RFC 6763 §7).
bool IsServiceType(std::string_view type) {
  if (type.size() < 7 || type.size() > 70 || type.front() != '_') return false;
  const std::string_view protocol = type.substr(type.size() - 5);
  if (protocol != "._tcp" && protocol != "._udp") return false;
  const std::string_view name = type.substr(1, type.size() - 6);
  return !name.empty() && name.size() <= 15 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

ErrorOr<std::shared_ptr<Source>> Create(const SourceContext& context) {
  using Result = ErrorOr<std::shared_ptr<Source>>;
  const OptionValues& values = context.source.options;
  const auto refuse = [&values](std::string_view key, const std::string& reason) {
    return Result::Error("mdns: " + std::string(key) + ": " + reason + " (" + values.Origin(key) +
                         ")");
  };
  MdnsSourceOptions options;
  options.backend = ParseBackend(values.Get<std::string>("backend"));
  options.service_types = values.Get<std::vector<std::string>>("service_types");
  options.selection.apps = values.Get<std::vector<std::string>>("apps");
  options.advertise = values.Get<bool>("advertise") && options.backend != Backend::kNone;
  options.advertise_type = values.Get<std::string>("advertise_type");
  std::vector<std::pair<std::string_view, std::string>> types{
      {"advertise_type", options.advertise_type}};
  for (const std::string& type : options.service_types) types.emplace_back("service_types", type);
  for (const auto& [key, type] : types) {
    if (!IsServiceType(type)) return refuse(key, "'" + type + "' is not _name._tcp or _name._udp");
  }
  options.advertise_name = values.Get<std::string>("advertise_name");
  if (options.advertise_name.size() > 63) return refuse("advertise_name", "longer than 63 bytes");
  options.app = values.Get<std::string>("app");
  ServiceTxt probe = ReadServiceTxt(std::vector<std::string>{"app=" + options.app});
  if (!options.app.empty() && !probe.refused.empty()) {
    return refuse("app", "letters, digits, '.', '_' and '-' only, at most 64");
  }
  options.libp2p = values.Get<bool>("libp2p");
  options.ipv6 = values.Get<bool>("ipv6");
  options.interfaces = values.Get<std::vector<std::string>>("interfaces");
  options.query_interval = values.Get<Duration>("query_interval");
  if (options.query_interval < std::chrono::seconds(1)) {
    return refuse("query_interval", "must be at least 1s");
  }
  const int64_t missed = values.Get<int64_t>("missed_queries");
  if (missed < 0 || missed > 100) return refuse("missed_queries", "must be 0 to 100");
  options.missed_queries = static_cast<int>(missed);
  options.stale_after = context.config.registry.stale_after;
  options.own_app_ports = context.config.self.app_ports;
  if (options.backend == Backend::kDnsSd) {
    // avahi-compat prints a three-line warning to stderr on first use, which would break JSON
    // logs. Set once, before any source thread runs (the first config load), so no getenv races.
    static std::once_flag quiet;
    std::call_once(quiet, [] { setenv("AVAHI_COMPAT_NOWARN", "1", 0); });
  }
  if (options.backend == Backend::kNone && !options.libp2p) {
    return refuse("backend", "backend = \"none\" with libp2p = false leaves nothing to do");
  }
  return std::shared_ptr<Source>(std::make_shared<MdnsSource>(std::move(options), context.self));
}

}  // namespace

const SourceFactory& Factory() {
  static const SourceFactory factory{
      "mdns",
      "The LAN over multicast DNS: DNS-SD services (Avahi or dns_sd), our own node advertised "
      "as one, and libp2p peers such as exo and Skulk, which announce `_p2p._udp.local` in a "
      "form only a socket of our own hears.",
      kOptions,
      true,
      Create,
  };
  return factory;
}

}  // namespace peerscout::mdns
