#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adapters/env/env_source.h"
#include "adapters/headscale/headscale_source.h"
#include "adapters/mdns/mdns_source.h"
#include "adapters/tailscale/tailscale_source.h"
#include "sidecar/config/config_loader.h"
#include "sidecar/config/config_schema.h"
#include "sidecar/option/duration.h"
#include "sidecar/system/whole_file.h"

namespace peerscout {
namespace {

using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("peerscout-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  ~ConfigTest() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& text) {
    std::string path = (dir_ / "sidecar.toml").string();
    std::ofstream(path) << text;
    return path;
  }

  ErrorOr<Config> Load(const std::string& text,
                       std::map<std::string, std::string, std::less<>> env = {}) {
    static const std::array catalog{env::Factory()};
    return LoadConfig(text.empty() ? "" : Write(text), Environment(std::move(env)), catalog);
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsWithoutAFile) {
  auto config = Load("");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->server.socket, "/run/peerscout/peerscout.sock");
  EXPECT_EQ(config->server.socket_mode, 0660u);
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_EQ(config->sources[0].name, "env");
  EXPECT_TRUE(config->sources[0].enabled);
  EXPECT_EQ(config->sources[0].options.Get<std::vector<std::string>>("variables"),
            (std::vector<std::string>{"EXO_BOOTSTRAP_PEERS", "SKULK_BOOTSTRAP_PEERS",
                                      "PEERSCOUT_PEERS"}));
  EXPECT_EQ(config->registry.stale_after, std::chrono::minutes(10));
}

TEST_F(ConfigTest, SocketFromPeerscoutSocketAndRuntimeDir) {
  auto config = Load("", {{"PEERSCOUT_SOCKET", "/tmp/x.sock"}});
  EXPECT_EQ(config->server.socket, "/tmp/x.sock");
  config = Load("", {{"PEERSCOUT_RUNTIME_DIR", "/var/run/ps"}});
  EXPECT_EQ(config->server.socket, "/var/run/ps/peerscout.sock");
}

TEST_F(ConfigTest, ReadsEveryKindOfValue) {
  auto config = Load(R"(
runtime_dir = "/srv/ps"
[log]
level = "debug"
format = "json"
[server]
socket_mode = "0600"
max_wait = "2m"
[registry]
stale_after = "1h30m"
[self]
peer_ids = ["12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"]
addresses = ["203.0.113.4"]
app_ports = [52416, "52417"]
local_subnets = ["10.10.0.0/16"]
[sources.env]
variables = ["MY_PEERS"]
resolve_interval = "5s"
[[static]]
address = "/ip4/10.0.0.2/tcp/52416"
name = "exo-2"
[[static]]
addresses = ["10.0.0.3:1", "[fd00::3]:1"]
[[output]]
path = "peers.json"
format = "json"
[[output]]
path = "/etc/exo/peers.env"
format = "env"
mode = 0o600
vars = { EXO_BOOTSTRAP_PEERS = "exo" }
sources = ["env"]
online = "true"
)");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->log.format, "json");
  EXPECT_EQ(config->server.socket, "/srv/ps/peerscout.sock");
  EXPECT_EQ(config->server.socket_mode, 0600u);
  EXPECT_EQ(config->server.max_wait, std::chrono::minutes(2));
  EXPECT_EQ(config->registry.stale_after, std::chrono::minutes(90));
  EXPECT_EQ(config->self.peer_ids.size(), 1u);
  EXPECT_EQ(config->self.app_ports, (std::vector<uint16_t>{52416, 52417}));
  EXPECT_EQ(config->self.local_subnets[0].ToString(), "10.10.0.0/16");
  EXPECT_EQ(config->sources[0].options.Get<Duration>("resolve_interval"), std::chrono::seconds(5));
  const std::vector<env::StaticPeer> static_peers = env::StaticPeers(*config);
  ASSERT_EQ(static_peers.size(), 2u);
  EXPECT_EQ(static_peers[1].addresses.size(), 2u);
  EXPECT_THAT(static_peers[0].origin, HasSubstr("sidecar.toml:19"));
  ASSERT_EQ(config->outputs.size(), 2u);
  EXPECT_EQ(config->outputs[0].path, "/srv/ps/peers.json");
  EXPECT_EQ(config->outputs[1].mode, 0600u);
  EXPECT_EQ(config->outputs[1].render.env_vars[0].name, "EXO_BOOTSTRAP_PEERS");
  EXPECT_EQ(config->outputs[1].filter.online, true);
}

TEST_F(ConfigTest, UnknownKeysAndBadValuesNameTheKeyAndLine) {
  auto config = Load(R"([server]
socket_mode = "0999"
colour = "blue"

[registry]
stale_after = "10 minutes"
[log]
level = "loud"
)");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(),
              HasSubstr("sidecar.toml:2: socket_mode: expected an octal file mode"));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:3: unknown key 'colour' in [server]"));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:6: stale_after:"));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:8: level: expected one of: trace"));
}

TEST_F(ConfigTest, LivenessIsOffUnlessAskedAndItsBoundsAreChecked) {
  auto config = Load("");
  ASSERT_TRUE(config) << config.error();
  EXPECT_FALSE(config->liveness.enabled) << "nobody is connected to unless asked";
  config = Load(R"([liveness]
enabled = true
interval = "5s"
timeout = "500ms"
per_second = 50
[[output]]
path = "up.json"
format = "json"
reachable = "true"
)");
  ASSERT_TRUE(config) << config.error();
  EXPECT_TRUE(config->liveness.enabled);
  EXPECT_EQ(config->liveness.interval, std::chrono::seconds(5));
  EXPECT_EQ(config->liveness.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(config->liveness.per_second, 50);
  EXPECT_EQ(config->outputs[0].filter.reachable, true);
  config = Load("[liveness]\ninterval = \"1s\"\n");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->liveness.timeout, std::chrono::seconds(1)) << "the default bows to it";
  config = Load(R"([liveness]
interval = "1s"
timeout = "2s"
per_second = 0
)");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:3: liveness.timeout: at least 10ms and no "
                                        "longer than the interval"));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:4: liveness.per_second: expected 1-10000"));
}

TEST_F(ConfigTest, SemanticErrorsNameTheKeyToo) {
  auto config = Load(R"([[output]]
path = "a"
format = "yaml"

[[output]]
format = "env"
path = "b"
vars = { "bad-name" = "exo", GOOD = "json" }
sources = ["nope"]

[[static]]
address = "/ip4/exo-2/tcp/30000"

[sources.lan]
type = "carrier-pigeon"
)");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:3: [[output]] format 'yaml': expected json"));
  EXPECT_THAT(config.error(), HasSubstr("'bad-name' is not a variable name"));
  EXPECT_THAT(config.error(), HasSubstr("vars.GOOD: 'json' is not a list format"));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:9: [[output]] sources: no source 'nope'"));
  EXPECT_THAT(config.error(),
              HasSubstr("sidecar.toml:11: [[static]] address '/ip4/exo-2/tcp/30000'"));
  EXPECT_THAT(config.error(), HasSubstr("unknown source type 'carrier-pigeon' (known: env)"));
}

TEST_F(ConfigTest, TomlSyntaxErrorsGiveTheLine) {
  auto config = Load("[server]\nsocket = \"unterminated\n");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:2:"));
}

TEST_F(ConfigTest, VariablesOverrideTheFile) {
  auto config = Load(R"([log]
level = "info"
[[output]]
path = "a.json"
format = "json"
)",
                     {{"PEERSCOUT_LOG_LEVEL", "warn"},
                      {"PEERSCOUT_REGISTRY_STALE_AFTER", "30s"},
                      {"PEERSCOUT_SOURCES_ENV_VARIABLES", "A,B"},
                      {"PEERSCOUT_SOURCES_ENV_ENABLED", "false"},
                      {"PEERSCOUT_OUTPUT_0_FORMAT", "exo"},
                      {"PEERSCOUT_OUTPUT_1_PATH", "/tmp/b.env"},
                      {"PEERSCOUT_OUTPUT_1_FORMAT", "env"},
                      {"PEERSCOUT_OUTPUT_1_VARS", "X=exo,Y=multiaddr"}});
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->log.level, "warn");
  EXPECT_EQ(config->registry.stale_after, std::chrono::seconds(30));
  EXPECT_FALSE(config->sources[0].enabled);
  EXPECT_EQ(config->sources[0].options.Get<std::vector<std::string>>("variables"),
            (std::vector<std::string>{"A", "B"}));
  ASSERT_EQ(config->outputs.size(), 2u);
  EXPECT_EQ(config->outputs[0].format->name, "exo");
  EXPECT_EQ(config->outputs[1].path, "/tmp/b.env");
  EXPECT_EQ(config->outputs[1].render.env_vars.size(), 2u);
}

TEST_F(ConfigTest, BadVariablesAreNamed) {
  auto config = Load("", {{"PEERSCOUT_SERVER_MAX_CONNECTIONS", "many"}});
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error(), HasSubstr("PEERSCOUT_SERVER_MAX_CONNECTIONS: expected an integer"));
}

TEST_F(ConfigTest, TheExampleConfigLoads) {
  static const std::array catalog{env::Factory(), tailscale::Factory(), headscale::Factory(),
                                  mdns::Factory()};
  auto config = LoadConfig(std::string(PEERSCOUT_SOURCE_DIR) + "/sidecar.toml.example",
                           Environment(), catalog);
  ASSERT_TRUE(config) << config.error();
}

TEST_F(ConfigTest, TheExampleDocumentsEveryKey) {
  std::string example;
  ASSERT_TRUE(ReadWholeFile(std::string(PEERSCOUT_SOURCE_DIR) + "/sidecar.toml.example", example));
  auto documented = [&example](std::string_view key) {
    const std::string plain = "\n" + std::string(key) + " = ";
    const std::string commented = "\n# " + std::string(key) + " = ";
    return example.find(plain) != std::string::npos || example.find(commented) != std::string::npos;
  };
  for (const SectionSpec& section : CoreSections()) {
    for (const OptionSpec& option : section.options)
      EXPECT_TRUE(documented(option.key)) << option.key;
  }
  for (const SourceFactory& factory :
       {env::Factory(), tailscale::Factory(), headscale::Factory(), mdns::Factory()}) {
    for (const OptionSpec& option : factory.options) {
      EXPECT_TRUE(documented(option.key)) << factory.type << "." << option.key;
    }
    for (const SourceTable& table : factory.tables) {
      for (const OptionSpec& option : table.options) {
        EXPECT_TRUE(documented(option.key)) << table.name << "." << option.key;
      }
    }
  }
  EXPECT_TRUE(documented("enabled"));
}

TEST_F(ConfigTest, TemplatesReadTheirSourceBesideTheConfigFile) {
  std::ofstream(dir_ / "peers.tmpl") << "{{#peers}}{{id}}\n{{/peers}}";
  auto config = Load(R"(
[[template]]
source = "peers.tmpl"
destination = "conf/peers.conf"
mode = "0600"
command = ["systemctl", "reload", "nginx"]
command_timeout = "5s"
online = "true"
)");
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->templates.size(), 1u);
  const TemplateConfig& output = config->templates[0];
  EXPECT_EQ(output.source, (dir_ / "peers.tmpl").string());
  EXPECT_EQ(output.destination, "/run/peerscout/conf/peers.conf");
  EXPECT_EQ(output.text.text(), "{{#peers}}{{id}}\n{{/peers}}");
  EXPECT_EQ(output.mode, 0600u);
  EXPECT_EQ(output.command, (std::vector<std::string>{"systemctl", "reload", "nginx"}));
  EXPECT_EQ(output.command_timeout, std::chrono::seconds(5));
  EXPECT_EQ(output.filter.online, true);
}

TEST_F(ConfigTest, TemplateDefaultsAndVariables) {
  std::ofstream(dir_ / "a.tmpl") << "{{exo}}";
  auto config = Load("", {{"PEERSCOUT_TEMPLATE_0_SOURCE", (dir_ / "a.tmpl").string()},
                          {"PEERSCOUT_TEMPLATE_0_DESTINATION", "/tmp/a.conf"},
                          {"PEERSCOUT_TEMPLATE_0_COMMAND", "touch,/tmp/done"}});
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->templates.size(), 1u);
  EXPECT_EQ(config->templates[0].destination, "/tmp/a.conf");
  EXPECT_EQ(config->templates[0].mode, 0644u);
  EXPECT_EQ(config->templates[0].command_timeout, std::chrono::seconds(30));
  EXPECT_EQ(config->templates[0].command, (std::vector<std::string>{"touch", "/tmp/done"}));
}

TEST_F(ConfigTest, TemplateErrorsNameTheFileAndLine) {
  std::ofstream(dir_ / "broken.tmpl") << "upstream {\n{{#peers}}\n  server {{ip}};\n";
  std::ofstream(dir_ / "ok.tmpl") << "{{exo}}";
  auto config = Load(R"([[template]]
source = "missing.tmpl"
destination = "a.conf"

[[template]]
source = "broken.tmpl"
destination = "b.conf"

[[template]]
source = "ok.tmpl"

[[template]]
destination = "d.conf"
source = "ok.tmpl"
command_timeout = "0s"

[[template]]
source = "ok.tmpl"
destination = "d.conf"
)");
  ASSERT_FALSE(config);
  const std::string missing = (dir_ / "missing.tmpl").string();
  const std::string broken = (dir_ / "broken.tmpl").string();
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:2: [[template]] source " + missing +
                                        ": cannot read: No such file or directory"));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:6: [[template]] source " + broken +
                                        ": line 2: Unclosed section \"peers\""));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:9: [[template]] needs a destination"));
  EXPECT_THAT(config.error(), HasSubstr("sidecar.toml:15: [[template]] command_timeout"));
  EXPECT_THAT(config.error(),
              HasSubstr("sidecar.toml:19: [[template]] destination 'd.conf' is written twice"));
}

TEST(DurationTest, GoStyle) {
  EXPECT_EQ(*ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(*ParseDuration("1h30m"), std::chrono::minutes(90));
  EXPECT_EQ(*ParseDuration("0"), Duration(0));
  EXPECT_FALSE(ParseDuration("30"));
  EXPECT_FALSE(ParseDuration("-1s"));
  EXPECT_FALSE(ParseDuration("1d"));
  EXPECT_FALSE(ParseDuration("99999999999h"));
  EXPECT_EQ(FormatDuration(std::chrono::seconds(90)), "1m30s");
}

}  // namespace
}  // namespace peerscout
