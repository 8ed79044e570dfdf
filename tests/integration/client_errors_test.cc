// Every client command says which socket it tried and what is wrong with it, in the words a
// user would search for; and every one finds the socket the same way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

// A Unix socket file at `path`; listening, or left behind as a crashed process leaves it.
void MakeSocket(const std::string& path, bool listening) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  path.copy(address.sun_path, sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << path;
  if (listening) {
    ::listen(fd, 1);  // kept open until the process ends: the test's own socket
  } else {
    ::close(fd);
  }
}

// What the command printed on stderr; watch retries for ever, so its first complaint.
std::string ErrorOf(const std::string& command, const std::vector<std::string>& prefix,
                    const std::string& socket) {
  std::vector<std::string> argv = prefix;
  argv.insert(argv.end(), {PEERSCOUT_BINARY, "--socket", socket, command});
  if (command == "exec") argv.insert(argv.end(), {"--wait", "200ms", "--", "true"});
  if (command != "watch") {
    ProcessResult result = RunCommand(argv);
    EXPECT_NE(result.exit_code, 0) << command;
    return result.err;
  }
  BackgroundCommand watch(argv);
  for (int i = 0; i < 500 && watch.Err().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return watch.Err();
}

const std::vector<std::string> kCommands = {"peers", "watch", "health", "status", "exec"};

TEST(ClientErrorsTest, EachCommandNamesTheSocketAndWhatIsWrong) {
  TestDirectory directory;
  directory.Write("file", "");
  std::filesystem::create_directory(directory / "dir");
  MakeSocket(directory / "dead.sock", false);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {directory / "missing.sock", "no peerscout socket at " + (directory / "missing.sock")},
      {directory / "file", directory / "file" + " is not a socket but a file"},
      {directory / "dir", directory / "dir" + " is not a socket but a directory"},
      {directory / "dead.sock", "peerscout is not listening on " + (directory / "dead.sock")},
  };
  for (const std::string& command : kCommands) {
    for (const auto& [socket, told] : cases) {
      EXPECT_THAT(ErrorOf(command, {}, socket), HasSubstr(told)) << command;
    }
  }
}

TEST(ClientErrorsTest, PermissionDeniedIsSaidSo) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the CLI as another user";
  TestDirectory directory;
  ::chmod(directory.path().c_str(), 0755);
  MakeSocket(directory / "private.sock", true);
  ::chmod((directory / "private.sock").c_str(), 0600);
  const std::vector<std::string> as_nobody = {"setpriv", "--reuid=65534", "--regid=65534",
                                              "--clear-groups"};
  for (const std::string& command : kCommands) {
    EXPECT_THAT(ErrorOf(command, as_nobody, directory / "private.sock"),
                HasSubstr("permission denied on " + (directory / "private.sock")))
        << command;
  }
}

class SocketChoiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sidecar_.emplace(directory_,
                     SidecarProcess::Options{"[registry]\nstartup_deadline = \"0s\"\n", {}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
    directory_.Write("client.toml", "[server]\nsocket = \"" + sidecar_->socket() + "\"\n");
  }

  // Runs `command` with the extra arguments and variables; true when it reached the sidecar.
  bool Reaches(const std::string& command, std::vector<std::string> args,
               const std::map<std::string, std::string>& env) {
    args.push_back(command);
    if (command == "exec") args.insert(args.end(), {"--wait", "1s", "--", "true"});
    if (command == "status" || command == "peers") args.insert(args.end(), {"-f", "json"});
    if (command != "watch") return RunPeerscout(args, env).exit_code == 0;
    args.insert(args.end(), {"-f", "json"});
    args.insert(args.begin(), PEERSCOUT_BINARY);
    BackgroundCommand watch(args, env);
    for (int i = 0; i < 1000 && watch.Err().empty(); ++i) {
      if (watch.Out().find("\"version\"") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(SocketChoiceTest, FlagThenVariableThenConfigForEveryCommand) {
  const std::string missing = directory_ / "missing.sock";
  for (const std::string& command : kCommands) {
    // The flag wins over the variable, which wins over the config.
    EXPECT_TRUE(Reaches(command, {"--socket", sidecar_->socket()}, {{"PEERSCOUT_SOCKET", missing}}))
        << command;
    EXPECT_TRUE(Reaches(command, {"-c", directory_ / "client.toml"},
                        {{"PEERSCOUT_SOCKET", sidecar_->socket()}}))
        << command;
    EXPECT_TRUE(Reaches(command, {"-c", directory_ / "client.toml"}, {})) << command;
    EXPECT_TRUE(Reaches(command, {}, {{"PEERSCOUT_CONFIG", directory_ / "client.toml"}}))
        << command;
    EXPECT_FALSE(
        Reaches(command, {"-c", directory_ / "client.toml"}, {{"PEERSCOUT_SOCKET", missing}}))
        << command;
  }
  // And the error names the socket the variable chose.
  EXPECT_THAT(RunPeerscout({"status"}, {{"PEERSCOUT_SOCKET", missing}}).err,
              HasSubstr("no peerscout socket at " + missing));
}

}  // namespace
}  // namespace peerscout::testing
