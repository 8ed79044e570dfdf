// [[template]] against the real binary: the file follows the peers and is replaced only when
// its bytes change; the command runs after each replacement, coalesced, bounded by its
// timeout, with its status and output in /v1/templates and /metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <sstream>
#include <thread>

#include "tests/integration/sidecar_process.h"
#include "tests/integration/sidecar_queries.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;

// A config with one template (`keys` are its lines beyond source and destination) and a
// static peer per address.
std::string Config(const std::vector<std::string>& peers, const std::string& keys = "") {
  // Rendering waits for every source's first report, so the first file already holds the
  // static peers: no tailnet here, and the env source reports at once.
  std::string config = R"(
[sources.tailscale]
enabled = false

[[template]]
source = "peers.mustache"
destination = "out/peers.conf"
)" + keys + "\n";
  for (const std::string& peer : peers) config += "[[static]]\naddress = \"" + peer + "\"\n";
  return config;
}

constexpr const char* kUpstream =
    "upstream app {\n{{#peers}}{{#addresses}}  server {{ip}}:{{port}};\n{{/addresses}}{{/peers}}}"
    "\n";

struct FileIdentity {
  ino_t inode = 0;
  timespec mtime{};
  bool operator==(const FileIdentity& other) const {
    return inode == other.inode && mtime.tv_sec == other.mtime.tv_sec &&
           mtime.tv_nsec == other.mtime.tv_nsec;
  }
};

FileIdentity Identify(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return {info.st_ino, info.st_mtim};
}

class TemplateTest : public ::testing::Test {
 protected:
  void Start(const std::string& config, const std::string& source = kUpstream) {
    directory_.Write("peers.mustache", source);
    sidecar_.emplace(directory_, SidecarProcess::Options{config, {}, {}});
    ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  }

  void Reload(const std::string& config) {
    sidecar_->RewriteConfig(config);
    sidecar_->Signal(SIGHUP);
  }

  std::string Destination() const { return directory_ / "out/peers.conf"; }

  bool DestinationIs(const std::string& text) {
    return Eventually([&] { return directory_.Read("out/peers.conf") == text; },
                      std::chrono::seconds(20));
  }

  // The one template's entry in /v1/templates.
  rapidjson::Document Status() const {
    auto reply = sidecar_->Get("/v1/templates");
    rapidjson::Document document;
    if (!reply || reply->status != 200) return document;
    document.Parse(reply->body.c_str());
    return document;
  }

  // A field of the template's status, or of its command ("command.runs"), as text.
  std::string Field(const std::string& field) const {
    rapidjson::Document document = Status();
    if (!document.IsObject() || document["templates"].Empty()) return "";
    const rapidjson::Value* value = &document["templates"][0];
    std::stringstream path(field);
    std::string key;
    while (std::getline(path, key, '.')) {
      if (!value->IsObject() || !value->HasMember(key.c_str())) return "";
      value = &(*value)[key.c_str()];
    }
    if (value->IsString()) return value->GetString();
    if (value->IsUint64()) return std::to_string(value->GetUint64());
    if (value->IsInt64()) return std::to_string(value->GetInt64());
    if (value->IsBool()) return value->GetBool() ? "true" : "false";
    if (value->IsNull()) return "null";
    return "";
  }

  bool FieldBecomes(const std::string& field, const std::string& want) {
    return Eventually([&] { return Field(field) == want; }, std::chrono::seconds(20));
  }

  TestDirectory directory_;
  std::optional<SidecarProcess> sidecar_;
};

TEST_F(TemplateTest, TheFileFollowsThePeersAndTheCommandRunsOnEachReplacement) {
  const std::string keys = "command = ['sh', '-c', 'echo ran >> " + directory_ / "ran.log" +
                           "; echo replaced $((6 * 7))']";
  Start(Config({"10.88.0.2:52416"}, keys));
  ASSERT_TRUE(DestinationIs("upstream app {\n  server 10.88.0.2:52416;\n}\n")) << sidecar_->Log();
  ASSERT_TRUE(FieldBecomes("command.runs", "1")) << sidecar_->Log();
  const FileIdentity first = Identify(Destination());

  Reload(Config({"10.88.0.2:52416", "10.88.0.3:52416"}, keys));
  ASSERT_TRUE(
      DestinationIs("upstream app {\n  server 10.88.0.2:52416;\n  server 10.88.0.3:52416;\n}\n"))
      << sidecar_->Log();
  // Replaced by a rename, not rewritten in place: a reader never sees half a file.
  EXPECT_NE(Identify(Destination()).inode, first.inode);
  ASSERT_TRUE(FieldBecomes("command.runs", "2")) << sidecar_->Log();
  EXPECT_EQ(directory_.Read("ran.log"), "ran\nran\n");
  EXPECT_EQ(Field("command.last_status"), "exited 0");
  EXPECT_EQ(Field("command.exit_code"), "0");
  EXPECT_EQ(Field("command.output_tail"), "replaced 42\n");
  EXPECT_EQ(Field("command.failures"), "0");
  EXPECT_EQ(Field("writes"), "2");
  EXPECT_EQ(Field("last_error"), "null");
  EXPECT_EQ(Field("destination"), Destination());
  auto peers = sidecar_->Get("/v1/peers");
  ASSERT_TRUE(peers);
  EXPECT_EQ(Field("last_rendered"), std::to_string(peers->index.value_or(0)));
  // The command's output is for the API, not the log.
  EXPECT_THAT(sidecar_->Log(), HasSubstr("running sh -c"));
  EXPECT_THAT(sidecar_->Log(), ::testing::Not(HasSubstr("replaced 42")));
}

TEST_F(TemplateTest, SameBytesLeaveTheFileAndTheCommandAlone) {
  const std::string keys = "command = ['sh', '-c', 'echo ran >> " + directory_ / "ran.log" + "']";
  Start(Config({"10.88.0.2:52416"}, keys), "peers: {{peer_count}}\n");
  ASSERT_TRUE(DestinationIs("peers: 1\n")) << sidecar_->Log();
  ASSERT_TRUE(FieldBecomes("command.runs", "1"));
  const FileIdentity before = Identify(Destination());
  const std::string rendered = Field("last_rendered");

  // Another peer, so another version, but the same count: the same bytes.
  Reload(Config({"10.88.0.9:52416"}, keys));
  ASSERT_TRUE(Eventually([&] {
    return !Field("last_rendered").empty() && Field("last_rendered") != rendered;
  })) << sidecar_->Log();
  EXPECT_EQ(Identify(Destination()), before);
  EXPECT_EQ(Field("writes"), "1");
  EXPECT_EQ(Field("command.runs"), "1");
  EXPECT_EQ(directory_.Read("ran.log"), "ran\n");
}

TEST_F(TemplateTest, ARestartWithTheSameBytesRunsNoCommand) {
  const std::string keys = "command = ['sh', '-c', 'echo ran >> " + directory_ / "ran.log" + "']";
  Start(Config({"10.88.0.2:52416"}, keys));
  ASSERT_TRUE(FieldBecomes("command.runs", "1"));
  const FileIdentity before = Identify(Destination());
  sidecar_->Signal(SIGTERM);
  ASSERT_EQ(sidecar_->WaitForExit(), 0);
  sidecar_.reset();
  sidecar_.emplace(directory_, SidecarProcess::Options{Config({"10.88.0.2:52416"}, keys), {}, {}});
  ASSERT_TRUE(sidecar_->WaitUntilHealthy()) << sidecar_->Log();
  ASSERT_TRUE(FieldBecomes("renders", "1")) << sidecar_->Log();
  EXPECT_EQ(Field("writes"), "0");
  EXPECT_EQ(Field("command.runs"), "0");
  EXPECT_EQ(Identify(Destination()), before);
  EXPECT_EQ(directory_.Read("ran.log"), "ran\n");
}

TEST_F(TemplateTest, ChangesDuringARunAreOneMoreRun) {
  // Each run logs itself, then waits for the test to open the gate.
  const std::string gate = directory_ / "gate";
  const std::string keys = "command = ['sh', '-c', 'echo run >> " + directory_ / "runs.log" +
                           "; while [ ! -e " + gate + " ]; do sleep 0.05; done; rm -f " + gate +
                           "']";
  Start(Config({"10.88.0.2:52416"}, keys));
  ASSERT_TRUE(Eventually([&] { return directory_.Read("runs.log") == "run\n"; }))
      << sidecar_->Log();
  EXPECT_EQ(Field("command.running"), "true");
  // Three replacements while the first run waits.
  for (const std::string last : {"3", "4", "5"}) {
    const std::string peer = "10.88.0." + last + ":52416";
    Reload(Config({peer}, keys));
    ASSERT_TRUE(DestinationIs("upstream app {\n  server " + peer + ";\n}\n")) << sidecar_->Log();
  }
  directory_.Write("gate", "");
  ASSERT_TRUE(Eventually([&] { return directory_.Read("runs.log") == "run\nrun\n"; }))
      << sidecar_->Log();
  directory_.Write("gate", "");
  ASSERT_TRUE(FieldBecomes("command.runs", "2")) << sidecar_->Log();
  ASSERT_TRUE(FieldBecomes("command.running", "false"));
  // No third run comes.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(directory_.Read("runs.log"), "run\nrun\n");
  EXPECT_EQ(Field("writes"), "4");
}

TEST_F(TemplateTest, ACommandPastItsTimeoutIsStoppedAndCountedAsFailed) {
  Start(Config({"10.88.0.2:52416"}, "command = ['sleep', '30']\ncommand_timeout = '1s'"));
  ASSERT_TRUE(FieldBecomes("command.last_status", "timed out after 1s")) << sidecar_->Log();
  EXPECT_EQ(Field("command.exit_code"), "null");
  EXPECT_EQ(Field("command.failures"), "1");
  EXPECT_EQ(Field("command.running"), "false");
  auto metrics = sidecar_->Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string label = "{destination=\"" + Destination() + "\"}";
  EXPECT_THAT(metrics->body, HasSubstr("peerscout_template_command_failures_total" + label + " 1"));
  EXPECT_THAT(metrics->body,
              HasSubstr("peerscout_template_command_last_exit_code" + label + " -1"));
  EXPECT_THAT(sidecar_->Log(), HasSubstr("timed out after 1s"));
}

TEST_F(TemplateTest, TheExitStatusAndTheOutputTailAreReported) {
  Start(Config({"10.88.0.2:52416"},
               "command = ['sh', '-c', 'echo to stdout; echo to stderr >&2; exit 3']"));
  ASSERT_TRUE(FieldBecomes("command.last_status", "exited 3")) << sidecar_->Log();
  EXPECT_EQ(Field("command.exit_code"), "3");
  EXPECT_EQ(Field("command.failures"), "1");
  EXPECT_EQ(Field("command.output_tail"), "to stdout\nto stderr\n");
  auto metrics = sidecar_->Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string label = "{destination=\"" + Destination() + "\"}";
  EXPECT_THAT(metrics->body, HasSubstr("peerscout_template_command_last_exit_code" + label + " 3"));
  EXPECT_THAT(metrics->body, HasSubstr("peerscout_template_renders_total" + label + " "));
  EXPECT_THAT(metrics->body, HasSubstr("peerscout_template_writes_total" + label + " 1"));
}

TEST_F(TemplateTest, AProgramThatIsNotThereCouldNotStart) {
  Start(Config({"10.88.0.2:52416"}, "command = ['/nonexistent/reload-me']"));
  ASSERT_TRUE(FieldBecomes("command.last_status", "could not start: No such file or directory"))
      << sidecar_->Log();
  EXPECT_EQ(directory_.Read("out/peers.conf"), "upstream app {\n  server 10.88.0.2:52416;\n}\n");
}

TEST_F(TemplateTest, AReloadRereadsTheTemplateAndRefusesABrokenOne) {
  Start(Config({"10.88.0.2:52416"}));
  ASSERT_TRUE(DestinationIs("upstream app {\n  server 10.88.0.2:52416;\n}\n")) << sidecar_->Log();
  directory_.Write("peers.mustache", "{{{lines}}}\n");
  sidecar_->Signal(SIGHUP);
  ASSERT_TRUE(DestinationIs("10.88.0.2:52416\n")) << sidecar_->Log();

  directory_.Write("peers.mustache", "{{#peers}}\n{{id}}\n");
  sidecar_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] {
    return sidecar_->Log().find("reload refused") != std::string::npos;
  })) << sidecar_->Log();
  EXPECT_THAT(sidecar_->Log(), HasSubstr("peers.mustache: line 1: Unclosed section"));
  EXPECT_EQ(directory_.Read("out/peers.conf"), "10.88.0.2:52416\n");
}

TEST_F(TemplateTest, CheckConfigNamesTheTemplateFileAndLine) {
  directory_.Write("broken.mustache", "ok\n{{#peers}}{{ip}}\n");
  directory_.Write("bad.toml",
                   "[[template]]\nsource = \"broken.mustache\"\ndestination = \"a\"\n"
                   "[[template]]\nsource = \"gone.mustache\"\ndestination = \"b\"\n");
  ProcessResult check = RunPeerscout({"check-config", "--config", directory_ / "bad.toml"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_THAT(check.err,
              HasSubstr("bad.toml:2: [[template]] source " + directory_ / "broken.mustache" +
                        ": line 2: Unclosed section \"peers\""));
  EXPECT_THAT(check.err,
              HasSubstr("bad.toml:5: [[template]] source " + directory_ / "gone.mustache" +
                        ": cannot read: No such file or directory"));
}

}  // namespace
}  // namespace peerscout::testing
