#include "adapters/mdns/service_txt.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "sidecar/net/endpoint.h"

namespace peerscout::mdns {
namespace {

constexpr size_t kMaxNameValue = 64;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// App names and node ids go into env files and hosts lines: only a plain alphabet passes.
bool IsPlainWord(std::string_view value, std::string_view extra) {
  if (value.empty() || value.size() > kMaxNameValue) return false;
  return std::all_of(value.begin(), value.end(), [extra](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

void ReadValue(const std::string& key, std::string_view value, ServiceTxt& txt) {
  const auto refuse = [&](std::string_view why) {
    txt.refused.push_back(key + ": " + std::string(why));
  };
  if (key == "peer_id") {
    ErrorOr<PeerId> id = PeerId::Parse(value);
    if (!id) return refuse(id.error());
    txt.peer_id = std::move(id).value();
  } else if (key == "port") {
    ErrorOr<uint16_t> port = ParsePort(value);
    if (!port || *port == 0) return refuse("not a port");
    txt.port = *port;
  } else if (key == "app") {
    if (!IsPlainWord(value, "._-")) return refuse("not a plain name (letters, digits, . _ -)");
    txt.app = std::string(value);
  } else if (key == "tailnet_node") {
    if (!IsPlainWord(value, "-_")) return refuse("not a tailnet node id");
    txt.tailnet_node = std::string(value);
  }
}

}  // namespace

ServiceTxt ReadServiceTxt(std::span<const std::string> strings) {
  ServiceTxt txt;
  std::set<std::string> seen;
  for (const std::string& entry : strings) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) continue;  // a flag or nothing: not ours
    const std::string key = Lower(std::string_view(entry).substr(0, equals));
    if (!seen.insert(key).second) continue;
    ReadValue(key, std::string_view(entry).substr(equals + 1), txt);
  }
  return txt;
}

std::vector<std::string> WriteServiceTxt(const ServiceTxt& txt) {
  std::vector<std::string> strings;
  if (txt.peer_id) strings.push_back("peer_id=" + txt.peer_id->ToString());
  if (txt.port) strings.push_back("port=" + std::to_string(*txt.port));
  if (!txt.app.empty()) strings.push_back("app=" + txt.app);
  if (!txt.tailnet_node.empty()) strings.push_back("tailnet_node=" + txt.tailnet_node);
  return strings;
}

}  // namespace peerscout::mdns
