// The Headscale source against real Headscale releases of each API generation, with real
// tailscaled nodes registered by pre-auth keys and tags set through Headscale's own CLI.
// peerscout runs inside node 1's namespaces: Headscale is reachable only on the lab bridge.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <functional>
#include <thread>

#include "tests/integration/sidecar_queries.h"
#include "tests/integration/tailnet/lab.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPeerA = "12D3KooW9pP4Seg3kZYhySpuVjn1RPdQBsUFZKiFxGMGQN5MeL6A";
constexpr const char* kCidA = "bafzaajaiaejcaaabaibqibiga4eascqlbqgq4dyqcejbgfavcylrqgi2dmob2hq7";
constexpr const char* kPeerB = "12D3KooWBynX2HaNg73xSLq9TJDQjQKozxCh7MgVqKgGGXWXYzQn";
constexpr const char* kCidB = "bafzaajaiaejcaibbeirsijjge4ucskrlfqws4lzqgezdgnbvgy3tqoj2hm6d2pr7";

std::string Config(const std::string& url, const std::string& key_file, const std::string& extra) {
  return "[registry]\nstartup_deadline = \"0s\"\n[self]\ndetect_interfaces = false\n"
         "[sources.env]\nenabled = false\n[sources.tailscale]\nenabled = false\n"
         "[sources.headscale]\nurl = \"" +
         url + "\"\nallow_http = true\napi_key_file = \"" + key_file +
         "\"\npoll_interval = \"500ms\"\n" + extra;
}

// The merged peer of tailnet node `id` in /v1/peers, as "peer_id multiaddr online", or "".
std::string PeerOf(const SidecarProcess& sidecar, const std::string& id) {
  auto reply = sidecar.Get("/v1/peers");
  if (!reply) return "";
  rapidjson::Document document = Json(reply->body);
  if (!document.IsObject()) return "";
  for (const auto& peer : document["peers"].GetArray()) {
    if (!peer["tailnet_node"].IsString() || id != peer["tailnet_node"].GetString()) continue;
    const std::string peer_id = peer["peer_id"].IsString() ? peer["peer_id"].GetString() : "-";
    const std::string address =
        peer["addresses"].Size() > 0 ? peer["addresses"][0]["multiaddr"].GetString() : "-";
    return peer_id + " " + address + " " + (peer["online"].GetBool() ? "online" : "offline");
  }
  return "";
}

std::string SourceField(const SidecarProcess& sidecar, const std::string& field) {
  return testing::SourceField(sidecar, "headscale", field == "api" ? "details.api" : field);
}

// tests/tools/daemon-versions.env's HEADSCALE_VERSIONS, through CMake.
std::vector<std::string> Releases() {
  std::vector<std::string> releases;
  std::string text = PEERSCOUT_HEADSCALE_VERSIONS;
  for (size_t start = 0; start < text.size();) {
    size_t space = text.find(' ', start);
    if (space == std::string::npos) space = text.size();
    if (space > start) releases.push_back(text.substr(start, space - start));
    start = space + 1;
  }
  return releases;
}

class HeadscaleSourceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    lab_.emplace(directory_, 4, Lab::Versions{"", GetParam(), ""});
    if (!lab_->ok()) {
      if (IntegrationRequired()) FAIL() << lab_->error();
      GTEST_SKIP() << "no tailnet lab (needs root, Go and the built daemons): " << lab_->error();
    }
    const ProcessResult key = lab_->Run("apikey");
    ASSERT_EQ(key.exit_code, 0) << key.err;
    key_ = key.out.substr(0, key.out.find('\n'));
    ASSERT_FALSE(key_.empty());
  }

  SidecarProcess& Start(const std::string& key, const std::string& extra) {
    auto directory = std::make_unique<TestDirectory>();
    directory->Write("api-key", key + "\n");
    auto sidecar = std::make_unique<SidecarProcess>(
        *directory,
        SidecarProcess::Options{Config(lab_->Get("HEADSCALE_URL"), *directory / "api-key", extra),
                                {},
                                lab_->InNode(1)});
    directories_.push_back(std::move(directory));
    sidecars_.push_back(std::move(sidecar));
    return *sidecars_.back();
  }

  TestDirectory directory_;
  std::optional<Lab> lab_;
  std::string key_;
  std::vector<std::unique_ptr<TestDirectory>> directories_;
  std::vector<std::unique_ptr<SidecarProcess>> sidecars_;
};

TEST_P(HeadscaleSourceTest, ListsTaggedNodesAndKeepsThemThroughAnOutage) {
  ASSERT_EQ(lab_->Run("tag", {"2", "tag:exo", std::string("tag:exo_peer_id=") + kCidA,
                              "tag:exo_port=52416"})
                .exit_code,
            0);
  ASSERT_EQ(
      lab_->Run("tag", {"3", std::string("tag:exo-peer-") + kCidB, "tag:exo-port-52418"}).exit_code,
      0);
  ASSERT_EQ(lab_->Run("tag", {"4", "tag:exo"}).exit_code, 0);
  SidecarProcess& sidecar = Start(key_, "");
  SidecarProcess& members = Start(key_, "member_tag = \"tag:exo\"\napp_port = 52416\n");
  SidecarProcess& wrong = Start("0123456.abcdefghijklmnopqrstuvwxyz012345", "");
  for (SidecarProcess* s : {&sidecar, &members, &wrong}) {
    ASSERT_TRUE(s->WaitUntilHealthy()) << s->Log();
  }
  const std::string n2 = lab_->Node(2, "ID"), n3 = lab_->Node(3, "ID"), n4 = lab_->Node(4, "ID");

  // Tagged nodes with their app's peer id and port, in either style; the member only on request.
  ASSERT_TRUE(Eventually([&] {
    return PeerOf(sidecar, n2) == std::string(kPeerA) + " /ip4/" + lab_->Node(2, "IP4") +
                                      "/tcp/52416/p2p/" + kPeerA + " online" &&
           PeerOf(sidecar, n3) == std::string(kPeerB) + " /ip4/" + lab_->Node(3, "IP4") +
                                      "/tcp/52418/p2p/" + kPeerB + " online";
  })) << sidecar.Get("/v1/peers")->body
      << sidecar.Log();
  EXPECT_EQ(PeerOf(sidecar, n4), "");
  EXPECT_EQ(PeerOf(sidecar, lab_->Node(1, "ID")), "");
  EXPECT_TRUE(Eventually([&] {
    return PeerOf(members, n4) == "- /ip4/" + lab_->Node(4, "IP4") + "/tcp/52416 online";
  })) << members.Get("/v1/peers")->body;
  const std::string api = SourceField(sidecar, "api");
  EXPECT_EQ(api, GetParam() >= "v0.28" ? "v0.28+ (tags)" : "v0.23-v0.27 (forcedTags)");

  // A wrong key: a clear state, and the key is nowhere.
  ASSERT_TRUE(Eventually([&] { return !SourceField(wrong, "last_error").empty(); }));
  EXPECT_THAT(SourceField(wrong, "last_error"), HasSubstr("API key rejected"));
  for (SidecarProcess* s : {&sidecar, &members, &wrong}) {
    EXPECT_THAT(s->Log(), Not(HasSubstr(key_)));
    EXPECT_THAT(s->Get("/v1/sources")->body, Not(HasSubstr(key_)));
    EXPECT_THAT(s->Get("/v1/peers")->body, Not(HasSubstr(key_)));
  }
  EXPECT_THAT(wrong.Log(), Not(HasSubstr("abcdefghijklmnopqrstuvwxyz012345")));

  // Offline (tailscaled killed) and expired nodes leave the list.
  ASSERT_EQ(lab_->Run("kill", {"3"}).exit_code, 0);
  EXPECT_TRUE(Eventually([&] { return PeerOf(sidecar, n3).empty(); }))
      << sidecar.Get("/v1/peers")->body;
  ASSERT_EQ(lab_->Run("expire", {"4"}).exit_code, 0);
  EXPECT_TRUE(Eventually([&] { return PeerOf(members, n4).empty(); }))
      << members.Get("/v1/peers")->body;

  // Headscale stopped: the last good peers stay, stale; back: recovered.
  ASSERT_EQ(lab_->Run("stop-headscale").exit_code, 0);
  ASSERT_TRUE(Eventually([&] { return SourceField(sidecar, "stale") == "true"; })) << sidecar.Log();
  EXPECT_THAT(PeerOf(sidecar, n2), HasSubstr(kPeerA));
  ASSERT_EQ(lab_->Run("start-headscale").exit_code, 0);
  EXPECT_TRUE(
      Eventually([&] { return SourceField(sidecar, "state") == "ok"; }, std::chrono::seconds(90)))
      << sidecar.Log();
  EXPECT_EQ(SourceField(sidecar, "stale"), "false");
}

// Self-registration: our node's tags set from [self], its other tags kept. On v0.28+ a tag must
// be a key of tagOwners: refused with a clear error, unless manage_policy adds the entries to a
// policy kept in Headscale's database.
class SelfRegistrationTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SelfRegistrationTest, SetsOurTagsAndOnV028NeedsThePolicy) {
  const bool needs_policy = GetParam() >= "v0.28";
  TestDirectory directory;
  Lab lab(directory, 2, Lab::Versions{"", GetParam(), needs_policy ? "database" : ""});
  if (!lab.ok()) {
    if (IntegrationRequired()) FAIL() << lab.error();
    GTEST_SKIP() << lab.error();
  }
  ASSERT_EQ(lab.Run("tag", {"1", "tag:exo"}).exit_code, 0);
  const ProcessResult apikey = lab.Run("apikey");
  ASSERT_EQ(apikey.exit_code, 0);
  const std::string key = apikey.out.substr(0, apikey.out.find('\n'));
  TestDirectory run;
  run.Write("api-key", key);
  const std::string self =
      "peer_ids = [\"12D3KooWE9BybvUhbeZCuEqPQrep3R2Dp2w8fPejiP1G8gwhTejQ\"]\napp_ports = "
      "[52420]\n";
  const auto config = [&](const std::string& extra) {
    std::string text =
        Config(lab.Get("HEADSCALE_URL"), run / "api-key", "self_register = true\n" + extra);
    // The tailscale source tells who we are (our tailnet addresses); our peer id is configured.
    const std::string off = "[sources.tailscale]\nenabled = false\n";
    text.replace(text.find(off), off.size(), "");
    const std::string section = "[self]\n";
    text.insert(text.find(section) + section.size(), self);
    return text;
  };
  const auto tags_of_node1 = [&] {
    return lab
        .Run("exec", {"2", "curl", "-s", "-H", "Authorization: Bearer " + key,
                      lab.Get("HEADSCALE_URL") + "/api/v1/node/" + lab.Node(1, "ID")})
        .out;
  };
  SidecarProcess plain(run, {config(""), {}, lab.InNode(1)});
  ASSERT_TRUE(plain.WaitUntilHealthy()) << plain.Log();
  if (needs_policy) {
    ASSERT_TRUE(Eventually([&] {
      auto reply = plain.Get("/v1/sources");
      return reply && reply->body.find("policy-snippet") != std::string::npos;
    })) << plain.Get("/v1/sources")->body;
    EXPECT_THAT(plain.Log(), HasSubstr("tagOwners"));
    EXPECT_THAT(tags_of_node1(), Not(HasSubstr("tag:exo-port-52420")));
    TestDirectory managed_dir;
    managed_dir.Write("api-key", key);
    SidecarProcess managed(managed_dir, {config("manage_policy = true\n"), {}, lab.InNode(1)});
    ASSERT_TRUE(managed.WaitUntilHealthy()) << managed.Log();
    ASSERT_TRUE(Eventually([&] {
      return tags_of_node1().find("tag:exo-port-52420") != std::string::npos;
    })) << tags_of_node1()
        << managed.Log();
  } else {
    ASSERT_TRUE(Eventually([&] {
      return tags_of_node1().find("tag:exo-port-52420") != std::string::npos;
    })) << tags_of_node1()
        << plain.Log();
  }
  const std::string tags = tags_of_node1();
  EXPECT_THAT(tags, HasSubstr("\"tag:exo\""));
  EXPECT_THAT(
      tags,
      HasSubstr("tag:exo-peer-bafzaajaiaejcaqcbijbuirkgi5eesssljrgu4t2qkfjfgvcvkzlvqwk2lnof2xs7"));
  EXPECT_THAT(plain.Log(), Not(HasSubstr(key)));
  // Now tagged with our own peer id, our node is still never one of our peers.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(PeerOf(plain, lab.Node(1, "ID")), "") << plain.Get("/v1/peers")->body;
}

INSTANTIATE_TEST_SUITE_P(Releases, SelfRegistrationTest, ::testing::ValuesIn(Releases()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

INSTANTIATE_TEST_SUITE_P(Releases, HeadscaleSourceTest, ::testing::ValuesIn(Releases()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace peerscout::testing
