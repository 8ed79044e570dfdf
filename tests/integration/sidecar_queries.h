// What tests ask a running sidecar: its peers and its sources' state, waited for with
// blocking queries or by polling.
#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {

rapidjson::Document Json(const std::string& body);

// /v1/peers, parsed.
class PeerList {
 public:
  explicit PeerList(const std::string& body) : document_(Json(body)) {}
  bool ok() const { return !document_.HasParseError() && document_.IsObject(); }
  const rapidjson::Value* ByNode(const std::string& node) const { return By("tailnet_node", node); }
  const rapidjson::Value* ByPeerId(const std::string& id) const { return By("peer_id", id); }
  const rapidjson::Value* ByHostname(const std::string& name) const { return By("hostname", name); }
  size_t size() const { return ok() ? document_["peers"].Size() : 0; }

 private:
  const rapidjson::Value* By(const char* field, const std::string& want) const;
  rapidjson::Document document_;
};

// The multiaddr of a peer's first address, or "".
std::string FirstMultiaddr(const rapidjson::Value& peer);

// Waits, with blocking queries, until `done` holds for /v1/peers; the seconds it took, or -1.
double WaitForPeers(const SidecarProcess& sidecar, const std::function<bool(const PeerList&)>& done,
                    std::chrono::seconds timeout = std::chrono::seconds(30));

// Follows /v1/peers with blocking queries on a thread of its own, from the current version:
// the fewest peers of any later version it was shown, so a test can say none had fewer.
class VersionWatch {
 public:
  explicit VersionWatch(const SidecarProcess& sidecar);
  ~VersionWatch() { Stop(); }
  VersionWatch(const VersionWatch&) = delete;
  VersionWatch& operator=(const VersionWatch&) = delete;

  void Stop();
  size_t fewest() const { return fewest_; }  // SIZE_MAX before any new version
  size_t versions() const { return versions_; }

 private:
  void Follow(const SidecarProcess& sidecar, const std::stop_token& stop);

  std::atomic<size_t> fewest_{SIZE_MAX};
  std::atomic<size_t> versions_{0};
  std::jthread thread_;
};

// A field of source `name` in /v1/sources ("state", "stale", "last_error", "details.mode"),
// as text; "" when absent.
std::string SourceField(const SidecarProcess& sidecar, const std::string& name,
                        const std::string& field);

// Polls `done` every 100 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& done,
                std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace peerscout::testing
