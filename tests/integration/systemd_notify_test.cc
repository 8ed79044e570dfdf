// `peerscout run` under a Type=notify unit, with the test as the service manager: it binds the
// datagram socket systemd would and reads what sd_notify sends there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/sidecar_process.h"
#include "tests/integration/sidecar_queries.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Our own source gives the test a window before readiness: the tailscale source's command
// answers (with a failure) only after two seconds, so /v1/health says 503 until then.
std::string Config(const std::vector<std::string>& peers) {
  std::string config = R"(
[self]
detect_interfaces = false

[sources.env]
enabled = true

[sources.tailscale]
mode = "cli"
command = ["/bin/sh", "-c", "sleep 2; exit 1"]
poll_interval = "1h"

[[output]]
path = "out/peers.exo"
format = "exo"
)";
  for (const std::string& peer : peers) config += "\n[[static]]\naddress = \"" + peer + "\"\n";
  return config;
}

uint64_t MonotonicMicros() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
}

// The NOTIFY_SOCKET end: one datagram per sd_notify call.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }

  // The next message, or "" when none came within `timeout`.
  std::string Next(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    if (!kept_.empty()) {
      std::string message = std::move(kept_.front());
      kept_.pop_front();
      return message;
    }
    timeval limit{static_cast<time_t>(timeout.count() / 1000),
                  static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    char buffer[4096];
    const ssize_t length = ::recv(fd_, buffer, sizeof buffer, 0);
    return length > 0 ? std::string(buffer, static_cast<size_t>(length)) : "";
  }

  // Every message already waiting.
  std::vector<std::string> Drain() {
    std::vector<std::string> messages(kept_.begin(), kept_.end());
    kept_.clear();
    char buffer[4096];
    for (ssize_t length; (length = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT)) > 0;) {
      messages.emplace_back(buffer, static_cast<size_t>(length));
    }
    return messages;
  }

  // Messages taken by Drain that Next should still return.
  void Keep(std::vector<std::string>::const_iterator begin,
            std::vector<std::string>::const_iterator end) {
    kept_.insert(kept_.end(), begin, end);
  }

  // Reads until a message starting with `prefix`; the messages before it go into `skipped`.
  std::string Until(const std::string& prefix, std::vector<std::string>* skipped = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string message = Next(std::chrono::milliseconds(500));
      if (message.rfind(prefix, 0) == 0) return message;
      if (!message.empty() && skipped != nullptr) skipped->push_back(message);
    }
    return "";
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
  std::deque<std::string> kept_;
};

class SystemdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(notify_.bound()) << std::strerror(errno);
    sidecar_.emplace(directory_, SidecarProcess::Options{Config({"/ip4/10.88.0.2/tcp/52416"}),
                                                         {{"NOTIFY_SOCKET", notify_.path()}},
                                                         {}});
  }

  // Until READY=1: each time, what had arrived before a health request, and its status.
  void WaitForReady() {
    bool saw_starting = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::vector<std::string> before = notify_.Drain();
      const auto ready = std::find(before.begin(), before.end(), "READY=1");
      auto health = sidecar_->Get("/v1/health", std::chrono::seconds(5));
      if (ready != before.end()) {
        statuses_.insert(statuses_.end(), before.begin(), ready);
        notify_.Keep(ready + 1, before.end());
        // Sent before that request, so it must already be healthy, with the file written.
        ASSERT_TRUE(health) << health.error();
        EXPECT_EQ(health->status, 200) << health->body;
        EXPECT_EQ(directory_.Read("out/peers.exo"), "/ip4/10.88.0.2/tcp/52416");
        EXPECT_TRUE(saw_starting) << "READY=1 before the API answered at all";
        return;
      }
      if (health && health->status == 503) saw_starting = true;
      for (const std::string& message : before) statuses_.push_back(message);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "no READY=1\n" << sidecar_->Log();
  }

  TestDirectory directory_;
  NotifySocket notify_{directory_ / "notify.sock"};
  std::optional<SidecarProcess> sidecar_;
  std::vector<std::string> statuses_;  // messages before READY=1
};

TEST_F(SystemdNotifyTest, ReadyComesOnceTheApiIsHealthyAndTheFilesAreWritten) {
  WaitForReady();
  EXPECT_THAT(statuses_, ::testing::Contains("STATUS=starting: waiting for tailscale"));
  // Then the static peer, and the tailscale source that failed: said as soon as it is healthy,
  // which may be just before the files are written and READY=1 goes out.
  const auto status = MatchesRegex("STATUS=1 peer \\(version [0-9]+\\); failing: tailscale; 1 ok");
  const bool before_ready = std::any_of(statuses_.begin(), statuses_.end(), [&](const auto& line) {
    return ::testing::Matches(status)(line);
  });
  EXPECT_TRUE(before_ready || ::testing::Matches(status)(notify_.Until("STATUS=1 peer ")))
      << ::testing::PrintToString(statuses_);
}

TEST_F(SystemdNotifyTest, SighupIsReloadingWithItsTimeThenReady) {
  WaitForReady();

  sidecar_->RewriteConfig(Config({"/ip4/10.88.0.2/tcp/52416", "/ip4/10.88.0.3/tcp/52416"}));
  const uint64_t before = MonotonicMicros();
  sidecar_->Signal(SIGHUP);
  const std::string reloading = notify_.Until("RELOADING=1");
  const uint64_t after = MonotonicMicros();
  ASSERT_THAT(reloading, MatchesRegex("RELOADING=1\nMONOTONIC_USEC=[0-9]+"));
  // The same clock as ours, read between the signal and its message.
  const std::string field = "MONOTONIC_USEC=";
  const uint64_t stamp = std::stoull(reloading.substr(reloading.find(field) + field.size()));
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, after);
  EXPECT_EQ(notify_.Next(), "READY=1");
  // READY=1 says the new config is applied; its sources then report as they do at start.
  EXPECT_TRUE(Eventually([&] {
    auto peers = sidecar_->Get("/v1/peers?format=exo");
    return peers && peers->body == "/ip4/10.88.0.2/tcp/52416,/ip4/10.88.0.3/tcp/52416";
  })) << sidecar_->Log();

  // A refused config is a finished reload too, and the status line says so.
  sidecar_->RewriteConfig("[registry]\nstale_after = \"soon\"\n");
  notify_.Drain();  // the first reload's status lines
  sidecar_->Signal(SIGHUP);
  EXPECT_THAT(notify_.Until("RELOADING=1"), HasSubstr("MONOTONIC_USEC="));
  EXPECT_EQ(notify_.Next(), "READY=1");
  EXPECT_THAT(notify_.Until("STATUS="), HasSubstr("; last reload refused"));
}

TEST_F(SystemdNotifyTest, SigtermSaysStoppingBeforeItExits) {
  WaitForReady();
  sidecar_->Signal(SIGTERM);
  std::vector<std::string> skipped;
  EXPECT_EQ(notify_.Until("STOPPING=1", &skipped), "STOPPING=1");
  EXPECT_EQ(sidecar_->WaitForExit(), 0);
  for (const std::string& message : skipped) EXPECT_THAT(message, HasSubstr("STATUS="));
}

// A SIGHUP while sources are still starting is no reload to systemd: READY=1 still waits.
TEST_F(SystemdNotifyTest, SighupBeforeReadyDoesNotAnnounceReadiness) {
  ASSERT_TRUE(sidecar_->WaitUntilServing()) << sidecar_->Log();
  auto health = sidecar_->Get("/v1/health");
  ASSERT_TRUE(health && health->status == 503)
      << "healthy already: the source's sleep is too short";
  sidecar_->Signal(SIGHUP);
  WaitForReady();
  for (const std::string& message : statuses_) EXPECT_THAT(message, HasSubstr("STATUS="));
}

}  // namespace
}  // namespace peerscout::testing
