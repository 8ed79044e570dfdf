// The exo source's keys and how they become ExoSourceOptions.
#include <array>

#include "adapters/exo/exo_source.h"
#include "sidecar/config/config.h"

namespace peerscout::exo {
namespace {

constexpr OptionSpec kOptions[] = {
    {"discovery_port", OptionKind::kInteger, "52413",
     "exo's discovery port (its --discovery-port): where the local exo multicasts its Hellos "
     "and where remote ones are asked."},
    {"namespace", OptionKind::kString, "",
     "exo's namespace on the wire: the first 16 hex digits of `b3sum` of the namespace "
     "string (exo's version unless --namespace). Empty: learned from the local exo's Hellos."},
    {"probe_interval", OptionKind::kDuration, "5s",
     "How often each address other sources report is asked whether an exo answers there; a "
     "new address is asked at once. Two unanswered asks in a row make it silent."},
    {"probe_rate", OptionKind::kInteger, "50",
     "Most probes sent per second, all addresses together."},
    {"introduce",
     OptionKind::kBool,
     "false",
     "Answer the local exo's Hellos for every live remote exo, from that exo's own address "
     "(IPV6_FREEBIND, no privilege), so the local exo dials it across the tailnet. Such an "
     "answer is delivered on this host only. On in the exo-zenoh app profile.",
     {},
     false,
     AppField::kIntroduce},
    {"interfaces", OptionKind::kStringList, "",
     "Interfaces to hear the local exo's multicast Hellos on; empty: every one with IPv6."},
};

ErrorOr<std::shared_ptr<Source>> Create(const SourceContext& context) {
  using Result = ErrorOr<std::shared_ptr<Source>>;
  const OptionValues& values = context.source.options;
  const auto refuse = [&values](std::string_view key, const std::string& reason) {
    return Result::Error("exo: " + std::string(key) + ": " + reason + " (" + values.Origin(key) +
                         ")");
  };
  ExoSourceOptions options;
  options.name = context.source.name;
  const int64_t port = values.Get<int64_t>("discovery_port");
  if (port < 1 || port > 65535) return refuse("discovery_port", "must be 1 to 65535");
  options.discovery_port = static_cast<uint16_t>(port);
  const std::string& space = values.Get<std::string>("namespace");
  if (!space.empty()) {
    options.space = ParseNamespace(space);
    if (!options.space) return refuse("namespace", "want 16 hex digits, as b3sum prints them");
  }
  options.cadence.interval = values.Get<Duration>("probe_interval");
  if (options.cadence.interval <= Duration(0)) return refuse("probe_interval", "must be positive");
  const int64_t rate = values.Get<int64_t>("probe_rate");
  if (rate < 1 || rate > 10000) return refuse("probe_rate", "must be 1 to 10000");
  options.cadence.per_second = static_cast<uint32_t>(rate);
  options.introduce = values.Get<bool>("introduce");
  options.interfaces = values.Get<std::vector<std::string>>("interfaces");
  return std::shared_ptr<Source>(
      std::make_shared<ExoSource>(std::move(options), context.peers, context.self));
}

}  // namespace

const SourceFactory& Factory() {
  static const SourceFactory factory{
      "exo",
      "exo instances (the zenoh era) behind the addresses other sources report, asked with "
      "exo's own discovery Hello; introduced to the local exo, which finds peers only by "
      "link-local multicast and so finds none across a tailnet.",
      kOptions,
      false,
      Create,
  };
  return factory;
}

}  // namespace peerscout::exo
