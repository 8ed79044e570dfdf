#include "tests/integration/sidecar_queries.h"

#include <thread>

namespace peerscout::testing {

rapidjson::Document Json(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str());
  return document;
}

const rapidjson::Value* PeerList::By(const char* field, const std::string& want) const {
  if (!ok()) return nullptr;
  for (const auto& peer : document_["peers"].GetArray()) {
    if (peer[field].IsString() && want == peer[field].GetString()) return &peer;
  }
  return nullptr;
}

std::string FirstMultiaddr(const rapidjson::Value& peer) {
  const auto& addresses = peer["addresses"];
  return addresses.Size() > 0 ? addresses[0]["multiaddr"].GetString() : "";
}

double WaitForPeers(const SidecarProcess& sidecar, const std::function<bool(const PeerList&)>& done,
                    std::chrono::seconds timeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  std::string index = "0";
  while (std::chrono::steady_clock::now() < deadline) {
    auto reply = sidecar.Get("/v1/peers?index=" + index + "&wait=2s", std::chrono::seconds(5));
    if (reply) {
      if (done(PeerList(reply->body))) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
      if (reply->index) index = std::to_string(*reply->index);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return -1;
}

VersionWatch::VersionWatch(const SidecarProcess& sidecar)
    : thread_([this, &sidecar](std::stop_token stop) { Follow(sidecar, stop); }) {}

void VersionWatch::Stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void VersionWatch::Follow(const SidecarProcess& sidecar, const std::stop_token& stop) {
  std::string index;
  while (!stop.stop_requested()) {
    // The first query learns the version to start from; each later one waits for a change.
    const std::string query = index.empty() ? "" : "?index=" + index + "&wait=500ms";
    auto reply = sidecar.Get("/v1/peers" + query, std::chrono::seconds(5));
    if (!reply || !reply->index) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    const std::string seen = std::to_string(*reply->index);
    if (!index.empty() && seen != index) {
      fewest_ = std::min<size_t>(fewest_, PeerList(reply->body).size());
      ++versions_;
    }
    index = seen;
  }
}

std::string SourceField(const SidecarProcess& sidecar, const std::string& name,
                        const std::string& field) {
  auto reply = sidecar.Get("/v1/sources");
  if (!reply) return "";
  rapidjson::Document document = Json(reply->body);
  if (!document.IsObject()) return "";
  for (const auto& source : document["sources"].GetArray()) {
    if (name != source["name"].GetString()) continue;
    const bool detail = field.rfind("details.", 0) == 0;
    const auto& table = detail ? source["details"] : source;
    const std::string key = detail ? field.substr(8) : field;
    if (!table.HasMember(key.c_str())) return "";
    const auto& value = table[key.c_str()];
    if (value.IsString()) return value.GetString();
    if (value.IsBool()) return value.GetBool() ? "true" : "false";
    return "";
  }
  return "";
}

bool Eventually(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

}  // namespace peerscout::testing
