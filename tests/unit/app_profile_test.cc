// App profiles: `app = "<name>"` sets the defaults sources and outputs use, [apps.<name>]
// changes or adds a profile, and a variable an app refuses is never configured for it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adapters/exo/exo_source.h"
#include "adapters/headscale/headscale_source.h"
#include "adapters/mdns/mdns_source.h"
#include "adapters/tailscale/tailscale_source.h"
#include "sidecar/config/config_loader.h"

namespace peerscout {
namespace {

using ::testing::HasSubstr;

class AppProfileTest : public ::testing::Test {
 protected:
  AppProfileTest() {
    file_ = std::filesystem::temp_directory_path() /
            ("peerscout-app-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
  }
  ~AppProfileTest() override { std::filesystem::remove(file_); }

  ErrorOr<Config> Load(const std::string& text,
                       std::map<std::string, std::string, std::less<>> env = {}) {
    std::ofstream(file_) << text;
    static const std::array catalog{tailscale::Factory(), headscale::Factory(), mdns::Factory(),
                                    exo::Factory()};
    return LoadConfig(file_.string(), Environment(std::move(env)), catalog);
  }

  static const SourceConfig& Source(const Config& config, std::string_view name) {
    for (const SourceConfig& source : config.sources) {
      if (source.name == name) return source;
    }
    ADD_FAILURE() << "no source " << name;
    return config.sources.front();
  }

  std::filesystem::path file_;
};

TEST_F(AppProfileTest, GenericLeavesEveryDefaultAsItWas) {
  auto config = Load("");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->app.name, "generic");
  const OptionValues& tailscale = Source(*config, "tailscale").options;
  EXPECT_EQ(tailscale.Get<std::string>("tag_prefix"), "exo");
  EXPECT_FALSE(tailscale.Has("app_port"));
  const OptionValues& mdns = Source(*config, "mdns").options;
  EXPECT_EQ(mdns.Get<std::vector<std::string>>("service_types"),
            std::vector<std::string>{"_peerscout._tcp"});
  EXPECT_EQ(mdns.Get<std::string>("app"), "");
  EXPECT_TRUE(mdns.Get<bool>("ipv6"));
}

TEST_F(AppProfileTest, SkulkSetsTheSourcesDefaults) {
  auto config = Load("app = \"skulk\"\n[sources.headscale]\nurl = \"https://hs.example\"\n");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->app.variable, "SKULK_BOOTSTRAP_PEERS");
  for (std::string_view name : {"tailscale", "headscale"}) {
    const OptionValues& values = Source(*config, name).options;
    EXPECT_EQ(values.Get<std::string>("tag_prefix"), "skulk") << name;
    EXPECT_EQ(values.Get<int64_t>("app_port"), 52416) << name;
    EXPECT_EQ(values.Origin("app_port"), "app skulk") << name;
  }
  const OptionValues& mdns = Source(*config, "mdns").options;
  EXPECT_EQ(mdns.Get<std::vector<std::string>>("service_types"),
            std::vector<std::string>{"_skulk._tcp"});
  EXPECT_EQ(mdns.Get<std::string>("advertise_type"), "_skulk._tcp");
  EXPECT_EQ(mdns.Get<std::string>("app"), "skulk");
  EXPECT_FALSE(mdns.Get<bool>("ipv6"));  // Skulk dials IPv4 only
}

TEST_F(AppProfileTest, AKeyInTheFileWinsOverTheProfile) {
  auto config = Load("app = \"skulk\"\n[sources.tailscale]\napp_port = 9000\n",
                     {{"PEERSCOUT_SOURCES_MDNS_IPV6", "true"}});
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(Source(*config, "tailscale").options.Get<int64_t>("app_port"), 9000);
  EXPECT_TRUE(Source(*config, "mdns").options.Get<bool>("ipv6"));
}

TEST_F(AppProfileTest, TheAppComesFromAVariableToo) {
  auto config = Load("", {{"PEERSCOUT_APP", "exo-libp2p"}});
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->app.variable, "EXO_BOOTSTRAP_PEERS");
  EXPECT_EQ(config->app.format, "exo");
  // exo's libp2p port is OS-assigned: no port is assumed.
  EXPECT_FALSE(Source(*config, "tailscale").options.Has("app_port"));
}

TEST_F(AppProfileTest, AnUnknownAppIsRefusedWithTheKnownOnes) {
  auto config = Load("app = \"exo\"\n");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr("app 'exo': no such profile"));
  EXPECT_THAT(config.error(), HasSubstr("exo-libp2p, skulk, exo-zenoh, generic"));
}

TEST_F(AppProfileTest, AUserProfileChangesABuiltInOne) {
  auto config = Load("app = \"skulk\"\n[apps.skulk]\napp_port = 4001\n");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->app.app_port, 4001);
  EXPECT_EQ(config->app.variable, "SKULK_BOOTSTRAP_PEERS");  // the rest is Skulk's
  EXPECT_EQ(Source(*config, "tailscale").options.Get<int64_t>("app_port"), 4001);
}

TEST_F(AppProfileTest, ExoZenohTurnsOnTheExoSourceWithIntroductions) {
  auto config = Load("app = \"exo-zenoh\"\n");
  ASSERT_TRUE(config) << config.error();
  const SourceConfig& exo = Source(*config, "exo");
  EXPECT_TRUE(exo.enabled);
  EXPECT_TRUE(exo.options.Get<bool>("introduce"));
  config = Load("app = \"exo-zenoh\"\n[sources.exo]\nintroduce = false\n");
  ASSERT_TRUE(config) << config.error();
  EXPECT_FALSE(Source(*config, "exo").options.Get<bool>("introduce"));
  // Elsewhere it is off, and written out it probes without introducing.
  config = Load("");
  ASSERT_TRUE(config) << config.error();
  for (const SourceConfig& source : config->sources) EXPECT_NE(source.name, "exo");
  config = Load("[sources.exo]\n");
  ASSERT_TRUE(config) << config.error();
  EXPECT_TRUE(Source(*config, "exo").enabled);
  EXPECT_FALSE(Source(*config, "exo").options.Get<bool>("introduce"));
}

TEST_F(AppProfileTest, AUserProfileStartsFromItsBase) {
  auto config = Load(
      "app = \"mine\"\n[apps.mine]\nbase = \"exo-zenoh\"\nvariable = \"MINE_PEERS\"\n"
      "families = \"ipv6\"\n",
      {{"PEERSCOUT_APPS_MINE_APP_PORT", "7447"}});
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->app.name, "mine");
  EXPECT_EQ(config->app.variable, "MINE_PEERS");
  EXPECT_EQ(config->app.format, "zenoh");
  EXPECT_EQ(config->app.app_port, 7447);
  EXPECT_EQ(config->app.families, AddressFamilies::kIpv6);
  EXPECT_EQ(config->app.refused_variables,
            (std::vector<std::string>{"EXO_BOOTSTRAP_PEERS", "EXO_LIBP2P_NAMESPACE"}));
  EXPECT_EQ(config->apps.size(), BuiltinAppProfiles().size() + 1);
}

TEST_F(AppProfileTest, BadProfileFieldsAreRefusedWithTheirPlace) {
  auto config =
      Load("[apps.bad]\nvariable = \"1X\"\nformat = \"json\"\napp_port = 70000\nbase = \"nope\"\n");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr("[apps.bad] base: no profile 'nope'"));
  config = Load("[apps.bad]\nvariable = \"1X\"\nformat = \"json\"\napp_port = 70000\n");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr(":2: [apps.bad] variable: '1X' is not a variable name"));
  EXPECT_THAT(config.error(), HasSubstr("format: 'json' is not a list format"));
  EXPECT_THAT(config.error(), HasSubstr("app_port: must be 1-65535"));
}

TEST_F(AppProfileTest, TheEnvOutputCarriesTheAppsVariable) {
  auto config = Load("app = \"exo-zenoh\"\n[[output]]\npath = \"/tmp/x.env\"\nformat = \"env\"\n");
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->outputs[0].render.env_vars.size(), 1u);
  EXPECT_EQ(config->outputs[0].render.env_vars[0],
            (EnvVariable{"EXO_ZENOH_CONNECT", "zenoh", AddressFamilies::kAny}));
}

TEST_F(AppProfileTest, AVariableTheAppRefusesIsNeverConfiguredForIt) {
  auto config = Load(
      "app = \"exo-zenoh\"\n[[output]]\npath = \"/tmp/x.env\"\nformat = \"env\"\n"
      "vars = { EXO_BOOTSTRAP_PEERS = \"exo\" }\n");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(),
              HasSubstr("EXO_BOOTSTRAP_PEERS: app exo-zenoh refuses to start with it set"));
}

}  // namespace
}  // namespace peerscout
