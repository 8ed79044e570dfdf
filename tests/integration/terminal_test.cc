// The CLI as a person sees it: peers and status under a pseudo-terminal (a table, coloured
// unless NO_COLOR), and the same commands into a pipe (the JSON scripts read).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "tests/integration/sidecar_process.h"

extern char** environ;

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct TerminalResult {
  int exit_code = -1;
  std::string out;  // what the terminal showed, with the pty's \r\n made \n
};

// The environment of the test less what would change the CLI's output, plus `extra`.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const std::string name = text.substr(0, text.find('='));
    if (name.starts_with("PEERSCOUT_") || name == "NO_COLOR" || name == "COLUMNS") continue;
    entries.push_back(text);
  }
  for (const auto& [name, value] : extra) entries.push_back(name + "=" + value);
  return entries;
}

// Runs peerscout with stdout, stdin and stderr on a new pseudo-terminal `columns` wide.
TerminalResult RunInTerminal(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {},
                             unsigned short columns = 200) {
  std::vector<std::string> argv = {PEERSCOUT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> environment = ChildEnvironment(env);
  std::vector<char*> argv_pointers;
  argv_pointers.reserve(argv.size() + 1);
  for (std::string& arg : argv) argv_pointers.push_back(arg.data());
  argv_pointers.push_back(nullptr);
  std::vector<char*> env_pointers;
  env_pointers.reserve(environment.size() + 1);
  for (std::string& entry : environment) env_pointers.push_back(entry.data());
  env_pointers.push_back(nullptr);

  winsize size{};
  size.ws_row = 50;
  size.ws_col = columns;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid == 0) {
    ::execve(argv_pointers[0], argv_pointers.data(), env_pointers.data());
    ::_exit(127);
  }
  TerminalResult result;
  if (pid < 0) return result;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd ready{master, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    const ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO: the child closed its side
    result.out.append(buffer, static_cast<size_t>(n));
  }
  ::close(master);
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::erase(result.out, '\r');
  return result;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

std::string WithoutColour(std::string text) {
  for (size_t at = text.find("\x1b["); at != std::string::npos; at = text.find("\x1b[", at)) {
    text.erase(at, text.find('m', at) + 1 - at);
  }
  return text;
}

size_t Columns(const std::string& line) {
  size_t columns = 0;
  for (unsigned char c : line) columns += (c & 0xc0) != 0x80 ? 1 : 0;
  return columns;
}

// Peers in an order their text sorts differently: as strings, .100 comes before .10 and .9.
constexpr const char* kConfig = R"([registry]
startup_deadline = "0s"
[[static]]
address = "10.200.0.100:4001"
[[static]]
address = "10.200.0.10:4001"
[[static]]
address = "/ip4/10.200.0.60/tcp/4001"
name = "exo-b"
[[static]]
address = "10.200.0.9:4001"
[[static]]
addresses = ["/ip4/10.200.0.70/tcp/4001", "/ip4/10.200.0.7/tcp/4001"]
name = "exo-a"
)";

class TerminalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sidecar_.emplace(directory_, SidecarProcess::Options{kConfig, {}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  std::vector<std::string> With(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--socket", sidecar_->socket()});
    return args;
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(TerminalTest, PeersOnATerminalIsATableSortedByNameThenAddressAsNumbers) {
  TerminalResult peers = RunInTerminal(With({"peers"}));
  ASSERT_EQ(peers.exit_code, 0) << peers.out;
  const std::vector<std::string> lines = Lines(WithoutColour(peers.out));
  ASSERT_EQ(lines.size(), 7u) << peers.out;
  EXPECT_EQ(lines[0], "NAME   ADDRESS                    SOURCES  ONLINE  LAST SEEN  STALE");
  EXPECT_EQ(lines[1], "exo-a  10.200.0.7:4001 (other)    env      yes     -          no");
  EXPECT_EQ(lines[2], "       10.200.0.70:4001 (other)");
  EXPECT_THAT(lines[3], StartsWith("exo-b  10.200.0.60:4001 (other)"));
  EXPECT_THAT(lines[4], StartsWith("-      10.200.0.9:4001 (other)"));
  EXPECT_THAT(lines[5], StartsWith("-      10.200.0.10:4001 (other)"));
  EXPECT_THAT(lines[6], StartsWith("-      10.200.0.100:4001 (other)"));
  // Coloured: a dim header, online in green.
  EXPECT_THAT(peers.out, StartsWith("\x1b[2mNAME\x1b[0m"));
  EXPECT_THAT(peers.out, HasSubstr("\x1b[32myes\x1b[0m"));
}

TEST_F(TerminalTest, NoColorAndColorNeverLeaveTheTablePlain) {
  for (const auto& [args, env] :
       std::vector<std::pair<std::vector<std::string>, std::map<std::string, std::string>>>{
           {{"peers"}, {{"NO_COLOR", "1"}}},
           {{"peers", "--color", "never"}, {}},
           {{"status"}, {{"NO_COLOR", "1"}}}}) {
    TerminalResult result = RunInTerminal(With(args), env);
    EXPECT_EQ(result.exit_code, 0) << result.out;
    EXPECT_THAT(result.out, Not(HasSubstr("\x1b"))) << args[0];
    EXPECT_THAT(result.out, HasSubstr("env")) << args[0];
  }
  // A flag is the user's word for this run: it wins over NO_COLOR, as no-color.org asks.
  TerminalResult forced = RunInTerminal(With({"peers", "--color", "always"}), {{"NO_COLOR", "1"}});
  EXPECT_THAT(forced.out, HasSubstr("\x1b[32myes\x1b[0m"));
}

TEST_F(TerminalTest, APipeGetsTheJsonAsBefore) {
  ProcessResult piped = RunPeerscout(With({"peers"}));
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  auto api = sidecar_->Get("/v1/peers?format=json");
  ASSERT_TRUE(api);
  EXPECT_EQ(piped.out, api->body);
  EXPECT_EQ(RunPeerscout(With({"peers", "--format", "json"})).out, api->body);
  rapidjson::Document document;
  document.Parse(piped.out.c_str());
  ASSERT_TRUE(document.IsObject() && document["peers"].IsArray()) << piped.out;
  // The API lists peers as the table does: names first, then addresses as numbers.
  std::vector<std::string> ids;
  for (const auto& peer : document["peers"].GetArray()) ids.emplace_back(peer["id"].GetString());
  EXPECT_THAT(ids, ::testing::ElementsAre("10.200.0.7:4001", "10.200.0.60:4001", "10.200.0.9:4001",
                                          "10.200.0.10:4001", "10.200.0.100:4001"));
  // A machine format on a terminal is its exact bytes; a table into a pipe has no colour.
  TerminalResult exo = RunInTerminal(With({"peers", "--format", "exo"}));
  EXPECT_EQ(exo.out, RunPeerscout(With({"peers", "--format", "exo"})).out);
  ProcessResult table = RunPeerscout(With({"peers", "--format", "table"}));
  EXPECT_THAT(table.out, StartsWith("NAME   ADDRESS"));
  EXPECT_THAT(table.out, Not(HasSubstr("\x1b")));
}

TEST_F(TerminalTest, ANarrowTerminalCutsColumnsWithAnEllipsis) {
  TerminalResult peers = RunInTerminal(With({"peers"}), {}, 50);
  ASSERT_EQ(peers.exit_code, 0) << peers.out;
  for (const std::string& line : Lines(WithoutColour(peers.out))) {
    EXPECT_LE(Columns(line), 50u) << line;
  }
  EXPECT_THAT(peers.out, HasSubstr("\u2026"));
  // COLUMNS, when set, is the width even off a terminal.
  ProcessResult piped = RunPeerscout(With({"peers", "--format", "table"}), {{"COLUMNS", "50"}});
  EXPECT_THAT(piped.out, HasSubstr("\u2026"));
}

TEST_F(TerminalTest, StatusShowsEachSourceAtAGlance) {
  TerminalResult status = RunInTerminal(With({"status"}));
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_THAT(status.out, StartsWith("health \x1b[32mok\x1b[0m, version "));
  const std::string plain = WithoutColour(status.out);
  EXPECT_THAT(plain, HasSubstr(", 5 peers, sources: "));
  EXPECT_THAT(plain, HasSubstr("\nSOURCE "));
  EXPECT_THAT(plain, ::testing::ContainsRegex("\nenv +env +ok +5 +(now|[0-9]+s ago)"));
  EXPECT_THAT(status.out, HasSubstr("\x1b[32mok\x1b[0m"));
  // Into a pipe, or with --format json: /v1/sources as the API gives it.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status"}, std::vector<std::string>{"status", "-f", "json"}}) {
    ProcessResult piped = RunPeerscout(With(args));
    rapidjson::Document document;
    document.Parse(piped.out.c_str());
    ASSERT_TRUE(document.IsObject() && document["sources"].IsArray()) << piped.out;
    EXPECT_EQ(document["peer_count"].GetUint(), 5u);
  }
}

}  // namespace
}  // namespace peerscout::testing
