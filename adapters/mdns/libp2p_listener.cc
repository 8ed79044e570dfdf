#include "adapters/mdns/libp2p_listener.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "adapters/mdns/libp2p_message.h"
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

// Until `until`, a datagram or stop: the poll's results, `wake` first, then one per socket.
std::vector<pollfd> Wait(const StopEvent& wake, const std::vector<MulticastSocket>& sockets,
                         Clock::time_point until) {
  std::vector<pollfd> fds{{wake.fd(), POLLIN, 0}};
  for (const MulticastSocket& socket : sockets) fds.push_back({socket.fd(), POLLIN, 0});
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
  poll(fds.data(), fds.size(), static_cast<int>(std::clamp<int64_t>(wait.count(), 0, 60'000)));
  return fds;
}

}  // namespace

Libp2pListener::Libp2pListener(Libp2pListenerOptions options, SelfView self,
                               std::function<void()> changed)
    : options_(std::move(options)),
      self_(std::move(self)),
      changed_(std::move(changed)),
      peers_(options_.missed_queries, kAnswerGrace),
      local_peers_(options_.missed_queries, kAnswerGrace) {}

void Libp2pListener::ResetFirstLook() {
  std::lock_guard lock(mutex_);
  ready_ = false;
}

Libp2pListener::View Libp2pListener::Look() const {
  std::lock_guard lock(mutex_);
  if (!ready_) return {};
  View view{true, state_, peers_.Observations(), {}, counters_, counts_};
  for (const Observation& local : local_peers_.Observations()) {
    view.local_app.peer_ids.push_back(*local.identity.peer_id);
    for (const Endpoint& endpoint : local.addresses) {
      if (endpoint.transport == Transport::kTcp) view.local_app.app_ports.push_back(endpoint.port);
    }
  }
  return view;
}

void Libp2pListener::CountersSent(uint64_t counts) {
  std::lock_guard lock(mutex_);
  counts_sent_ = std::max(counts_sent_, counts);
}

void Libp2pListener::Count(const std::string& counter, uint64_t by) {
  counters_[counter] += by;
  ++counts_;
}

bool Libp2pListener::IsOurApp(const Libp2pAnnouncement& announcement) const {
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

bool Libp2pListener::Hear(const Datagram& datagram, const std::vector<IpAddress>& ours,
                          QuerySchedule& schedule, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Count("packets_received");
  const bool from_us = Contains(ours, datagram.source);
  if (datagram.bytes.empty()) {
    Count("packets_dropped");
    spdlog::debug("mdns: dropped an oversized packet from {}", datagram.source.ToString());
    return false;
  }
  ErrorOr<Libp2pMessage> message = ParseLibp2pMessage(datagram.bytes, datagram.source);
  if (!message) {
    Count("packets_dropped");
    spdlog::debug("mdns: dropped a packet from {}: {}", datagram.source.ToString(),
                  message.error());
    return false;
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
    return false;
  }
  bool changed = false;
  for (const Libp2pAnnouncement& announcement : message->announcements) {
    Count("libp2p_announcements");
    changed =
        (from_us && IsOurApp(announcement) ? local_peers_ : peers_).Heard(announcement, now) ||
        changed;
  }
  return changed;
}

bool Libp2pListener::OpenSockets(std::vector<MulticastSocket>& sockets) {
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
  {
    std::lock_guard lock(mutex_);
    state_ = "failed: " + failures;
    ready_ = true;
  }
  changed_();
  return false;
}

void Libp2pListener::TrackInterfaces(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
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
  state_ = "listening: " + state;
}

void Libp2pListener::SendQueries(std::vector<MulticastSocket>& sockets, QuerySchedule& schedule,
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

void Libp2pListener::BecomeReady() {
  {
    std::lock_guard lock(mutex_);
    ready_ = true;
  }
  changed_();
}

bool Libp2pListener::ExpireDue(Clock::time_point now, Clock::time_point counters_at) {
  std::lock_guard lock(mutex_);
  const bool expired = peers_.Expire(now);
  return local_peers_.Expire(now) || expired || (counts_ != counts_sent_ && now >= counters_at);
}

Clock::time_point Libp2pListener::NextWake(Clock::time_point until,
                                           Clock::time_point counters_at) const {
  std::lock_guard lock(mutex_);
  for (const Libp2pPeerTable* table : {&peers_, &local_peers_}) {
    if (auto deadline = table->NextDeadline()) until = std::min(until, *deadline);
  }
  if (counts_ != counts_sent_) until = std::min(until, counters_at);
  return until;
}

void Libp2pListener::Run(std::stop_token stop) {
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
    if (now >= ready_at) {
      BecomeReady();
      ready_at = Clock::time_point::max();
      first_round = false;
    }
    if (ExpireDue(now, counters_at)) {
      counters_at = now + kCounterPublish;
      changed_();
    }
    const std::vector<pollfd> fds = Wait(wake, sockets, NextWake(until, counters_at));
    now = Clock::now();
    for (size_t i = 0; i < sockets.size(); ++i) {
      if ((fds[i + 1].revents & POLLIN) == 0) continue;
      while (auto datagram = sockets[i].Receive()) {
        if (Hear(*datagram, ours, schedule, now)) changed_();
      }
    }
  }
}

}  // namespace peerscout::mdns
