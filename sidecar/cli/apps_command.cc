// peerscout apps: the app profiles a config knows, so a user sees what `app = "..."` sets.
#include <cstdio>

#include "sidecar/cli/commands.h"
#include "sidecar/config/config_loader.h"

namespace peerscout::cli {
namespace {

std::string PortText(const AppProfile& app) {
  return app.app_port ? std::to_string(*app.app_port) : "-";
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

void PrintProfile(const AppProfile& app, bool selected) {
  std::printf("%s %-12s %-22s %-10s %-6s %-10s %-16s %s\n", selected ? "*" : " ", app.name.c_str(),
              OrDash(app.variable).c_str(), OrDash(app.format).c_str(), PortText(app).c_str(),
              OrDash(app.tag_prefix).c_str(), OrDash(app.service_type).c_str(),
              std::string(AddressFamiliesName(app.families)).c_str());
  std::printf("  %-12s %s\n", "", app.help.c_str());
  for (const std::string& variable : app.refused_variables) {
    std::printf("  %-12s never sets or passes on %s\n", "", variable.c_str());
  }
}

}  // namespace

int Apps(const std::string& config_file, const Environment& env) {
  auto config = LoadConfig(config_file, env, Catalog());
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().c_str());
    return 1;
  }
  std::printf("  %-12s %-22s %-10s %-6s %-10s %-16s %s\n", "APP", "VARIABLE", "FORMAT", "PORT",
              "TAGS", "MDNS TYPE", "FAMILIES");
  for (const AppProfile& app : config->apps) PrintProfile(app, app.name == config->app.name);
  std::printf("\n* selected by `app` (%s). A '-' port or tag prefix leaves the sources' own.\n",
              config->file.empty() ? "no config file" : config->file.c_str());
  return 0;
}

std::optional<AppProfile> FindApp(const std::string& config_file, const Environment& env,
                                  const std::string& name) {
  auto config = LoadConfig(config_file, env, Catalog());
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().c_str());
    return std::nullopt;
  }
  if (const AppProfile* app = FindAppProfile(config->apps, name)) return *app;
  std::fprintf(stderr, "peerscout: --app %s: no such profile; `peerscout apps` lists them\n",
               name.c_str());
  return std::nullopt;
}

}  // namespace peerscout::cli
