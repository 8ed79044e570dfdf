// Every field a source takes from outside, as a function from one value to what the source
// makes of a payload carrying it: a captured fixture with the value spliced in by a JSON, TOML
// or DNS library, through the source's real parser and snapshot builder.
#pragma once

#include <ldns/ldns.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/env/env_source.h"
#include "adapters/headscale/node_list.h"
#include "adapters/headscale/node_snapshot.h"
#include "adapters/mdns/libp2p_message.h"
#include "adapters/mdns/libp2p_peer_table.h"
#include "adapters/mdns/service_table.h"
#include "adapters/tailscale/status.h"
#include "adapters/tailscale/status_snapshot.h"
#include "sidecar/config/config_loader.h"
#include "sidecar/core/clock_text.h"

namespace peerscout::testing {

// What one round of a source came to: a snapshot published, or a failure (Fail, or a config
// that refuses to load).
struct SourceRun {
  std::optional<Snapshot> snapshot;
  std::string failure;
};

struct HostileField {
  std::string source;   // "tailscale v1.80.3"
  std::string field;    // "HostName"
  std::string neutral;  // a harmless value for the same field: the baseline of issues
  // false: the source never reads this field (an unknown TXT key), so it has nothing to refuse;
  // the value must still not reach any output.
  bool read = true;
  // What the outputs show of a value the source keeps; empty: the value itself.
  std::function<std::string(const std::string&)> shown_as;
  // The value, or nothing when the payload cannot carry it (a TXT string over 255 bytes).
  std::function<std::optional<SourceRun>(const std::string& value)> run;
};

namespace hostile {

inline const std::string kPeerId = "12D3KooWJJnRtj5GhnnUN7gxUYZ4v3tb6mo7sf9vFuHPuLPUHPPZ";
// Fixed, and before the fixtures' key expiries: the parsers see the captured nodes as online.
inline const Clock::time_point kNow = *ParseTimestamp("2026-12-01T08:32:00Z");

inline std::string Fixture(const std::string& path) {
  std::ifstream file(std::string(PEERSCOUT_SOURCE_DIR) + "/tests/fixtures/" + path,
                     std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

inline std::string Write(const rapidjson::Document& document) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

inline void SetString(rapidjson::Value& target, const std::string& value,
                      rapidjson::Document& document) {
  target.SetString(value.data(), static_cast<rapidjson::SizeType>(value.size()),
                   document.GetAllocator());
}

// ---- env: a bootstrap-list variable, and [[static]] entries of the config.

inline SourceRun LookAtEnv(const env::BootstrapList& list) {
  // Every name resolves: what matters is what reaches the outputs, not the resolver.
  env::EnvSource source(list, {}, [](const HostName&) {
    return ErrorOr<std::vector<IpAddress>>(std::vector<IpAddress>{*IpAddress::Parse("10.9.9.9")});
  });
  return {source.Look(kNow), ""};
}

inline HostileField BootstrapField(std::string field, std::string neutral,
                                   const std::function<std::string(const std::string&)>& entry) {
  return {"env EXO_BOOTSTRAP_PEERS",
          std::move(field),
          std::move(neutral),
          true,
          {},
          [entry](const std::string& value) -> std::optional<SourceRun> {
            const std::string list = "/ip4/10.0.0.2/tcp/52416/p2p/" + kPeerId + "," + entry(value);
            const Environment env({{"EXO_BOOTSTRAP_PEERS", list}});
            return LookAtEnv(env::ReadBootstrapLists({"EXO_BOOTSTRAP_PEERS"}, env, {}));
          }};
}

// A [[static]] entry written by toml++ and read by the config loader, as `peerscout run` does.
inline HostileField StaticField(std::string field, std::string neutral, bool value_is_name) {
  return {"env [[static]]",
          std::move(field),
          std::move(neutral),
          true,
          {},
          [value_is_name](const std::string& value) -> std::optional<SourceRun> {
            toml::table entry{{"name", value_is_name ? value : "exo-static"},
                              {"address", value_is_name ? "10.0.0.4:52416" : value + ":52416"}};
            toml::table root{{"static", toml::array{entry}}};
            std::ostringstream text;
            text << root;
            const std::filesystem::path path =
                std::filesystem::temp_directory_path() /
                ("peerscout-hostile-" + std::to_string(::getpid()) + ".toml");
            std::ofstream(path) << text.str();
            static const std::array catalog{env::Factory()};
            auto config = LoadConfig(path.string(), Environment(), catalog);
            std::filesystem::remove(path);
            if (!config) return SourceRun{std::nullopt, config.error()};
            return LookAtEnv(env::ReadBootstrapLists({}, Environment(), env::StaticPeers(*config)));
          }};
}

// ---- tailscale: tailscaled's status as captured, one online peer carrying the value.

// An offline node is not listed at all: the values go into one that is.
inline rapidjson::Value& FirstOnlinePeer(rapidjson::Document& status) {
  const rapidjson::Value& peers = status["Peer"];
  for (const auto& peer : peers.GetObject()) {
    if (peer.value["Online"].IsTrue()) return status["Peer"][peer.name];
  }
  return status["Peer"].MemberBegin()->value;
}

inline HostileField TailscaleField(const std::string& version, std::string field,
                                   std::string neutral,
                                   const std::function<void(rapidjson::Value&, const std::string&,
                                                            rapidjson::Document&)>& splice) {
  return {"tailscale " + version,
          std::move(field),
          std::move(neutral),
          true,
          {},
          [version, splice](const std::string& value) -> std::optional<SourceRun> {
            rapidjson::Document status;
            status.Parse(Fixture("tailscale/" + version + "/status-running-localapi.json").c_str());
            splice(FirstOnlinePeer(status), value, status);
            auto parsed = tailscale::ParseStatus(Write(status));
            if (!parsed) return SourceRun{std::nullopt, parsed.error()};
            tailscale::PeerSelection selection;
            selection.app_port = 52416;  // so the nodes reach the list formats too
            auto snapshot = tailscale::SnapshotFromStatus(*parsed, selection);
            if (!snapshot) return SourceRun{std::nullopt, snapshot.error()};
            return SourceRun{*snapshot, ""};
          }};
}

inline void AppendTailscaleFields(const std::string& version, std::vector<HostileField>& fields) {
  const auto member = [](const char* key) {
    return [key](rapidjson::Value& peer, const std::string& value, rapidjson::Document& document) {
      SetString(peer[key], value, document);
    };
  };
  const auto tag = [](const std::string& prefix) {
    return
        [prefix](rapidjson::Value& peer, const std::string& value, rapidjson::Document& document) {
          rapidjson::Value tags(rapidjson::kArrayType);
          rapidjson::Value text;
          SetString(text, prefix + value, document);
          tags.PushBack(text, document.GetAllocator());
          peer.RemoveMember("Tags");
          peer.AddMember("Tags", tags, document.GetAllocator());
        };
  };
  fields.push_back(TailscaleField(version, "HostName", "exo", member("HostName")));
  fields.push_back(TailscaleField(version, "DNSName", "exo.lab.test.", member("DNSName")));
  fields.push_back(TailscaleField(version, "OS", "linux", member("OS")));
  fields.push_back(TailscaleField(version, "ID", "nExo1", member("ID")));
  fields.push_back(TailscaleField(
      version, "TailscaleIPs", "100.64.0.9",
      [](rapidjson::Value& peer, const std::string& value, rapidjson::Document& document) {
        SetString(peer["TailscaleIPs"][0], value, document);
      }));
  fields.push_back(TailscaleField(version, "Tags", "tag:exo", tag("")));
  fields.push_back(TailscaleField(version, "Tags tag:<value>", "exo", tag("tag:")));
  fields.push_back(TailscaleField(version, "Tags peer id", kPeerId, tag("tag:exo-peer-")));
  fields.push_back(TailscaleField(version, "Tags port", "4242", tag("tag:exo-port-")));
}

// ---- headscale: GET /api/v1/node of each API generation, node 3 (it carries app tags).

inline HostileField HeadscaleField(const std::string& version, std::string field,
                                   std::string neutral, bool read,
                                   const std::function<void(rapidjson::Value&, const std::string&,
                                                            rapidjson::Document&)>& splice) {
  return {"headscale " + version,
          std::move(field),
          std::move(neutral),
          read,
          {},
          [version, splice](const std::string& value) -> std::optional<SourceRun> {
            rapidjson::Document nodes;
            nodes.Parse(Fixture("headscale/" + version + "/nodes.json").c_str());
            splice(nodes["nodes"][2], value, nodes);
            auto parsed = headscale::ParseNodeList(Write(nodes));
            if (!parsed) return SourceRun{std::nullopt, parsed.error()};
            return SourceRun{headscale::SnapshotFromNodes(*parsed, {}, kNow), ""};
          }};
}

// The list of node 3's tags, whichever field its API generation keeps them in.
inline rapidjson::Value& TagList(rapidjson::Value& node) {
  for (const char* key : {"tags", "forcedTags", "validTags"}) {
    if (node.HasMember(key) && node[key].IsArray() && !node[key].Empty()) return node[key];
  }
  return node["tags"];
}

inline void AppendHeadscaleFields(const std::string& version, std::vector<HostileField>& fields) {
  const auto member = [](const char* key) {
    return [key](rapidjson::Value& node, const std::string& value, rapidjson::Document& document) {
      SetString(node[key], value, document);
    };
  };
  // Replaces the tag that starts with `marker` (or adds one) by marker + value.
  const auto tag = [](const std::string& marker) {
    return
        [marker](rapidjson::Value& node, const std::string& value, rapidjson::Document& document) {
          rapidjson::Value& tags = TagList(node);
          rapidjson::Value text;
          SetString(text, marker + value, document);
          for (rapidjson::Value& existing : tags.GetArray()) {
            const std::string_view have(existing.GetString(), existing.GetStringLength());
            if (!marker.empty() && have.substr(0, marker.size()) == marker) {
              existing = text;
              return;
            }
          }
          tags.PushBack(text, document.GetAllocator());
        };
  };
  fields.push_back(HeadscaleField(version, "name", "exo", true, member("name")));
  // Read, and used by nothing: peerscout names a node by its MagicDNS name from tailscaled.
  fields.push_back(HeadscaleField(version, "givenName", "exo", false, member("givenName")));
  fields.push_back(HeadscaleField(version, "id", "30", true, member("id")));
  fields.push_back(HeadscaleField(
      version, "ipAddresses", "100.64.0.9", true,
      [](rapidjson::Value& node, const std::string& value, rapidjson::Document& document) {
        SetString(node["ipAddresses"][0], value, document);
      }));
  fields.push_back(HeadscaleField(version, "tags", "tag:exo", true, tag("")));
  // Neutral: the node's own values, since v0.26 lists each tag twice (forcedTags, validTags).
  fields.push_back(HeadscaleField(
      version, "tags peer id", "bafzaajaiaejcaibbeirsijjge4ucskrlfqws4lzqgezdgnbvgy3tqoj2hm6d2pr7",
      true, tag("tag:exo-peer-")));
  fields.push_back(HeadscaleField(version, "tags port", "52418", true, tag("tag:exo-port-")));
}

// ---- mdns: libp2p packets, and DNS-SD services as a backend hands them over.

struct PacketDeleter {
  void operator()(ldns_pkt* packet) const { ldns_pkt_free(packet); }
};
using PacketPtr = std::unique_ptr<ldns_pkt, PacketDeleter>;

inline PacketPtr ReadPacket(const std::string& name) {
  const std::string bytes = Fixture("mdns/" + name);
  ldns_pkt* packet = nullptr;
  ldns_wire2pkt(&packet, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return PacketPtr(packet);
}

inline std::vector<ldns_rr*> AllRecords(ldns_pkt* packet) {
  std::vector<ldns_rr*> records;
  for (ldns_rr_list* list : {ldns_pkt_answer(packet), ldns_pkt_additional(packet)}) {
    for (size_t i = 0; list != nullptr && i < ldns_rr_list_rr_count(list); ++i) {
      records.push_back(ldns_rr_list_rr(list, i));
    }
  }
  return records;
}

inline std::string_view TxtString(const ldns_rr* record, size_t index) {
  const ldns_rdf* rdf = ldns_rr_rdf(record, index);
  const auto* data = reinterpret_cast<const char*>(ldns_rdf_data(rdf));
  return {data + 1, static_cast<size_t>(static_cast<uint8_t>(data[0]))};
}

// A TXT character-string holds at most 255 bytes: a longer value cannot be sent in one.
inline bool SetTxtString(ldns_rr* record, size_t index, const std::string& text) {
  if (text.size() > 255) return false;
  std::string wire(1, static_cast<char>(text.size()));
  wire += text;
  ldns_rdf* rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, wire.size(), wire.data());
  ldns_rdf_deep_free(ldns_rr_set_rdf(record, rdf, index));
  return true;
}

inline const IpAddress kMdnsSender = *IpAddress::Parse("10.214.20.11");

// A libp2p peer is dialed at the address its packet came from, as rust-libp2p does: an IPv4
// address it advertises shows as the sender's.
inline std::string SenderForIpv4(const std::string& value) {
  auto ip = IpAddress::Parse(value);
  return ip && ip->is_v4() ? kMdnsSender.ToString() : value;
}

inline HostileField Libp2pField(const std::string& packet, std::string field, std::string neutral,
                                const std::function<std::string(const std::string&)>& dnsaddr) {
  return {"mdns libp2p " + packet,
          std::move(field),
          std::move(neutral),
          true,
          SenderForIpv4,
          [packet, dnsaddr](const std::string& value) -> std::optional<SourceRun> {
            PacketPtr parsed = ReadPacket(packet);
            bool carried = true;
            for (ldns_rr* record : AllRecords(parsed.get())) {
              if (ldns_rr_get_type(record) != LDNS_RR_TYPE_TXT) continue;
              for (size_t i = 0; i < ldns_rr_rd_count(record); ++i) {
                if (TxtString(record, i).substr(0, 8) != "dnsaddr=") continue;
                carried = carried && SetTxtString(record, i, "dnsaddr=" + dnsaddr(value));
              }
            }
            if (!carried) return std::nullopt;
            uint8_t* wire = nullptr;
            size_t size = 0;
            ldns_pkt2wire(&wire, parsed.get(), &size);
            const std::vector<uint8_t> bytes(wire, wire + size);
            std::free(wire);  // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
            auto message = mdns::ParseLibp2pMessage(bytes, kMdnsSender);
            if (!message) return SourceRun{std::nullopt, message.error()};
            mdns::Libp2pPeerTable table(3, std::chrono::seconds(5));
            for (const mdns::Libp2pAnnouncement& peer : message->announcements) {
              table.Heard(peer, kNow);
            }
            Snapshot snapshot;
            snapshot.observations = table.Observations();
            // What the mdns source does with a dropped record: counts it (records_dropped).
            if (!message->dropped.empty()) {
              snapshot.counters["records_dropped"] = message->dropped.size();
            }
            return SourceRun{std::move(snapshot), ""};
          }};
}

// avahi-daemon's answer, read the way a backend reports a resolved service.
inline mdns::ServiceInstance AvahiService() {
  PacketPtr packet = ReadPacket("avahi-response.bin");
  mdns::ServiceInstance instance;
  instance.key = {"svc1", "_peerscout._tcp", "local"};
  for (ldns_rr* record : AllRecords(packet.get())) {
    const ldns_rr_type type = ldns_rr_get_type(record);
    if (type == LDNS_RR_TYPE_SRV) {
      instance.port = ldns_rdf2native_int16(ldns_rr_rdf(record, 2));
      char* host = ldns_rdf2str(ldns_rr_rdf(record, 3));
      instance.host = host;
      std::free(host);  // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
    } else if (type == LDNS_RR_TYPE_TXT) {
      for (size_t i = 0; i < ldns_rr_rd_count(record); ++i) {
        instance.txt.emplace_back(TxtString(record, i));
      }
    } else if (type == LDNS_RR_TYPE_A) {
      char* address = ldns_rdf2str(ldns_rr_rdf(record, 0));
      instance.addresses.push_back(*IpAddress::Parse(address));
      std::free(address);  // NOLINT(cppcoreguidelines-no-malloc)
    }
  }
  return instance;
}

// What DNS can carry at all: labels of 1 to 63 bytes, TXT strings of at most 255.
inline bool DnsCanCarry(const mdns::ServiceInstance& instance) {
  const size_t first_label = instance.host.find('.');
  if (first_label == 0 || std::min(first_label, instance.host.size()) > 63) return false;
  if (instance.key.name.empty() || instance.key.name.size() > 63) return false;
  return std::all_of(instance.txt.begin(), instance.txt.end(),
                     [](const std::string& text) { return text.size() <= 255; });
}

inline HostileField ServiceField(
    std::string field, std::string neutral, bool read,
    std::function<std::string(const std::string&)> shown_as,
    const std::function<void(mdns::ServiceInstance&, const std::string&)>& splice,
    bool select_app = false) {
  return {"mdns dns-sd avahi",
          std::move(field),
          std::move(neutral),
          read,
          std::move(shown_as),
          [splice, select_app](const std::string& value) -> std::optional<SourceRun> {
            mdns::ServiceInstance instance = AvahiService();
            splice(instance, value);
            if (!DnsCanCarry(instance)) return std::nullopt;
            mdns::ServiceTable table;
            table.Resolved({2, 0, instance.key}, instance);
            Snapshot snapshot;
            mdns::ServiceSelection selection;
            if (select_app) selection.apps = {value};
            table.Fill(selection, snapshot);
            return SourceRun{std::move(snapshot), ""};
          }};
}

// Sets TXT `key` (replacing it when the record has it) to the value.
inline std::function<void(mdns::ServiceInstance&, const std::string&)> TxtValue(
    const std::string& key) {
  return [key](mdns::ServiceInstance& instance, const std::string& value) {
    std::erase_if(instance.txt, [&](const std::string& entry) {
      return entry.substr(0, key.size() + 1) == key + "=";
    });
    instance.txt.insert(instance.txt.begin(), key + "=" + value);
  };
}

inline void AppendMdnsFields(std::vector<HostileField>& fields) {
  for (const std::string packet : {"go-libp2p-response.bin", "rust-response-two-addresses.bin"}) {
    fields.push_back(Libp2pField(packet, "dnsaddr /dns4 name", "exo", [](const std::string& v) {
      return "/dns4/" + v + "/tcp/4001/p2p/" + kPeerId;
    }));
    fields.push_back(Libp2pField(packet, "dnsaddr /ip4", "10.214.20.11", [](const std::string& v) {
      return "/ip4/" + v + "/tcp/4001/p2p/" + kPeerId;
    }));
    fields.push_back(Libp2pField(packet, "dnsaddr port", "4001", [](const std::string& v) {
      return "/ip4/10.214.20.11/tcp/" + v + "/p2p/" + kPeerId;
    }));
    fields.push_back(Libp2pField(packet, "dnsaddr peer id", kPeerId, [](const std::string& v) {
      return "/ip4/10.214.20.11/tcp/4001/p2p/" + v;
    }));
    fields.push_back(Libp2pField(packet, "dnsaddr", "/ip4/10.214.20.11/tcp/4001/p2p/" + kPeerId,
                                 [](const std::string& v) { return v; }));
  }
  // The instance name is free UTF-8 and only ever names the service in an issue.
  fields.push_back(ServiceField("instance name", "svc2", false, {},
                                [](mdns::ServiceInstance& instance, const std::string& value) {
                                  instance.key.name = value;
                                }));
  // A host name is shown as a DNS label made of its first label.
  const auto first_label = [](const std::string& value) {
    return SanitizeHostLabel(value.substr(0, value.find('.')));
  };
  fields.push_back(ServiceField(
      "SRV host", "lanhost2.local", true, first_label,
      [](mdns::ServiceInstance& instance, const std::string& value) { instance.host = value; }));
  fields.push_back(ServiceField("TXT peer_id", kPeerId, true, {}, TxtValue("peer_id")));
  fields.push_back(ServiceField("TXT port", "4242", true, {}, TxtValue("port")));
  // The app name only selects services (`apps`): kept, it lists the service at its address.
  fields.push_back(ServiceField(
      "TXT app", "exo", true, [](const std::string&) { return std::string("10.214.20.11"); },
      TxtValue("app"), true));
  fields.push_back(ServiceField("TXT tailnet_node", "nExo1", true, {}, TxtValue("tailnet_node")));
  // A key that is not one of ours is ignored (RFC 6763 §6.4): nothing to refuse.
  fields.push_back(ServiceField("TXT key", "color", false, {},
                                [](mdns::ServiceInstance& instance, const std::string& value) {
                                  instance.txt.push_back(value + "=1");
                                }));
}

}  // namespace hostile

inline std::vector<HostileField> HostileFields() {
  using hostile::kPeerId;
  std::vector<HostileField> fields;
  fields.push_back(hostile::BootstrapField("multiaddr /dns4 name", "exo", [](const std::string& v) {
    return "/dns4/" + v + "/tcp/52416";
  }));
  fields.push_back(hostile::BootstrapField("multiaddr /ip4", "10.0.0.3", [](const std::string& v) {
    return "/ip4/" + v + "/tcp/52416";
  }));
  fields.push_back(hostile::BootstrapField(
      "multiaddr port", "4242", [](const std::string& v) { return "/ip4/10.0.0.3/tcp/" + v; }));
  fields.push_back(hostile::BootstrapField("multiaddr peer id", kPeerId, [](const std::string& v) {
    return "/ip4/10.0.0.3/tcp/52416/p2p/" + v;
  }));
  fields.push_back(hostile::BootstrapField("host:port host", "exo",
                                           [](const std::string& v) { return v + ":52416"; }));
  fields.push_back(hostile::BootstrapField("host:port port", "4242",
                                           [](const std::string& v) { return "exo-3:" + v; }));
  fields.push_back(
      hostile::BootstrapField("entry", "exo-3:52416", [](const std::string& v) { return v; }));
  fields.push_back(hostile::StaticField("name", "exo-static", true));
  fields.push_back(hostile::StaticField("address host", "exo-static", false));
  for (const std::string version : {"v1.102.5", "v1.80.3"}) {
    hostile::AppendTailscaleFields(version, fields);
  }
  for (const std::string version : {"v0.23.0", "v0.26.1", "v0.29.2"}) {
    hostile::AppendHeadscaleFields(version, fields);
  }
  hostile::AppendMdnsFields(fields);
  return fields;
}

}  // namespace peerscout::testing
