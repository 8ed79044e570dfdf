// The tailnet sources against a server that goes bad (tests/tools/fault_server.py): it serves a
// captured tailscaled status or Headscale node list, then answers 500, 401, garbage, 65 MiB, a
// body that never ends, nothing, or refuses connections, then serves again. Through each fault
// the sidecar keeps the last good peers, marked stale, never publishes fewer, keeps answering,
// holds its memory, and comes back on the first good answer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/integration/sidecar_process.h"
#include "tests/integration/sidecar_queries.h"

namespace peerscout::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr const char* kKey = "hskey-api-abcdefabcdef-0123456789abcdef0123456789abcdef";
// Far below any reply that passed the 64 MiB cap, and the endless body's unbounded growth.
constexpr long kPeakMemoryBound = 192L << 20;

// Under the sanitizers (scripts/sanitize.sh sets their options) freed memory is kept in ASan's
// quarantine and every byte is shadowed, so the endless body peaks near 450 MB there; a body that
// grew without end would still pass any bound.
long PeakMemoryBound() {
  const bool sanitized =
      std::getenv("ASAN_OPTIONS") != nullptr || std::getenv("TSAN_OPTIONS") != nullptr;
  return sanitized ? 4 * kPeakMemoryBound : kPeakMemoryBound;
}

std::string Fixture(const std::string& path) {
  return std::string(PEERSCOUT_SOURCE_DIR) + "/tests/fixtures/" + path;
}

std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// fault_server.py serving one source's captured payload, switched by its control file.
class FaultServer {
 public:
  FaultServer(const TestDirectory& directory, const std::string& source)
      : directory_(directory), control_(directory / "control"), command_(Argv(source)) {}

  // Waits until it listens; the address the source is configured with.
  std::string Address(const std::string& source) const {
    Eventually([&] { return !ReadText(control_ + ".state").empty(); }, seconds(15));
    if (source == "tailscale") return directory_ / "tailscaled.sock";
    const std::string port = ReadText(directory_ / "port");
    return "http://127.0.0.1:" + port.substr(0, port.find('\n'));
  }

  // Puts `mode` in force; false if the server did not confirm it.
  bool Set(const std::string& mode) const {
    directory_.Write("control.new", mode + "\n");
    std::filesystem::rename(control_ + ".new", control_);
    return Eventually([&] { return ReadText(control_ + ".state") == mode + "\n"; }, seconds(10));
  }

 private:
  std::vector<std::string> Argv(const std::string& source) const {
    std::vector<std::string> argv{
        "python3", std::string(PEERSCOUT_SOURCE_DIR) + "/tests/tools/fault_server.py", "--control",
        control_};
    if (source == "tailscale") {
      const std::string dir = Fixture("tailscale/v1.102.5/");
      argv.insert(argv.end(), {"--unix", directory_ / "tailscaled.sock", "--body",
                               dir + "status-running-localapi.json", "--stream",
                               dir + "watch-ipn-bus-mask18.ndjson"});
    } else {
      argv.insert(argv.end(), {"--tcp", directory_ / "port", "--body",
                               Fixture("headscale/v0.29.2/nodes.json")});
    }
    return argv;
  }

  const TestDirectory& directory_;
  std::string control_;
  BackgroundCommand command_;
};

std::string Config(const std::string& source, const std::string& address) {
  std::string config =
      "[registry]\nstartup_deadline = \"0s\"\n[self]\ndetect_interfaces = false\n"
      "[sources.env]\nenabled = false\n";
  // Short intervals keep the test quick; the timeout outlasts the 65 MiB reply on loopback.
  if (source == "tailscale") {
    return config + "[sources.tailscale]\nmode = \"localapi\"\nsocket = \"" + address +
           "\"\npoll_interval = \"500ms\"\ntimeout = \"3s\"\n";
  }
  return config + "[sources.tailscale]\nenabled = false\n[sources.headscale]\nurl = \"" + address +
         "\"\nallow_http = true\nonline_only = false\npoll_interval = \"300ms\"\n"
         "timeout = \"3s\"\nconnect_timeout = \"1s\"\n";
}

// A sample of /metrics, by its name and labels as written; -1 when absent.
double Metric(const SidecarProcess& sidecar, const std::string& sample) {
  auto reply = sidecar.Get("/metrics");
  if (!reply) return -1;
  std::istringstream lines(reply->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

// Whether the list has peers and each one's "stale" is `stale`.
bool AllStale(const std::string& body, bool stale) {
  const rapidjson::Document document = Json(body);
  if (!document.IsObject() || document["peers"].Empty()) return false;
  for (const auto& peer : document["peers"].GetArray()) {
    if (peer["stale"].GetBool() != stale) return false;
  }
  return true;
}

// What each fault's last_error says, so a user knows which it was.
std::string ExpectedError(const std::string& source, const std::string& fault) {
  static const std::map<std::string, std::pair<std::string, std::string>> kErrors = {
      {"500", {"answered 500", "answered HTTP 500"}},
      {"401", {"answered 401", "API key rejected (HTTP 401)"}},
      {"garbage", {"localapi: status ", "node list is not valid JSON"}},
      {"huge", {"larger than 64 MiB", "larger than 64 MiB"}},
      {"endless", {"larger than 64 MiB", "larger than 64 MiB"}},
      {"silent", {"timed out", "timed out"}},
      {"gone", {"tailscaled is not listening on", "onnect"}},
  };
  const auto& [tailscale, headscale] = kErrors.at(fault);
  return source == "tailscale" ? tailscale : headscale;
}

struct FaultCase {
  std::string source;
  std::string fault;
};

void PrintTo(const FaultCase& value, std::ostream* out) {
  *out << value.source << " " << value.fault;
}

class SourceFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(SourceFaultTest, KeepsLastPeersStaleThenRecovers) {
  // Named, not a structured binding: clang 14 cannot capture one in a lambda.
  const std::string& source = GetParam().source;
  const std::string& fault = GetParam().fault;
  TestDirectory directory;
  FaultServer server(directory, source);
  const std::string address = server.Address(source);
  SidecarProcess sidecar(directory, {Config(source, address), {{"HEADSCALE_API_KEY", kKey}}, {}});
  ASSERT_TRUE(sidecar.WaitUntilServing()) << sidecar.Log();
  size_t good = 0;
  ASSERT_GE(WaitForPeers(sidecar,
                         [&](const PeerList& peers) {
                           good = peers.size();
                           return good > 0;
                         }),
            0)
      << sidecar.Log();
  ASSERT_TRUE(Eventually([&] { return SourceField(sidecar, source, "state") == "ok"; }));
  VersionWatch watch(sidecar);

  ASSERT_TRUE(server.Set(fault));
  // The source is now waiting on the server (a silent one holds it for the whole timeout);
  // the API answers from what it has, at once.
  std::this_thread::sleep_for(milliseconds(500));
  auto during = sidecar.Get("/v1/peers", seconds(2));
  ASSERT_TRUE(during) << during.error();
  EXPECT_EQ(PeerList(during->body).size(), good);
  ASSERT_TRUE(Eventually([&] { return SourceField(sidecar, source, "state") == "stale"; }))
      << sidecar.Log();
  EXPECT_THAT(SourceField(sidecar, source, "last_error"), HasSubstr(ExpectedError(source, fault)));
  auto stale = sidecar.Get("/v1/peers");
  ASSERT_TRUE(stale);
  EXPECT_EQ(PeerList(stale->body).size(), good);
  EXPECT_TRUE(AllStale(stale->body, true)) << stale->body;
  const ProcessResult status = RunPeerscout({"status"}, {{"PEERSCOUT_SOCKET", sidecar.socket()}});
  EXPECT_THAT(status.out, HasSubstr("\"state\":\"stale\""));  // JSON when not on a terminal
  EXPECT_THAT(status.out, HasSubstr(ExpectedError(source, fault)));
  EXPECT_THAT(sidecar.Log(), HasSubstr(ExpectedError(source, fault)));
  if (fault == "huge" || fault == "endless") {
    EXPECT_GE(Metric(sidecar, "peerscout_source_faults_total{source=\"" + source +
                                  "\",fault=\"reply_too_large\"}"),
              1);
    EXPECT_LT(PeakResidentBytes(sidecar.pid()), PeakMemoryBound());
  }

  const std::string errors = "peerscout_source_errors_total{source=\"" + source + "\"}";
  const double errors_before = Metric(sidecar, errors);
  const auto switched = std::chrono::steady_clock::now();
  ASSERT_TRUE(server.Set("good"));
  ASSERT_TRUE(Eventually([&] { return SourceField(sidecar, source, "state") == "ok"; }))
      << sidecar.Log();
  const double recovered_after =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - switched).count();
  RecordProperty("recovery_seconds", std::to_string(recovered_after));
  // At most the request the fault still held fails; the next one brings the peers back.
  EXPECT_LE(Metric(sidecar, errors) - errors_before, 1);
  auto back = sidecar.Get("/v1/peers");
  ASSERT_TRUE(back);
  EXPECT_EQ(PeerList(back->body).size(), good);
  EXPECT_TRUE(AllStale(back->body, false)) << back->body;
  if (fault == "huge" || fault == "endless") {
    EXPECT_LT(PeakResidentBytes(sidecar.pid()), PeakMemoryBound());
  }

  watch.Stop();
  EXPECT_GE(watch.versions(), 1u);  // the peers went stale and fresh again: versions it saw
  EXPECT_EQ(watch.fewest(), good) << "a version with fewer peers was published";
}

std::vector<FaultCase> AllCases() {
  std::vector<FaultCase> cases;
  for (const char* source : {"tailscale", "headscale"}) {
    for (const char* fault : {"500", "401", "garbage", "huge", "endless", "silent", "gone"}) {
      cases.push_back({source, fault});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Faults, SourceFaultTest, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<FaultCase>& info) {
                           return info.param.source + "_" + info.param.fault;
                         });

}  // namespace
}  // namespace peerscout::testing
