// The sources' factories refuse bad settings with the key and where it was set.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "adapters/env/env_source.h"
#include "adapters/headscale/headscale_source.h"
#include "adapters/mdns/mdns_source.h"
#include "adapters/tailscale/tailscale_source.h"
#include "sidecar/config/config_loader.h"

namespace peerscout {
namespace {

using ::testing::HasSubstr;

// Creates the source `name` from a config text; its error, or "" when it was made.
std::string Create(const std::string& text, const std::string& name) {
  static const std::array catalog{env::Factory(), tailscale::Factory(), headscale::Factory(),
                                  mdns::Factory()};
  // One file per test process: ctest runs these tests side by side.
  const std::string path =
      ::testing::TempDir() + "/factory-" + std::to_string(::getpid()) + ".toml";
  std::ofstream(path) << text;
  auto config = LoadConfig(path, Environment(), catalog);
  if (!config) return config.error();
  for (const SourceConfig& source : config->sources) {
    if (source.name != name) continue;
    for (const SourceFactory& factory : catalog) {
      if (factory.type != source.type) continue;
      auto made = factory.create(SourceContext{*config, source, Environment()});
      return made ? "" : made.error();
    }
  }
  return "no source " + name;
}

TEST(SourceFactoryTest, HeadscaleNeedsAnHttpsUrlUnlessHttpIsAllowed) {
  EXPECT_THAT(Create("[sources.headscale]\n", "headscale"),
              HasSubstr("needs Headscale's https://"));
  EXPECT_THAT(Create("[sources.headscale]\nurl = \"http://10.0.0.1:8080\"\n", "headscale"),
              HasSubstr("allow_http = true"));
  EXPECT_EQ(Create("[sources.headscale]\nurl = \"http://10.0.0.1:8080\"\nallow_http = true\n",
                   "headscale"),
            "");
  EXPECT_EQ(Create("[sources.headscale]\nurl = \"https://hs.example/\"\n", "headscale"), "");
  EXPECT_THAT(
      Create("[sources.headscale]\nurl = \"https://h\"\nmember_tag = \"exo\"\n", "headscale"),
      HasSubstr("member_tag"));
  EXPECT_THAT(Create("[sources.headscale]\nurl = \"https://h\"\napp_port = 70000\n", "headscale"),
              HasSubstr("app_port: must be 1-65535"));
}

TEST(SourceFactoryTest, MdnsRefusesWhatCannotBeBrowsedOrAdvertised) {
  EXPECT_EQ(Create("[sources.mdns]\n", "mdns"), "");
  EXPECT_THAT(Create("[sources.mdns]\nservice_types = [\"_exo._tcp\", \"exo\"]\n", "mdns"),
              HasSubstr("service_types: 'exo' is not _name._tcp"));
  EXPECT_THAT(Create("[sources.mdns]\nadvertise_type = \"_a_b._tcp\"\n", "mdns"),
              HasSubstr("advertise_type"));
  EXPECT_THAT(Create("[sources.mdns]\napp = \"exo$(x)\"\n", "mdns"), HasSubstr("app:"));
  EXPECT_THAT(Create("[sources.mdns]\nquery_interval = \"100ms\"\n", "mdns"),
              HasSubstr("at least 1s"));
  EXPECT_THAT(Create("[sources.mdns]\nbackend = \"none\"\nlibp2p = false\n", "mdns"),
              HasSubstr("nothing to do"));
  EXPECT_THAT(Create("[sources.mdns]\nbackend = \"bonjour\"\n", "mdns"), HasSubstr("backend"));
}

TEST(SourceFactoryTest, AWrittenTableEnablesASourceThatIsOffByDefault) {
  static const std::array catalog{env::Factory(), tailscale::Factory(), headscale::Factory()};
  auto defaults = LoadConfig("", Environment(), catalog);
  ASSERT_TRUE(defaults);
  for (const SourceConfig& source : defaults->sources) {
    EXPECT_NE(source.name, "headscale") << "listed without a table";
  }
  const std::string path = ::testing::TempDir() + "/enabled.toml";
  std::ofstream(path) << "[sources.headscale]\nurl = \"https://h\"\n";
  auto written = LoadConfig(path, Environment(), catalog);
  ASSERT_TRUE(written);
  bool enabled = false;
  for (const SourceConfig& source : written->sources) {
    if (source.name == "headscale") enabled = source.enabled;
  }
  EXPECT_TRUE(enabled);
}

TEST(SourceFactoryTest, TailscaleModesNeedTheirSettings) {
  EXPECT_EQ(Create("", "tailscale"), "");
  EXPECT_THAT(Create("[sources.tailscale]\nmode = \"file\"\n", "tailscale"),
              HasSubstr("needs a status_file"));
  EXPECT_THAT(Create("[sources.tailscale]\nmode = \"cli\"\ncommand = []\n", "tailscale"),
              HasSubstr("needs a command"));
  EXPECT_THAT(Create("[sources.tailscale]\nmode = \"pipe\"\n", "tailscale"),
              HasSubstr("expected one of"));
  EXPECT_THAT(Create("[sources.tailscale]\ntag_prefix = \"EXO\"\n", "tailscale"),
              HasSubstr("tag_prefix"));
  EXPECT_THAT(Create("[sources.tailscale]\npoll_interval = \"0s\"\n", "tailscale"),
              HasSubstr("poll_interval: must be positive"));
}

}  // namespace
}  // namespace peerscout
