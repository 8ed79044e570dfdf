#include "sidecar/runtime/connect_probes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace peerscout {
namespace {

socklen_t ToSockaddr(const IpAddress& ip, uint16_t port, sockaddr_storage& out) {
  out = {};
  if (ip.is_v4()) {
    auto& v4 = reinterpret_cast<sockaddr_in&>(out);
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&v4.sin_addr, ip.bytes(), 4);
    return sizeof(sockaddr_in);
  }
  auto& v6 = reinterpret_cast<sockaddr_in6&>(out);
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(port);
  std::memcpy(&v6.sin6_addr, ip.bytes(), 16);
  return sizeof(sockaddr_in6);
}

ProbeOutcome OutcomeOf(int error) {
  if (error == 0) return ProbeOutcome::kAnswered;
  // A reset is the host saying nothing listens there: an answer, not a loss.
  if (error == ECONNREFUSED) return ProbeOutcome::kRefused;
  if (error == ETIMEDOUT) return ProbeOutcome::kTimedOut;
  return ProbeOutcome::kFailed;
}

}  // namespace

ConnectProbes::~ConnectProbes() {
  for (const InFlight& probe : in_flight_) ::close(probe.fd);
}

void ConnectProbes::Start(const Endpoint& endpoint) {
  const Steady::time_point now = Steady::now();
  InFlight probe{endpoint, -1, now};
  const IpAddress* ip = endpoint.ip();
  if (ip == nullptr) {
    finished_.push_back({endpoint, ProbeOutcome::kFailed, {}, "not an IP address"});
    return;
  }
  sockaddr_storage address;
  const socklen_t length = ToSockaddr(*ip, endpoint.port, address);
  probe.fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe.fd < 0) {
    Finish(probe, ProbeOutcome::kFailed, errno, now);
    return;
  }
  if (::connect(probe.fd, reinterpret_cast<const sockaddr*>(&address), length) == 0) {
    Finish(probe, ProbeOutcome::kAnswered, 0, now);
  } else if (errno != EINPROGRESS) {
    const int error = errno;
    Finish(probe, OutcomeOf(error), error, now);
  } else {
    in_flight_.push_back(probe);
  }
}

void ConnectProbes::Finish(InFlight& probe, ProbeOutcome outcome, int error,
                           Steady::time_point now) {
  if (probe.fd >= 0) ::close(probe.fd);
  probe.fd = -1;
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(now - probe.started);
  finished_.push_back({probe.endpoint, outcome,
                       outcome == ProbeOutcome::kAnswered ? took : std::chrono::microseconds{0},
                       error != 0 ? std::strerror(error) : ""});
}

std::vector<ConnectProbes::Finished> ConnectProbes::Poll(std::chrono::milliseconds wait,
                                                         int wake_fd) {
  if (!finished_.empty()) wait = std::chrono::milliseconds(0);
  std::vector<pollfd> fds{{wake_fd, POLLIN, 0}};
  for (const InFlight& probe : in_flight_) fds.push_back({probe.fd, POLLOUT, 0});
  ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count())));
  const Steady::time_point now = Steady::now();
  for (size_t i = 0; i < in_flight_.size(); ++i) {
    InFlight& probe = in_flight_[i];
    if (fds[i + 1].revents != 0) {
      int error = 0;
      socklen_t size = sizeof(error);
      ::getsockopt(probe.fd, SOL_SOCKET, SO_ERROR, &error, &size);
      Finish(probe, OutcomeOf(error), error, now);
    } else if (now - probe.started >= timeout_) {
      Finish(probe, ProbeOutcome::kTimedOut, 0, now);
    }
  }
  std::erase_if(in_flight_, [](const InFlight& probe) { return probe.fd < 0; });
  return std::exchange(finished_, {});
}

ConnectProbes::Steady::time_point ConnectProbes::NextTimeout() const {
  Steady::time_point next = Steady::time_point::max();
  for (const InFlight& probe : in_flight_) next = std::min(next, probe.started + timeout_);
  return next;
}

}  // namespace peerscout
