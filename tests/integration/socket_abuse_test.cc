// Abusive clients on the API's socket: a thousand idle connections, slowloris clients, a
// megabyte of headers, clients that never read a large response. Each time a normal client
// still gets its whole answer, the sidecar's memory stays bounded, and the API answers as
// before once the abusers are gone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Far above what serving these abusers costs, far below a copy of a 3.4 MB body per client.
constexpr long kGenerousGrowthKb = 64L * 1024;

// One connected socket, closed with its owner.
class RawClient {
 public:
  explicit RawClient(const std::string& socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // False once the server has closed its end (or on any other error).
  bool Send(std::string_view bytes) const {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // What arrives until the server closes or is quiet for a second.
  std::string ReadReply() const {
    timeval timeout{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string reply;
    char buffer[4096];
    ssize_t n;
    while ((n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0) {
      reply.append(buffer, static_cast<size_t>(n));
    }
    return reply;
  }
  void ShrinkReceiveBuffer() const {
    const int smallest = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &smallest, sizeof smallest);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// The test opens more sockets than the usual soft limit of 1,024 descriptors.
void RaiseDescriptorLimit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

long ResidentKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// `count` static peers, 10.0.x.y:52416, in a config file (a variable is too small for 10k).
std::string StaticPeers(int count) {
  std::string config;
  for (int i = 0; i < count; ++i) {
    config += "[[static]]\naddress = \"/ip4/10." + std::to_string((i >> 16) & 255) + "." +
              std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255) + "/tcp/52416\"\n";
  }
  return config;
}

class SocketAbuseTest : public ::testing::Test {
 protected:
  void SetUp() override { RaiseDescriptorLimit(); }

  // A sidecar with `peers` static peers, healthy and serving all of them.
  void Start(int peers, const std::string& max_connections) {
    sidecar_.emplace(directory_,
                     SidecarProcess::Options{StaticPeers(peers),
                                             {{"PEERSCOUT_SERVER_MAX_CONNECTIONS", max_connections},
                                              {"PEERSCOUT_LOG_LEVEL", "info"},
                                              {"PEERSCOUT_SOURCES_TAILSCALE_ENABLED", "false"}},
                                             {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
    auto reply = sidecar_->Get("/v1/peers");
    ASSERT_TRUE(reply) << reply.error();
    expected_ = *reply;
    ASSERT_EQ(expected_.status, 200);
    baseline_kb_ = ResidentKb(sidecar_->pid());
  }

  // A normal client's request: the whole list, as before the abuse.
  void ExpectANormalAnswer() const {
    auto reply = sidecar_->Get("/v1/peers", std::chrono::seconds(10));
    ASSERT_TRUE(reply) << reply.error();
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->body.size(), expected_.body.size());
    EXPECT_TRUE(reply->body == expected_.body);
  }

  void ExpectBoundedMemory() const {
    const long now = ResidentKb(sidecar_->pid());
    EXPECT_LT(now, baseline_kb_ + kGenerousGrowthKb) << "baseline " << baseline_kb_ << " kB";
  }

  double Metric(const std::string& name) const {
    auto reply = sidecar_->Get("/metrics");
    if (!reply) return -1;
    const size_t at = reply->body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(reply->body.substr(at + name.size() + 2));
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
  HttpReply expected_;
  long baseline_kb_ = 0;
};

TEST_F(SocketAbuseTest, AThousandIdleConnectionsLeaveRoomForANormalClient) {
  Start(1000, "256");
  std::vector<std::unique_ptr<RawClient>> idle;
  idle.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<RawClient>(sidecar_->socket()));
    ASSERT_TRUE(idle.back()->connected());
  }
  ExpectANormalAnswer();
  ExpectBoundedMemory();
  // Never more than max_connections are kept: the idle ones beyond it were let go.
  EXPECT_LE(Metric("peerscout_http_connections"), 256 + 1);
  idle.clear();
  ExpectANormalAnswer();
  EXPECT_TRUE(sidecar_->running());
}

TEST_F(SocketAbuseTest, SlowlorisClientsLeaveRoomForANormalClient) {
  Start(1000, "64");
  std::vector<std::unique_ptr<RawClient>> slow;
  slow.reserve(200);
  for (int i = 0; i < 200; ++i) {
    slow.push_back(std::make_unique<RawClient>(sidecar_->socket()));
    ASSERT_TRUE(slow.back()->connected());
  }
  // Headers a byte at a time, never finished: each connection shows a little progress often.
  std::atomic<bool> stop{false};
  std::jthread drip([&] {
    const std::string headers =
        "GET /v1/peers HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(4000, 's');
    for (size_t at = 0; at < headers.size() && !stop; ++at) {
      for (const auto& client : slow) client->Send(headers.substr(at, 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ExpectANormalAnswer();
  ExpectBoundedMemory();
  EXPECT_LE(Metric("peerscout_http_connections"), 64 + 1);
  stop = true;
  drip.join();
  slow.clear();
  ExpectANormalAnswer();
}

TEST_F(SocketAbuseTest, AMegabyteOfHeadersIsRefusedWithoutGrowingMemory) {
  Start(1000, "1024");
  const std::string request = "GET /v1/peers HTTP/1.1\r\nHost: x\r\n" + [] {
    std::string lines;
    for (int i = 0; i < 1100; ++i)
      lines += "X-Big-" + std::to_string(i) + ": " + std::string(1000, 'b') + "\r\n";
    return lines;
  }() + "\r\n";
  ASSERT_GE(request.size(), size_t{1024} * 1024);
  std::vector<std::string> replies(50);
  {
    std::vector<std::jthread> senders;
    senders.reserve(replies.size());
    for (std::string& reply : replies) {
      senders.emplace_back([&] {
        RawClient client(sidecar_->socket());
        client.Send(request);  // the server stops reading, and closes, long before the end
        reply = client.ReadReply();
      });
    }
  }
  for (const std::string& reply : replies) {
    // Refused with 431, or closed before the client read it: never served.
    EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 431", 0) == 0) << reply.substr(0, 200);
  }
  ExpectANormalAnswer();
  ExpectBoundedMemory();
  EXPECT_TRUE(sidecar_->running());
}

TEST_F(SocketAbuseTest, ClientsThatNeverReadShareOneBodyAndLeaveRoom) {
  Start(10000, "1024");
  ASSERT_GT(expected_.body.size(), size_t{3} * 1000 * 1000);
  std::vector<std::unique_ptr<RawClient>> stuck;
  stuck.reserve(200);
  for (int i = 0; i < 200; ++i) {
    stuck.push_back(std::make_unique<RawClient>(sidecar_->socket()));
    stuck.back()->ShrinkReceiveBuffer();
    ASSERT_TRUE(stuck.back()->Send("GET /v1/peers HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ExpectANormalAnswer();
  ExpectBoundedMemory();  // a copy of the body each would be 700 MB
  stuck.clear();
  ExpectANormalAnswer();
}

TEST_F(SocketAbuseTest, BeyondMaxConnectionsOfClientsThatNeverReadANewOneGets503) {
  Start(10000, "20");
  std::vector<std::unique_ptr<RawClient>> stuck;
  stuck.reserve(20);
  for (int i = 0; i < 20; ++i) {
    stuck.push_back(std::make_unique<RawClient>(sidecar_->socket()));
    stuck.back()->ShrinkReceiveBuffer();
    ASSERT_TRUE(stuck.back()->Send("GET /v1/peers HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // Every slot is busy sending: none is idle to give way, so the newcomer is told so.
  RawClient newcomer(sidecar_->socket());
  ASSERT_TRUE(newcomer.Send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string refused = newcomer.ReadReply();
  EXPECT_THAT(refused, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(refused, HasSubstr("too many connections"));
  stuck.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ExpectANormalAnswer();
}

}  // namespace
}  // namespace peerscout::testing
