// The tailscale source's modes that need no running tailnet: a status file written by something
// else (captured from real daemons), and the errors a user sees when tailscaled's socket is
// missing or closed to them. The live tailnet is tests/integration/tailnet/.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

std::string Config(const std::string& source) {
  return "[registry]\nstartup_deadline = \"0s\"\n[self]\ndetect_interfaces = false\n"
         "[sources.env]\nenabled = false\n[sources.tailscale]\n" +
         source;
}

// The tailscale source's entry in /v1/sources.
struct SourceView {
  std::string state;
  std::string last_error;
  bool stale = false;
  std::string mode;
};

SourceView Source(const SidecarProcess& sidecar) {
  SourceView view;
  auto reply = sidecar.Get("/v1/sources");
  if (!reply) return view;
  rapidjson::Document document;
  document.Parse(reply->body.c_str());
  for (const auto& source : document["sources"].GetArray()) {
    if (std::string(source["name"].GetString()) != "tailscale") continue;
    view.state = source["state"].GetString();
    if (source["last_error"].IsString()) view.last_error = source["last_error"].GetString();
    view.stale = source["stale"].GetBool();
    if (source["details"].HasMember("mode")) view.mode = source["details"]["mode"].GetString();
  }
  return view;
}

bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

size_t PeerCount(const SidecarProcess& sidecar) {
  auto reply = sidecar.Get("/v1/peers");
  if (!reply) return 0;
  rapidjson::Document document;
  document.Parse(reply->body.c_str());
  return document["peers"].Size();
}

// Replaces a file the way writers should: a new file renamed over the old one.
void Replace(const TestDirectory& directory, const std::string& name, const std::string& text) {
  directory.Write(name + ".new", text);
  std::filesystem::rename(directory / (name + ".new"), directory / name);
}

TEST(TailscaleModesTest, AStatusFileIsReadAgainWhenItChanges) {
  TestDirectory directory;
  directory.Write("status.json", TailscaleFixture("status-running-cli.json"));
  SidecarProcess sidecar(directory,
                         {Config("mode = \"file\"\nstatus_file = \"" + (directory / "status.json") +
                                 "\"\npoll_interval = \"1h\"\n"),
                          {},
                          {}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  ASSERT_TRUE(WaitFor([&] { return PeerCount(sidecar) == 2; })) << sidecar.Log();
  EXPECT_EQ(Source(sidecar).mode, "file");
  // Each tagged node with its app's peer id and port, as exo takes them.
  auto exo = sidecar.Get("/v1/peers?format=exo");
  EXPECT_THAT(exo->body, ::testing::MatchesRegex(
                             "/ip4/100\\.64\\.0\\.[0-9]+/tcp/5241[68]/p2p/12D3KooW[A-Za-z0-9]+,"
                             "/ip4/100\\.64\\.0\\.[0-9]+/tcp/5241[68]/p2p/12D3KooW[A-Za-z0-9]+"));
  EXPECT_THAT(exo->body,
              HasSubstr("/tcp/52416/p2p/12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A"));
  EXPECT_THAT(exo->body,
              HasSubstr("/tcp/52418/p2p/12D3KooWBynX2HaNg73xSLq9TJDQjQKozxCh7MgVqKgGGXWXYzQn"));

  // A stopped tailscaled's status still lists peers: they are kept as stale, not live.
  Replace(directory, "status.json", TailscaleFixture("status-stopped.json"));
  ASSERT_TRUE(WaitFor([&] { return Source(sidecar).stale; })) << sidecar.Log();
  EXPECT_THAT(Source(sidecar).last_error, HasSubstr("tailscale down"));
  EXPECT_EQ(PeerCount(sidecar), 2u);

  // A half-written file is an error, and loses nothing.
  directory.Write("status.json", TailscaleFixture("status-running-cli.json").substr(0, 500));
  ASSERT_TRUE(WaitFor([&] { return Source(sidecar).last_error.find("JSON") != std::string::npos; }))
      << sidecar.Log();
  EXPECT_EQ(PeerCount(sidecar), 2u);

  Replace(directory, "status.json", TailscaleFixture("status-running-localapi.json"));
  ASSERT_TRUE(WaitFor([&] { return Source(sidecar).state == "ok"; })) << sidecar.Log();
  EXPECT_FALSE(Source(sidecar).stale);
}

// A status file is read as long as it is, not into a buffer the size of the 64 MiB cap.
TEST(TailscaleModesTest, AStatusFileIsReadWithoutReservingTheWholeCap) {
  TestDirectory directory;
  directory.Write("status.json", TailscaleFixture("status-running-cli.json"));
  SidecarProcess sidecar(directory,
                         {Config("mode = \"file\"\nstatus_file = \"" + (directory / "status.json") +
                                 "\"\npoll_interval = \"1h\"\n"),
                          {},
                          {}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  ASSERT_TRUE(WaitFor([&] { return PeerCount(sidecar) == 2; })) << sidecar.Log();
  EXPECT_LT(PeakResidentBytes(sidecar.pid()), 48L << 20);
}

TEST(TailscaleModesTest, AMissingSocketIsNamedInTheError) {
  TestDirectory directory;
  const std::string socket = directory / "no-such.sock";
  SidecarProcess sidecar(directory,
                         {Config("mode = \"localapi\"\nsocket = \"" + socket + "\"\n"), {}, {}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  ASSERT_TRUE(WaitFor([&] { return !Source(sidecar).last_error.empty(); }));
  EXPECT_THAT(Source(sidecar).last_error, HasSubstr("no tailscaled socket at " + socket));
  EXPECT_THAT(sidecar.Log(), HasSubstr(socket));
}

TEST(TailscaleModesTest, AutoModeSaysWhatItLookedFor) {
  TestDirectory directory;
  const std::string socket = directory / "no-such.sock";
  SidecarProcess sidecar(directory, {Config("socket = \"" + socket +
                                            "\"\ncommand = [\"no-such-tailscale\", \"status\"]\n"),
                                     {},
                                     {}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  ASSERT_TRUE(WaitFor([&] { return !Source(sidecar).last_error.empty(); }));
  EXPECT_THAT(Source(sidecar).last_error, HasSubstr("no socket at " + socket));
  EXPECT_THAT(Source(sidecar).last_error, HasSubstr("no-such-tailscale"));
}

// A socket peerscout's user may not open: tailscaled's socket is 0666 by default, but an
// admin may tighten it. peerscout runs as nobody here; the socket is root's, mode 0600.
TEST(TailscaleModesTest, APermissionDeniedSocketIsNamedInTheError) {
  if (getuid() != 0 || RunCommand({"setpriv", "--version"}).exit_code != 0) {
    if (IntegrationRequired()) FAIL() << "needs root and setpriv";
    GTEST_SKIP() << "needs root and setpriv";
  }
  TestDirectory directory;
  chmod(directory.path().c_str(), 0777);
  const std::string socket = directory / "tailscaled.sock";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket.c_str());
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  chmod(socket.c_str(), 0600);
  SidecarProcess sidecar(directory,
                         {Config("mode = \"localapi\"\nsocket = \"" + socket + "\"\n"),
                          {},
                          {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  ASSERT_TRUE(WaitFor([&] { return !Source(sidecar).last_error.empty(); }));
  EXPECT_THAT(Source(sidecar).last_error, HasSubstr("permission denied on " + socket));
  close(listener);
}

}  // namespace
}  // namespace peerscout::testing
