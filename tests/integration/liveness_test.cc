// [liveness] against real sockets: a peer whose app port is closed is unreachable within one
// probe interval and reachable again once it listens; ranking, ?reachable=, the metrics and
// `peerscout exec --reachable` follow. Every probe goes to 127.0.0.x.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/integration/sidecar_process.h"
#include "tests/integration/sidecar_queries.h"

namespace peerscout::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

// A TCP listener on 127.0.0.3, on a port the kernel picks; it can close and listen again on
// that port.
class AppPort {
 public:
  AppPort() { Listen(0); }
  ~AppPort() { Close(); }
  uint16_t port() const { return port_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Listen(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.3", &address.sin_addr);
    ASSERT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(::listen(fd_, 64), 0);
    socklen_t size = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A port on 127.0.0.2 that nothing listens on: bound, never listened, so no one else takes it.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.2", &address.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t size = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~ClosedPort() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

constexpr auto kInterval = milliseconds(500);

class LivenessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    live_ = "127.0.0.3:" + std::to_string(app_.port());
    dead_ = "127.0.0.2:" + std::to_string(closed_.port());
    other_ = "127.0.0.4:" + std::to_string(closed_.port());
    // One peer with a closed address beside the live one (first by text, so only reachability
    // ranks the live one first), one with only a closed one.
    const std::string config = R"(
[registry]
startup_deadline = "0s"
[liveness]
enabled = true
interval = "500ms"
timeout = "200ms"
[[static]]
addresses = [")" + dead_ + R"(", ")" +
                               live_ + R"("]
[[static]]
address = ")" + other_ + R"("
)";
    sidecar_.emplace(directory_, SidecarProcess::Options{config, {}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  // The peers' `reachable` and first address, as "first=true|false|null" lines in id order.
  std::string Reachability() const {
    auto reply = sidecar_->Get("/v1/peers");
    if (!reply) return "";
    const rapidjson::Document document = Json(reply->body);
    if (document.HasParseError() || !document.IsObject()) return "";
    std::string text;
    for (const auto& peer : document["peers"].GetArray()) {
      const auto& first = peer["addresses"][0];
      text += std::string(first["host"].GetString()) + ":" +
              std::to_string(first["port"].GetUint()) + "=" +
              (peer["reachable"].IsNull()    ? "null"
               : peer["reachable"].GetBool() ? "true"
                                             : "false") +
              "\n";
    }
    return text;
  }

  // Waits until Reachability() is `want`; how long it took, or -1.
  double WaitFor(const std::string& want, seconds timeout = seconds(10)) const {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < timeout) {
      if (Reachability() == want) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return -1;
  }

  AppPort app_;
  ClosedPort closed_;
  std::string live_;
  std::string dead_;
  std::string other_;
  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(LivenessTest, AClosedPortIsUnreachableWithinAnIntervalAndBackWhenItListens) {
  const std::string up = live_ + "=true\n" + other_ + "=false\n";
  ASSERT_GE(WaitFor(up), 0) << Reachability() << sidecar_->Log();

  app_.Close();
  const double down_after = WaitFor(dead_ + "=false\n" + other_ + "=false\n");
  ASSERT_GE(down_after, 0) << Reachability();
  // A refused connect decides at once: the next probe, at most one interval on (plus the
  // list's one-second refresh of nothing here, and scheduling slack under sanitizers).
  EXPECT_LT(down_after, 3 * std::chrono::duration<double>(kInterval).count() + 2.0);

  app_.Listen(app_.port());
  EXPECT_GE(WaitFor(up), 0) << Reachability();
}

TEST_F(LivenessTest, FiltersMetricsAndExecCountOnlyWhatAnswered) {
  ASSERT_GE(WaitFor(live_ + "=true\n" + other_ + "=false\n"), 0) << Reachability();
  auto reachable = sidecar_->Get("/v1/peers?format=lines&reachable=true");
  ASSERT_TRUE(reachable);
  EXPECT_EQ(reachable->body, live_ + "\n") << "the peer, by the address that answered";
  auto others = sidecar_->Get("/v1/peers?format=lines&reachable=false");
  ASSERT_TRUE(others);
  EXPECT_EQ(others->body, other_ + "\n");

  auto metrics = sidecar_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("peerscout_peers_reachable{state=\"reachable\"} 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("peerscout_peers_reachable{state=\"unreachable\"} 1\n"));
  EXPECT_THAT(metrics->body,
              Not(HasSubstr("peerscout_liveness_probes_total{outcome=\"answered\"} 0\n")));
  EXPECT_THAT(metrics->body,
              Not(HasSubstr("peerscout_liveness_probes_total{outcome=\"refused\"} 0\n")));

  const std::vector<std::string> exec{"--socket",    sidecar_->socket(), "exec",   "--env",
                                      "PEERS=lines", "--reachable",      "--wait", "2s"};
  auto too_few = exec;
  too_few.insert(too_few.end(), {"--min-peers", "2", "--on-timeout", "fail", "--", "true"});
  const ProcessResult refused = RunPeerscout(too_few);
  EXPECT_EQ(refused.exit_code, 75) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("1 of 2 reachable peers"));
  auto enough = exec;
  enough.insert(enough.end(), {"--min-peers", "1", "--", "sh", "-c", "printf %s \"$PEERS\""});
  const ProcessResult started = RunPeerscout(enough);
  EXPECT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(started.out, live_) << "only the reachable peer is handed on";
}

}  // namespace
}  // namespace peerscout::testing
