// Hostile values end to end through the binary, for two sources at once: a captured tailscale
// status (file mode) with values spliced into one node, and an EXO_BOOTSTRAP_PEERS list. The
// env file is read back by a shell, the hosts file line by line, the API's JSON validated, and
// each refused value is found in /v1/sources. tests/unit/hostile_input_test.cc walks the
// whole matrix on the pure functions; this is the same promise kept by the running sidecar.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <sstream>
#include <thread>

#include "sidecar/net/dns_name.h"
#include "sidecar/net/ip_address.h"
#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::Contains;

struct Issue {
  std::string source;
  std::string subject;
  std::string reason;
};

std::vector<Issue> Issues(const SidecarProcess& sidecar) {
  std::vector<Issue> issues;
  auto reply = sidecar.Get("/v1/sources");
  if (!reply) return issues;
  rapidjson::Document document;
  document.Parse(reply->body.c_str());
  for (const auto& source : document["sources"].GetArray()) {
    for (const auto& issue : source["issues"].GetArray()) {
      issues.push_back({source["name"].GetString(),
                        {issue["entry"].GetString(), issue["entry"].GetStringLength()},
                        issue["reason"].GetString()});
    }
  }
  return issues;
}

bool HasIssue(const std::vector<Issue>& issues, const std::string& source,
              const std::string& subject) {
  return std::any_of(issues.begin(), issues.end(), [&](const Issue& issue) {
    return issue.source == source && issue.subject.find(subject) != std::string::npos;
  });
}

std::string Body(const SidecarProcess& sidecar, const std::string& target) {
  auto reply = sidecar.Get(target);
  return reply ? reply->body : "";
}

class HostileInputTest : public ::testing::Test {
 protected:
  std::string marker() const { return directory_ / "substituted"; }

  // The captured status with one online node's fields replaced, written by RapidJSON.
  std::string HostileStatus() const {
    rapidjson::Document status;
    status.Parse(TailscaleFixture("status-running-localapi.json").c_str());
    auto& allocator = status.GetAllocator();
    const rapidjson::Value& peers = status["Peer"];
    for (const auto& member : peers.GetObject()) {
      if (!member.value["Online"].IsTrue()) continue;
      rapidjson::Value& peer = status["Peer"][member.name];
      peer["HostName"].SetString(hostname_.c_str(), allocator);
      peer["OS"].SetString(os_.c_str(), allocator);
      peer["DNSName"].SetString(dns_name_.c_str(), allocator);
      for (const std::string& tag : tags_) {
        peer["Tags"].PushBack(rapidjson::Value(tag.c_str(), allocator), allocator);
      }
      break;
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    status.Accept(writer);
    return buffer.GetString();
  }

  std::string Config() const {
    // No startup deadline: health, and the files, wait for both sources' first look.
    return "[self]\ndetect_interfaces = false\n"
           "[sources.tailscale]\nmode = \"file\"\nstatus_file = \"" +
           (directory_ / "status.json") +
           "\"\npoll_interval = \"1h\"\n"
           "[[output]]\npath = \"peers.env\"\nformat = \"env\"\n"
           "vars = { EXO_BOOTSTRAP_PEERS = \"exo\", PEERSCOUT_LINES = \"lines\" }\n"
           "[[output]]\npath = \"peers.hosts\"\nformat = \"hosts\"\n";
  }

  std::string ReadWhenPresent(const std::string& name) const {
    for (int i = 0; i < 500 && directory_.Read(name).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return directory_.Read(name);
  }

  TestDirectory directory_;
  const std::string hostname_ = "exo\n$(touch " + marker() + ")'\"";
  const std::string os_ = "linux'; touch " + marker() + "; '`id`";
  const std::string dns_name_ = "exo;touch x.lab.test.";
  const std::vector<std::string> tags_ = {"tag:exo\tx", "tag:ok,#=1"};
  const std::string bootstrap_ = "/ip4/10.77.0.2/tcp/52416,/dns4/x$(touch " + marker() +
                                 ")/tcp/1,exo'x:1,../exo:2,-exo:3,/ip4/10.77.0.3/tcp/1;id";
};

TEST_F(HostileInputTest, TailnetAndBootstrapValuesReachNoOutputUnescapedAndRefusalsAreShown) {
  directory_.Write("status.json", HostileStatus());
  SidecarProcess sidecar(directory_, {Config(), {{"EXO_BOOTSTRAP_PEERS", bootstrap_}}, {}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  const std::string env = ReadWhenPresent("peers.env");
  const std::string hosts = ReadWhenPresent("peers.hosts");
  ASSERT_FALSE(env.empty()) << sidecar.Log();

  // The shell reads the env file back to exactly what the API lists, and runs nothing.
  const std::string print_values =
      ". \"$1\" && printf '%s\\0%s\\0%s' \"$PEERSCOUT_PEERS\" \"$EXO_BOOTSTRAP_PEERS\" "
      "\"$PEERSCOUT_LINES\"";
  ProcessResult shell = RunCommand({"/bin/sh", "-c", print_values, "sh", directory_ / "peers.env"});
  ASSERT_EQ(shell.exit_code, 0) << shell.err << env;
  const std::string expected = Body(sidecar, "/v1/peers?format=multiaddr&separator=,") +
                               std::string(1, '\0') + Body(sidecar, "/v1/peers?format=exo") +
                               std::string(1, '\0') +
                               Body(sidecar, "/v1/peers?format=lines&separator=,");
  EXPECT_EQ(shell.out, expected) << env;
  EXPECT_NE(shell.out.find("/ip4/10.77.0.2/tcp/52416"), std::string::npos) << env;
  EXPECT_FALSE(std::filesystem::exists(marker()));

  // hosts(5): an address and host names, tab-separated, on every line but the comment.
  std::istringstream lines(hosts);
  size_t entries = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string field;
    std::getline(fields, field, '\t');
    EXPECT_TRUE(IpAddress::Parse(field)) << line;
    for (size_t names = 0; std::getline(fields, field, '\t'); ++names) {
      auto name = DnsName::Parse(field);
      EXPECT_TRUE(name && name->ToString() == field) << line;
    }
    ++entries;
  }
  EXPECT_GT(entries, 0u) << hosts;

  // The JSON is valid UTF-8 and gives back what the node said of itself.
  rapidjson::Document peers;
  const std::string json = Body(sidecar, "/v1/peers");
  peers.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str());
  ASSERT_FALSE(peers.HasParseError()) << json;
  std::vector<std::string> hostnames;
  std::vector<std::string> oses;
  for (const auto& peer : peers["peers"].GetArray()) {
    if (peer["hostname"].IsString()) hostnames.emplace_back(peer["hostname"].GetString());
    if (peer["os"].IsString()) oses.emplace_back(peer["os"].GetString());
  }
  EXPECT_THAT(hostnames, Contains(hostname_));
  EXPECT_THAT(oses, Contains(os_));

  // What was refused is in /v1/sources, with the source that refused it.
  const std::vector<Issue> issues = Issues(sidecar);
  EXPECT_TRUE(HasIssue(issues, "tailscale", dns_name_)) << Body(sidecar, "/v1/sources");
  EXPECT_TRUE(HasIssue(issues, "tailscale", "tag:exo\tx")) << Body(sidecar, "/v1/sources");
  for (const std::string subject : {"/dns4/x$(touch", "exo'x:1", "../exo:2", "-exo:3", ";id"}) {
    EXPECT_TRUE(HasIssue(issues, "env", subject)) << subject << "\n"
                                                  << Body(sidecar, "/v1/sources");
  }
}

}  // namespace
}  // namespace peerscout::testing
