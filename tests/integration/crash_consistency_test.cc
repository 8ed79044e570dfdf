// The output files under SIGKILL: peerscout rewrites every format and a template ten thousand
// times, as fast as a tailscale status file changes, and is killed at random points and started
// again, while a reader checks every file it can open. A reader never sees a partial or invalid
// file, a file never goes missing once written, and no temporary file is left behind that a
// reader could take for an output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "sidecar/output/atomic_file.h"
#include "sidecar/system/whole_file.h"
#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

// The goal, and the time the test gives it: a machine too busy to get there in time ends the
// test early, with the count printed, still checked (each new version is one rewrite of each
// file, so ten copies of each output make the rewrites ten times as frequent).
constexpr int kRewrites = 10000;
// Kills in the middle of the rewrites, however fast the machine makes them.
constexpr int kKills = 20;
constexpr auto kGiveUpAfter = std::chrono::seconds(45);
constexpr int kCopies = 10;
const char* const kFormats[] = {"json", "env", "multiaddr", "hosts"};

// peers-<copy>.<format>, and the template's peers-<copy>.txt.
std::vector<std::string> OutputNames() {
  std::vector<std::string> names;
  for (int copy = 0; copy < kCopies; ++copy) {
    for (const char* format : kFormats) {
      names.push_back("peers-" + std::to_string(copy) + "." + format);
    }
    names.push_back("peers-" + std::to_string(copy) + ".txt");
  }
  return names;
}

// The status fixture's online peers are node2 and node3: two in every output.
constexpr size_t kPeers = 2;

std::string Config(const TestDirectory& directory) {
  std::string config =
      "[sources.env]\nenabled = false\n\n[sources.tailscale]\nmode = \"file\"\n"
      "status_file = \"" +
      (directory / "status.json") + "\"\n";
  for (int copy = 0; copy < kCopies; ++copy) {
    const std::string stem = "out/peers-" + std::to_string(copy);
    for (const char* format : kFormats) {
      config +=
          "\n[[output]]\npath = \"" + stem + "." + format + "\"\nformat = \"" + format + "\"\n";
    }
    config += "\n[[template]]\nsource = \"peers.mustache\"\ndestination = \"" + stem + ".txt\"\n";
  }
  return config;
}

// A first and a last line, and one line per peer between: a cut file shows.
const char kTemplate[] =
    "begin {{version}}\n{{#peers}}peer {{{id}}}\n{{/peers}}end {{peer_count}}\n";

// tmpfs, where fsync costs nothing, so ten thousand rewrites fit in seconds: a process that is
// killed leaves the page cache behind either way, so what a reader sees is the same as on disk.
std::filesystem::path FastDirectory() {
  std::error_code error;
  if (std::filesystem::is_directory("/dev/shm", error)) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

std::vector<std::string> Lines(const std::string& bytes) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = bytes.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(bytes.substr(start, end - start));
  }
  return lines;
}

// Empty when `bytes` is a whole, valid `name`; else what is wrong.
std::string Check(const std::string& name, const std::string& bytes) {
  const std::string format = name.substr(name.rfind('.') + 1);
  if (bytes.empty() || bytes.back() != '\n') return "does not end in a newline";
  const std::vector<std::string> lines = Lines(bytes);
  auto all_match = [&](const std::regex& line_pattern, size_t count) -> std::string {
    if (lines.size() != count) return std::to_string(lines.size()) + " lines";
    for (const std::string& line : lines) {
      if (!std::regex_match(line, line_pattern)) return "line '" + line + "'";
    }
    return "";
  };
  if (format == "json") {
    rapidjson::Document document;
    document.Parse(bytes.data(), bytes.size());
    if (document.HasParseError() || !document.IsObject()) return "not JSON";
    if (!document.HasMember("peers") || !document["peers"].IsArray()) return "no peers";
    if (document["peers"].Size() != kPeers)
      return "peers: " + std::to_string(document["peers"].Size());
    return "";
  }
  if (format == "env") {
    static const std::regex kLine("# .*|[A-Z_][A-Z0-9_]*=('[^']*'|[^'\"\\s]*)");
    return all_match(kLine, 4);  // a comment, version, count, the list
  }
  if (format == "multiaddr") {
    // Both addresses (IPv4 and IPv6) of both peers.
    static const std::regex kLine("/ip[46]/[0-9a-f.:]+(/tcp/[0-9]+)?(/p2p/[0-9A-Za-z]+)?");
    return all_match(kLine, 2 * kPeers);
  }
  if (format == "hosts") {
    static const std::regex kLine("[0-9a-f.:]+(\t[A-Za-z0-9.-]+)+|# .*");
    return all_match(kLine, 1 + 2 * kPeers);  // a comment, then each address
  }
  static const std::regex kTemplateLine("begin [0-9]+|peer [^ ]+|end 2");
  if (lines.front().rfind("begin ", 0) != 0 || lines.back() != "end 2") return "cut template";
  return all_match(kTemplateLine, kPeers + 2);
}

// Counts rewrites: each is one rename onto an output's name.
class RenameCounter {
 public:
  explicit RenameCounter(const std::string& directory) {
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    inotify_add_watch(fd_, directory.c_str(), IN_MOVED_TO);
  }
  ~RenameCounter() { ::close(fd_); }
  RenameCounter(const RenameCounter&) = delete;
  RenameCounter& operator=(const RenameCounter&) = delete;

  int Count() {
    alignas(inotify_event) char buffer[8192];
    ssize_t length;
    while ((length = ::read(fd_, buffer, sizeof buffer)) > 0) {
      for (ssize_t offset = 0; offset < length;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
        if (event->len > 0 && std::string(event->name).rfind('.', 0) != 0) ++count_;
        offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
    return count_;
  }

 private:
  int fd_;
  int count_ = 0;
};

// Rewrites the status file every couple of milliseconds, node2 with a new address each time.
class ChangingStatus {
 public:
  explicit ChangingStatus(const TestDirectory& directory)
      : thread_([&directory](std::stop_token stop) { Run(directory, stop); }) {}

 private:
  static void Run(const TestDirectory& directory, std::stop_token stop) {
    const std::string fixture = TailscaleFixture("status-running-cli.json");
    for (unsigned round = 1; !stop.stop_requested(); ++round) {
      const std::string address =
          "100.64." + std::to_string(1 + round / 250 % 250) + "." + std::to_string(1 + round % 250);
      std::string status = std::regex_replace(fixture, std::regex("100\\.64\\.0\\.2\\b"), address);
      WriteFileAtomically(directory / "status.json", status, 0644);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  std::jthread thread_;
};

// Reads every output over and over; records the first problem with each.
class Reader {
 public:
  explicit Reader(std::string out) : out_(std::move(out)), names_(OutputNames()) {
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }
  void Stop() {
    thread_.request_stop();
    thread_.join();
  }
  const std::map<std::string, std::string>& problems() const { return problems_; }
  int64_t reads() const { return reads_; }

 private:
  void Run(std::stop_token stop) {
    std::set<std::string> seen;
    while (!stop.stop_requested()) {
      for (const std::string& name : names_) {
        std::string bytes;
        if (!ReadWholeFile(out_ + "/" + name, bytes)) {
          if (seen.count(name) > 0) problems_.emplace(name, "missing after it was written");
          continue;
        }
        seen.insert(name);
        ++reads_;
        if (std::string problem = Check(name, bytes); !problem.empty()) {
          problems_.emplace(name, problem + ":\n" + bytes.substr(0, 400));
        }
      }
      CheckNames();
    }
  }

  // Anything else in the directory is a temporary file that no glob of `*` or `*.json` takes.
  void CheckNames() {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(out_, error)) {
      const std::string name = entry.path().filename().string();
      if (std::find(names_.begin(), names_.end(), name) != names_.end()) continue;
      if (name.rfind('.', 0) != 0 || name.find(".tmp.") == std::string::npos) {
        problems_.emplace(name, "a file that looks like an output");
      }
    }
  }

  std::string out_;
  std::vector<std::string> names_;
  std::map<std::string, std::string> problems_;
  int64_t reads_ = 0;
  std::jthread thread_;
};

std::vector<std::string> Temporaries(const std::string& out) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp.") != std::string::npos) names.push_back(name);
  }
  return names;
}

TEST(CrashConsistencyTest, ReadersNeverSeeAPartialFileThroughRewritesAndKills) {
  TestDirectory directory(FastDirectory());
  directory.Write("peers.mustache", kTemplate);
  std::filesystem::create_directories(directory.path() / "out");
  const std::string out = directory / "out";
  ChangingStatus status(directory);
  RenameCounter rewrites(out);
  Reader reader(out);
  const SidecarProcess::Options options{Config(directory), {}, {}};

  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> lifetime_ms(10, 300);
  const auto give_up = std::chrono::steady_clock::now() + kGiveUpAfter;
  int kills = 0;
  while ((rewrites.Count() < kRewrites || kills < kKills) &&
         std::chrono::steady_clock::now() < give_up) {
    SidecarProcess sidecar(directory, options);
    std::this_thread::sleep_for(std::chrono::milliseconds(lifetime_ms(random)));
    sidecar.Signal(SIGKILL);
    ASSERT_EQ(sidecar.WaitForExit(), 128 + SIGKILL) << sidecar.Log();
    ++kills;
  }

  // One last run, stopped cleanly, cleans up what the killed ones left mid-write.
  {
    SidecarProcess sidecar(directory, options);
    ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
    const int before = rewrites.Count();
    for (int i = 0; i < 500 && rewrites.Count() == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  reader.Stop();
  std::cout << rewrites.Count() << " rewrites, " << kills << " kills, " << reader.reads()
            << " reads\n";
  EXPECT_GE(kills, kKills);
  EXPECT_GT(rewrites.Count(), 500);
  EXPECT_GT(reader.reads(), 1000);
  for (const auto& [name, problem] : reader.problems()) ADD_FAILURE() << name << ": " << problem;
  EXPECT_THAT(Temporaries(out), ::testing::IsEmpty());
}

}  // namespace
}  // namespace peerscout::testing
