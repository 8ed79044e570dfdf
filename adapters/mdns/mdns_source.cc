#include "adapters/mdns/mdns_source.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "adapters/mdns/libp2p_message.h"
#include "adapters/mdns/service_txt.h"
#include "sidecar/config/config.h"
#include "sidecar/system/stop_event.h"

namespace peerscout::mdns {
namespace {

using namespace std::chrono_literals;

// Answers to a query arrive within a few hundred milliseconds; a peer silent this long after
// one has missed it.
constexpr auto kAnswerGrace = 3s;
// The first snapshot waits this long after our first query, so that it holds the answers.
constexpr auto kFirstAnswers = 1s;
constexpr auto kInterfaceRefresh = 10s;
constexpr auto kCounterPublish = 1s;

std::string HostName() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "peerscout";
  return name.data();
}

bool Contains(const std::vector<IpAddress>& addresses, const IpAddress& ip) {
  return std::find(addresses.begin(), addresses.end(), ip) != addresses.end();
}

std::string FamilyName(IpAddress::Family family) {
  return family == IpAddress::Family::kV6 ? "IPv6" : "IPv4";
}

std::string Joined(const std::vector<MulticastInterface>& interfaces) {
  std::string names;
  for (const MulticastInterface& interface : interfaces) {
    names += (names.empty() ? "" : ",") + interface.name;
  }
  return names.empty() ? "no interface" : names;
}

}  // namespace

// In the order of Backend's values: the option's choices and the names shown.
constexpr std::string_view kBackends[] = {"avahi", "dns_sd", "none"};

std::string_view BackendName(Backend backend) { return kBackends[static_cast<size_t>(backend)]; }

MdnsSource::MdnsSource(MdnsSourceOptions options, SelfView self)
    : options_(std::move(options)),
      self_(std::move(self)),
      peers_(options_.missed_queries, kAnswerGrace),
      local_peers_(options_.missed_queries, kAnswerGrace) {}

void MdnsSource::Run(std::stop_token stop, SnapshotSink& sink) {
  {
    std::lock_guard lock(mutex_);
    sink_ = &sink;
    libp2p_ready_ = !options_.libp2p;
    dns_sd_settled_ = options_.backend == Backend::kNone;
  }
  std::jthread dns_sd;
  if (options_.backend != Backend::kNone) {
    BackendOptions backend{options_.service_types, [this] { return WantedAdvertisement(); }};
    std::shared_ptr<ServiceBackend> browser = options_.backend == Backend::kAvahi
                                                  ? MakeAvahiBackend(std::move(backend))
                                                  : MakeDnsSdBackend(std::move(backend));
    dns_sd = std::jthread([this, browser](std::stop_token token) { browser->Run(token, *this); });
  }
  if (options_.libp2p) {
    RunLibp2p(stop);
  } else {
    while (!stop.stop_requested()) SleepUnlessStopped(std::chrono::hours(1), stop);
  }
  dns_sd.request_stop();
  dns_sd = {};  // joins: the backend withdraws our advertisement first
  std::lock_guard lock(mutex_);
  sink_ = nullptr;
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

void MdnsSource::Connected() {
  std::lock_guard lock(mutex_);
  // What was seen before stays until the first answers are in, so a daemon restart does not
  // flap every service out and back in.
  refreshing_ = true;
  refreshed_.clear();
  dns_sd_error_.clear();
}

void MdnsSource::Settled() {
  std::lock_guard lock(mutex_);
  if (refreshing_) services_.RetainOnly(refreshed_);
  refreshing_ = false;
  dns_sd_error_.clear();
  dns_sd_settled_ = true;
  PublishLocked();
}

void MdnsSource::Disconnected(const std::string& why) {
  std::lock_guard lock(mutex_);
  if (dns_sd_error_.empty()) dns_sd_lost_at_ = Clock::now();
  dns_sd_error_ = why;
  dns_sd_settled_ = true;  // it has had its look: the rest need not wait for it
  advertised_.clear();
  Count("dns_sd_disconnects");
  PublishLocked();
}

void MdnsSource::Found(const Announcement& announcement, ServiceInstance instance) {
  std::lock_guard lock(mutex_);
  services_.Resolved(announcement, std::move(instance));
  if (refreshing_) refreshed_.insert(announcement);
  if (dns_sd_settled_) PublishLocked();
}

void MdnsSource::Lost(const Announcement& announcement) {
  std::lock_guard lock(mutex_);
  services_.Removed(announcement);
  refreshed_.erase(announcement);
  if (dns_sd_settled_) PublishLocked();
}

void MdnsSource::Advertised(const std::string& name, const std::string& error) {
  std::lock_guard lock(mutex_);
  advertised_ = error.empty() ? name : "failed: " + error;
  if (!error.empty()) spdlog::warn("mdns: advertising '{}': {}", name, error);
  PublishLocked();
}

void MdnsSource::Count(const std::string& counter, uint64_t by) {
  counters_[counter] += by;
  counters_dirty_ = true;
}

void MdnsSource::PublishLocked() {
  if (sink_ == nullptr || !dns_sd_settled_ || !libp2p_ready_) return;
  const bool dns_sd_down = !dns_sd_error_.empty();
  const bool libp2p_down = options_.libp2p && libp2p_state_.rfind("failed", 0) == 0;
  if (dns_sd_down && Clock::now() - dns_sd_lost_at_ > options_.stale_after) services_.Clear();
  if ((options_.backend == Backend::kNone || dns_sd_down) && (!options_.libp2p || libp2p_down)) {
    // Nothing works: the registry keeps the last good peers, stale, until they expire.
    sink_->Fail(dns_sd_down ? dns_sd_error_ : libp2p_state_);
    counters_dirty_ = false;
    return;
  }
  Snapshot snapshot;
  services_.Fill(options_.selection, snapshot);
  if (dns_sd_down) {
    for (Observation& observation : snapshot.observations) observation.stale = true;
    snapshot.issues.push_back(
        {std::string(BackendName(options_.backend)), "dns-sd", dns_sd_error_});
  }
  for (Observation& observation : peers_.Observations()) {
    snapshot.observations.push_back(std::move(observation));
  }
  for (const Observation& local : local_peers_.Observations()) {
    snapshot.self.peer_ids.push_back(*local.identity.peer_id);
    for (const Endpoint& endpoint : local.addresses) {
      if (endpoint.transport == Transport::kTcp) snapshot.self.app_ports.push_back(endpoint.port);
    }
  }
  snapshot.details["backend"] = std::string(BackendName(options_.backend));
  if (options_.backend != Backend::kNone) {
    snapshot.details["dns_sd"] = dns_sd_down ? dns_sd_error_ : "browsing";
  }
  if (options_.advertise && !advertised_.empty()) snapshot.details["advertised"] = advertised_;
  if (options_.libp2p) snapshot.details["libp2p"] = libp2p_state_;
  if (libp2p_down) snapshot.issues.push_back({"libp2p", "mdns socket", libp2p_state_});
  snapshot.counters = counters_;
  counters_dirty_ = false;
  sink_->Publish(std::move(snapshot));
}

bool MdnsSource::IsOurApp(const Libp2pAnnouncement& announcement) const {
  // Several app instances on one host are told apart by [self] app_ports; without them, the
  // app answering from our host is ours.
  if (options_.own_app_ports.empty()) return true;
  return std::any_of(announcement.endpoints.begin(), announcement.endpoints.end(),
                     [this](const Endpoint& endpoint) {
                       return endpoint.transport == Transport::kTcp &&
                              std::find(options_.own_app_ports.begin(),
                                        options_.own_app_ports.end(),
                                        endpoint.port) != options_.own_app_ports.end();
                     });
}

void MdnsSource::Hear(const Datagram& datagram, const std::vector<IpAddress>& ours,
                      QuerySchedule& schedule, Clock::time_point now) {
  Count("packets_received");
  const bool from_us = Contains(ours, datagram.source);
  if (datagram.bytes.empty()) {
    Count("packets_dropped");
    spdlog::debug("mdns: dropped an oversized packet from {}", datagram.source.ToString());
    return;
  }
  ErrorOr<Libp2pMessage> message = ParseLibp2pMessage(datagram.bytes, datagram.source);
  if (!message) {
    Count("packets_dropped");
    spdlog::debug("mdns: dropped a packet from {}: {}", datagram.source.ToString(),
                  message.error());
    return;
  }
  for (const std::string& why : message->dropped) {
    Count("records_dropped");
    spdlog::debug("mdns: dropped a record from {}: {}", datagram.source.ToString(), why);
  }
  if (message->is_query) {
    // Another libp2p node is asking, most likely one that just started: ask too, so that it
    // answers us now rather than at our next round. Our own queries loop back from port 5353.
    const bool our_query = from_us && datagram.source_port == MulticastSocket::kPort;
    if (message->asks_for_peers && !our_query) schedule.Hurry(now);
    return;
  }
  bool changed = false;
  for (const Libp2pAnnouncement& announcement : message->announcements) {
    Count("libp2p_announcements");
    changed =
        (from_us && IsOurApp(announcement) ? local_peers_ : peers_).Heard(announcement, now) ||
        changed;
  }
  if (changed) PublishLocked();
}

bool MdnsSource::OpenSockets(std::vector<MulticastSocket>& sockets) {
  std::vector<IpAddress::Family> families{IpAddress::Family::kV4};
  if (options_.ipv6) families.push_back(IpAddress::Family::kV6);
  std::string failures;
  for (const IpAddress::Family family : families) {
    ErrorOr<MulticastSocket> opened = MulticastSocket::Open(family);
    if (opened) {
      sockets.push_back(std::move(opened).value());
    } else {
      failures +=
          std::string(failures.empty() ? "" : "; ") + FamilyName(family) + ": " + opened.error();
    }
  }
  if (!failures.empty()) spdlog::warn("mdns: {}", failures);
  if (!sockets.empty()) return true;
  std::lock_guard lock(mutex_);
  libp2p_state_ = "failed: " + failures;
  libp2p_ready_ = true;
  PublishLocked();
  return false;
}

void MdnsSource::TrackInterfaces(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
                                 Clock::time_point now) {
  const std::vector<MulticastInterface> interfaces = ListMulticastInterfaces(options_.interfaces);
  std::string state;
  for (MulticastSocket& socket : sockets) {
    const std::vector<MulticastInterface> before = socket.joined();
    for (const std::string& failure : socket.Track(interfaces)) spdlog::warn("mdns: {}", failure);
    if (socket.joined() != before) schedule.Hurry(now);  // a new network to ask
    state += std::string(state.empty() ? "" : "; ") + FamilyName(socket.family()) + " on " +
             Joined(socket.joined());
  }
  std::lock_guard lock(mutex_);
  libp2p_state_ = "listening: " + state;
}

void MdnsSource::SendQueries(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
                             Clock::time_point now) {
  static const std::vector<uint8_t> query = BuildLibp2pQuery();
  uint64_t sent = 0;
  for (MulticastSocket& socket : sockets) {
    const std::vector<std::string> failures = socket.SendToGroup(query);
    for (const std::string& failure : failures) spdlog::debug("mdns: {}", failure);
    sent += socket.joined().size() - failures.size();
  }
  std::lock_guard lock(mutex_);
  Count("queries_sent", sent);
  peers_.Queried(now);
  local_peers_.Queried(now);
  schedule.Sent(now);
}

void MdnsSource::RunLibp2p(std::stop_token stop) {
  StopEvent wake(stop);
  std::vector<MulticastSocket> sockets;
  QuerySchedule schedule(options_.query_interval, Clock::now());
  Clock::time_point refresh_at{};
  // One second after our first query, until the first snapshot with its answers is out (max:
  // not armed; a deadline left in the past would make every poll return at once).
  Clock::time_point ready_at = Clock::time_point::max();
  bool first_round = true;
  Clock::time_point counters_at{};
  std::vector<IpAddress> ours;
  while (!stop.stop_requested()) {
    Clock::time_point now = Clock::now();
    if (sockets.empty() && now >= refresh_at && !OpenSockets(sockets)) {
      refresh_at = now + options_.query_interval;
    }
    if (!sockets.empty() && now >= refresh_at) {
      TrackInterfaces(sockets, schedule, now);
      ours = self_().addresses;
      refresh_at = now + kInterfaceRefresh;
    }
    if (!sockets.empty() && now >= schedule.next()) {
      SendQueries(sockets, schedule, now);
      if (first_round && ready_at == Clock::time_point::max()) ready_at = now + kFirstAnswers;
    }
    Clock::time_point until =
        sockets.empty() ? refresh_at : std::min({schedule.next(), refresh_at, ready_at});
    {
      std::lock_guard lock(mutex_);
      if (now >= ready_at) {
        libp2p_ready_ = true;
        PublishLocked();
        ready_at = Clock::time_point::max();
        first_round = false;
      }
      const bool expired = peers_.Expire(now);
      if (local_peers_.Expire(now) || expired || (counters_dirty_ && now >= counters_at)) {
        counters_at = now + kCounterPublish;
        PublishLocked();
      }
      for (const Libp2pPeerTable* table : {&peers_, &local_peers_}) {
        if (auto deadline = table->NextDeadline()) until = std::min(until, *deadline);
      }
      if (counters_dirty_) until = std::min(until, counters_at);
    }
    std::vector<pollfd> fds{{wake.fd(), POLLIN, 0}};
    for (const MulticastSocket& socket : sockets) fds.push_back({socket.fd(), POLLIN, 0});
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    poll(fds.data(), fds.size(), static_cast<int>(std::clamp<int64_t>(wait.count(), 0, 60'000)));
    now = Clock::now();
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < sockets.size(); ++i) {
      if ((fds[i + 1].revents & POLLIN) == 0) continue;
      while (auto datagram = sockets[i].Receive()) Hear(*datagram, ours, schedule, now);
    }
  }
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
