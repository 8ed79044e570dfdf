// What tests ask a running sidecar: its peers and its sources' state, waited for with
// blocking queries or by polling.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <string>

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

// A field of source `name` in /v1/sources ("state", "stale", "last_error", "details.mode"),
// as text; "" when absent.
std::string SourceField(const SidecarProcess& sidecar, const std::string& name,
                        const std::string& field);

// Polls `done` every 100 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& done,
                std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace peerscout::testing
