// The hostile input corpus (tests/unit/hostile_corpus.h) in every field every source takes from
// outside (tests/unit/hostile_sources.h), through the registry's merge, into every output:
// each format, the template context and the people's table. Nothing unescaped may reach an env
// file, a hosts file or a list; JSON stays valid and says exactly what was kept; and what a
// source refuses is reported in its status rather than lost without a word.
//
// The one process a unit test starts here is /bin/sh: the env format is for a shell to read,
// so a shell is the only judge of whether it reads back to the value.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "sidecar/core/registry.h"
#include "sidecar/net/multiaddr.h"
#include "sidecar/render/address_choice.h"
#include "sidecar/render/format.h"
#include "sidecar/render/peer_filter.h"
#include "sidecar/render/peer_template.h"
#include "sidecar/render/shell_quote.h"
#include "sidecar/terminal/peer_table.h"
#include "tests/unit/hostile_corpus.h"
#include "tests/unit/hostile_sources.h"

namespace peerscout {
namespace {

using testing::HostileField;
using testing::HostileValue;
using testing::SourceRun;

// The env file's variables besides PEERSCOUT_PEERS, one per list format.
const std::vector<EnvVariable> kEnvVariables = {
    {"EXO_BOOTSTRAP_PEERS", "exo", AddressFamilies::kIpv4},
    {"PEERSCOUT_LINES", "lines"},
    {"PEERSCOUT_ZENOH", "zenoh"},
};

std::vector<std::string> Split(std::string_view text, std::string_view separator) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  while (true) {
    const size_t at = text.find(separator);
    parts.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + separator.size());
  }
}

// ---- What each output must be, given the merged peers. A problem is returned as text.

// Every string in a JSON document (keys too); refuses one that is not valid UTF-8 JSON.
ErrorOr<std::vector<std::string>> JsonStrings(const std::string& text, rapidjson::Document& doc) {
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) return ErrorOr<std::vector<std::string>>::Error("not valid JSON");
  std::vector<std::string> strings;
  std::function<void(const rapidjson::Value&)> walk = [&](const rapidjson::Value& value) {
    if (value.IsString()) strings.emplace_back(value.GetString(), value.GetStringLength());
    if (value.IsArray()) {
      for (const auto& item : value.GetArray()) walk(item);
    }
    if (value.IsObject()) {
      for (const auto& member : value.GetObject()) {
        strings.emplace_back(member.name.GetString(), member.name.GetStringLength());
        walk(member.value);
      }
    }
  };
  walk(doc);
  return strings;
}

std::string Text(const rapidjson::Value& value) {
  return value.IsString() ? std::string(value.GetString(), value.GetStringLength()) : "";
}

std::string CheckJson(const PeerSet& peers) {
  rapidjson::Document doc;
  if (!JsonStrings(RenderJson(peers, {}), doc)) return "json: not valid UTF-8 JSON";
  const auto& listed = doc["peers"].GetArray();
  if (listed.Size() != peers.peers.size()) return "json: not one entry per peer";
  for (size_t i = 0; i < peers.peers.size(); ++i) {
    const Peer& peer = peers.peers[i];
    const rapidjson::Value& entry = listed[static_cast<rapidjson::SizeType>(i)];
    std::vector<std::string> tags;
    for (const auto& tag : entry["tags"].GetArray()) tags.push_back(Text(tag));
    if (Text(entry["id"]) != peer.id || Text(entry["name"]) != peer.name ||
        Text(entry["hostname"]) != peer.hostname || Text(entry["os"]) != peer.os ||
        Text(entry["tailnet_node"]) != peer.tailnet_node || tags != peer.tags) {
      return "json: peer " + std::to_string(i) + " does not read back to what was merged";
    }
  }
  return "";
}

std::string CheckFileSd(const PeerSet& peers) {
  rapidjson::Document doc;
  if (!JsonStrings(RenderFileSd(peers, {}), doc)) return "file_sd: not valid UTF-8 JSON";
  size_t dialable = 0;
  for (const Peer& peer : peers.peers) dialable += BestDialable(peer) != nullptr ? 1 : 0;
  if (!doc.IsArray() || doc.Size() != dialable) return "file_sd: not one group per peer";
  std::set<std::string> ids;
  for (const Peer& peer : peers.peers) ids.insert(peer.id);
  for (const auto& group : doc.GetArray()) {
    const std::string target = Text(group["targets"][0]);
    auto endpoint = ParseHostPort(target);
    if (group["targets"].Size() != 1 || !endpoint || endpoint->ToHostPort() != target) {
      return "file_sd: target '" + target + "' is not one host:port";
    }
    if (ids.count(Text(group["labels"]["__meta_peerscout_id"])) == 0) {
      return "file_sd: an id label that is no peer's id";
    }
  }
  return "";
}

// hosts(5): an address, then host names, separated by blanks; '#' starts a comment.
std::string CheckHosts(const PeerSet& peers) {
  for (const std::string& line : Split(RenderHosts(peers, {}), "\n")) {
    if (line.empty() || line.front() == '#') continue;
    const std::vector<std::string> fields = Split(line, "\t");
    auto ip = IpAddress::Parse(fields[0]);
    if (fields.size() < 2 || !ip || ip->ToString() != fields[0]) {
      return "hosts: line '" + line + "' does not start with an address and a name";
    }
    for (size_t i = 1; i < fields.size(); ++i) {
      auto name = DnsName::Parse(fields[i]);
      if (!name || name->ToString() != fields[i] || fields[i].find('#') != std::string::npos) {
        return "hosts: '" + fields[i] + "' is not a host name";
      }
    }
  }
  return "";
}

// Each list format: as many entries as the peers give, each one parsing back to itself, with
// the format's own separator and with a comma (what a variable holds).
std::string CheckList(const Format& format, const PeerSet& peers) {
  size_t expected = 0;
  for (const Peer& peer : peers.peers) {
    if (format.name == "multiaddr") {
      for (const PeerAddress& address : peer.addresses) expected += address.endpoint.has_port();
    } else if (format.name == "exo") {
      expected += BestIpv4Tcp(peer) != nullptr;
    } else if (format.name == "zenoh") {
      expected += BestTcp(peer) != nullptr;
    } else {
      expected += BestDialable(peer) != nullptr;
    }
  }
  for (const std::string separator : {"", ","}) {
    RenderOptions options;
    options.separator = separator;
    std::string text = format.render(peers, options);
    const bool lines = separator.empty() && format.name != "exo" && format.name != "zenoh";
    if (lines && !text.empty()) {
      if (text.back() != '\n') return std::string(format.name) + ": no final newline";
      text.pop_back();
    }
    const std::vector<std::string> entries = Split(text, lines ? "\n" : ",");
    if (entries.size() != expected) {
      return std::string(format.name) + ": " + std::to_string(entries.size()) + " entries for " +
             std::to_string(expected);
    }
    for (const std::string& entry : entries) {
      std::string again;
      if (format.name == "multiaddr" || format.name == "exo") {
        auto parsed = Multiaddr::Parse(entry);
        again = parsed ? parsed->ToString() : "";
      } else {
        const std::string host_port =
            format.name == "zenoh" && entry.starts_with("tcp/") ? entry.substr(4) : entry;
        auto parsed = ParseHostPort(host_port);
        again = parsed ? (format.name == "zenoh" ? "tcp/" : "") + parsed->ToHostPort() : "";
      }
      if (again != entry) return std::string(format.name) + ": entry '" + entry + "'";
    }
    // And a bootstrap-list reader splits it back into the same entries.
    if (format.name != "zenoh" && !lines) {
      env::BootstrapList list;
      env::ParseBootstrapVariable("LIST", text, list);
      if (list.entries.size() != expected || !list.issues.empty()) {
        return std::string(format.name) + ": a bootstrap list reads it differently";
      }
    }
  }
  return "";
}

// The env file line by line (Docker's --env-file reads lines); the shell's reading is checked
// once for every cell (EnvReadsBack).
std::string CheckEnvLines(const std::string& text) {
  for (const std::string& line : Split(text, "\n")) {
    if (line.empty() || line.front() == '#') continue;
    const size_t equals = line.find('=');
    if (equals == std::string::npos || !IsEnvVarName(line.substr(0, equals))) {
      return "env: line '" + line + "' is not NAME=value";
    }
  }
  return "";
}

// The raw and the HTML-escaped forms of what a template sees.
std::string CheckTemplate(const PeerSet& peers) {
  auto parsed = PeerTemplate::Parse(
      "{{#peers}}{{{id}}}\x1f{{{hostname}}}\x1f{{{os}}}\x1f{{hostname}}\x1e{{/peers}}"
      "\x1d{{{exo}}}\x1d{{{lines}}}\x1d{{{multiaddr}}}\x1d{{{zenoh}}}");
  auto rendered = parsed->Render(peers);
  if (!rendered) return "template: " + rendered.error();
  const std::vector<std::string> parts = Split(*rendered, "\x1d");
  std::vector<std::string> listed = Split(parts[0], "\x1e");
  if (!listed.empty()) listed.pop_back();  // after the last peer's separator
  if (listed.size() != peers.peers.size()) return "template: not one entry per peer";
  for (size_t i = 0; i < listed.size(); ++i) {
    const Peer& peer = peers.peers[i];
    const std::vector<std::string> fields = Split(listed[i], "\x1f");
    if (fields.size() != 4 || fields[0] != peer.id || fields[1] != peer.hostname ||
        fields[2] != peer.os) {
      return "template: peer " + std::to_string(i) + " is not what was merged";
    }
    if (fields[3].find_first_of("<>\"'") != std::string::npos) {
      return "template: {{hostname}} is not HTML-escaped";
    }
  }
  RenderOptions comma;
  comma.separator = ",";
  const std::array lists{"exo", "lines", "multiaddr", "zenoh"};
  for (size_t i = 0; i < lists.size(); ++i) {
    if (parts[i + 1] != FindFormat(lists[i])->render(peers, comma)) {
      return std::string("template: {{{") + lists[i] + "}}} is not the list format";
    }
  }
  return "";
}

// People's table: one line per address (at least one per peer) under a header, and nothing a
// terminal would act on.
std::string CheckTable(const PeerSet& peers) {
  auto table = terminal::RenderPeerTable(RenderJson(peers, {}), testing::hostile::kNow, {});
  if (!table) return "table: " + table.error();
  for (char c : *table) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7f) return "table: a control character";
  }
  size_t lines = 1;
  for (const Peer& peer : peers.peers) lines += std::max<size_t>(1, peer.addresses.size());
  if (Split(*table, "\n").size() != lines + 1) return "table: lines added or lost";
  return "";
}

// ---- The matrix.

class HostileInputTest : public ::testing::Test {
 protected:
  HostileInputTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("peerscout-hostile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~HostileInputTest() override { std::filesystem::remove_all(dir_); }

  std::string marker() const { return (dir_ / "substituted").string(); }

  // An env file to be read back by the shell, with the values it must give.
  struct EnvFile {
    std::string cell;
    std::string path;
    std::vector<std::string> values;
  };

  void AddEnvFile(const std::string& cell, const PeerSet& peers, const std::string& text) {
    const std::string path = (dir_ / ("env-" + std::to_string(env_files_.size()))).string();
    std::ofstream(path, std::ios::binary) << text;
    RenderOptions comma;
    comma.separator = ",";
    EnvFile file{cell, path, {RenderMultiaddr(peers, comma)}};
    for (const EnvVariable& var : kEnvVariables) {
      PeerFilter filter;
      filter.families = var.families;
      file.values.push_back(FindFormat(var.format)->render(FilterPeers(peers, filter), comma));
    }
    env_files_.push_back(std::move(file));
  }

  // One shell reads every file in a subshell of its own and prints what it got.
  void EnvReadsBack() {
    std::string script = "for f in";
    for (const EnvFile& file : env_files_) script += " '" + file.path + "'";
    script += "; do ( . \"$f\" && printf '%s\\0' \"$PEERSCOUT_PEERS\"";
    for (const EnvVariable& var : kEnvVariables) script += " \"$" + var.name + "\"";
    script += " ) || printf 'UNREADABLE\\0'; done\n";
    const std::string script_path = (dir_ / "read-back.sh").string();
    std::ofstream(script_path) << script;
    FILE* shell = ::popen(("/bin/sh " + script_path + " 2>&1").c_str(), "r");
    ASSERT_NE(shell, nullptr);
    std::string output;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, shell)) > 0;) output.append(buffer, n);
    EXPECT_EQ(::pclose(shell), 0) << output.substr(0, 500);
    std::vector<std::string> read = Split(output, std::string_view("\0", 1));
    size_t at = 0;
    for (const EnvFile& file : env_files_) {
      for (const std::string& expected : file.values) {
        ASSERT_LT(at, read.size()) << file.cell << ": the shell stopped";
        EXPECT_EQ(read[at], expected) << file.cell << ": the shell reads another value";
        if (read[at] == "UNREADABLE") break;
        ++at;
      }
    }
    EXPECT_FALSE(std::filesystem::exists(marker())) << "a command in a value was run";
  }

  std::filesystem::path dir_;
  std::vector<EnvFile> env_files_;
};

bool Contains(const std::vector<std::string>& strings, const std::string& value) {
  return std::any_of(strings.begin(), strings.end(), [&](const std::string& text) {
    return text.find(value) != std::string::npos;
  });
}

std::string Lower(std::string text) {
  for (char& c : text) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return text;
}

TEST_F(HostileInputTest, EveryValueInEveryFieldOfEverySourceIsKeptSafelyOrReportedRefused) {
  const std::vector<HostileValue> corpus = testing::HostileCorpus(marker());
  const std::vector<HostileField> fields = testing::HostileFields();
  size_t cells = 0;
  size_t not_carried = 0;
  for (const HostileField& field : fields) {
    const std::optional<SourceRun> neutral = field.run(field.neutral);
    ASSERT_TRUE(neutral && neutral->snapshot)
        << field.source << " / " << field.field << ": " << (neutral ? neutral->failure : "");
    const size_t baseline = neutral->snapshot->issues.size();
    for (const HostileValue& value : corpus) {
      const std::string cell = field.source + " / " + field.field + " / " + value.label;
      const std::optional<SourceRun> run = field.run(value.text);
      if (!run) {
        ++not_carried;
        continue;
      }
      Registry registry(Registry::Options{});
      registry.DeclareSources({{"hostile", "test", true}});
      if (run->snapshot) {
        registry.Publish("hostile", *run->snapshot, testing::hostile::kNow);
      } else {
        registry.Fail("hostile", run->failure, testing::hostile::kNow);
      }
      const SourceStatus status = registry.Sources().at(0);
      const PeerSet peers = *registry.Current();

      // Refused means reported: a failure in the source's status, or an issue beyond the
      // fixture's own, or a dropped record counted.
      const bool refused =
          !run->snapshot
              ? status.last_error == run->failure && !status.last_error.empty()
              : status.issues.size() > baseline || status.counters.count("records_dropped") > 0;
      rapidjson::Document doc;
      auto strings = JsonStrings(RenderJson(peers, {}), doc);
      ASSERT_TRUE(strings) << cell << ": json is not valid";
      const std::string shown = field.shown_as ? field.shown_as(value.text) : value.text;
      const bool kept =
          !shown.empty() && (Contains(*strings, shown) || Contains(*strings, Lower(shown)));
      if (field.read) {
        EXPECT_TRUE(kept || refused) << cell << ": dropped without a word";
      } else {
        EXPECT_FALSE(Contains(*strings, value.text)) << cell << ": an unread field was listed";
      }

      for (const Format& format : Formats()) {
        std::string problem;
        if (format.name == "json") problem = CheckJson(peers);
        if (format.name == "file_sd") problem = CheckFileSd(peers);
        if (format.name == "hosts") problem = CheckHosts(peers);
        if (format.is_list) problem = CheckList(format, peers);
        if (format.name == "env") {
          RenderOptions options;
          options.env_vars = kEnvVariables;
          const std::string text = RenderEnv(peers, options);
          problem = CheckEnvLines(text);
          AddEnvFile(cell, peers, text);
        }
        EXPECT_EQ(problem, "") << cell;
        ++cells;
      }
      EXPECT_EQ(CheckTemplate(peers), "") << cell;
      EXPECT_EQ(CheckTable(peers), "") << cell;
      cells += 2;
    }
  }
  EnvReadsBack();
  std::printf(
      "hostile matrix: %zu fields x %zu values x %zu outputs = %zu cells checked; "
      "%zu values a field cannot carry\n",
      fields.size(), corpus.size(), Formats().size() + 2, cells, not_carried);
}

}  // namespace
}  // namespace peerscout
