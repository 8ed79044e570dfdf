// A DNS-SD implementation behind one interface: Avahi's client library on Linux, the dns_sd
// API where that is what the system has (macOS; avahi-compat on Linux).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "adapters/mdns/service_instance.h"
#include "adapters/mdns/service_table.h"

namespace peerscout::mdns {

// Our node as a DNS-SD service.
struct Advertisement {
  std::string name;
  std::string type;
  uint16_t port = 0;
  std::vector<std::string> txt;
  bool operator==(const Advertisement&) const = default;
};

// What a backend reports, from its own thread, one call at a time.
class ServiceEvents {
 public:
  virtual ~ServiceEvents() = default;
  // The daemon answers and browsing starts afresh: what was seen before is gone.
  virtual void Connected() = 0;
  // The first answers of every browse are in.
  virtual void Settled() = 0;
  // The daemon cannot be reached (absent, restarting); what was seen is kept, stale.
  virtual void Disconnected(const std::string& why) = 0;
  virtual void Found(const Announcement& announcement, ServiceInstance instance) = 0;
  virtual void Lost(const Announcement& announcement) = 0;
  // Our advertisement is up under `name` (renamed after a collision), or failed.
  virtual void Advertised(const std::string& name, const std::string& error) = 0;
};

struct BackendOptions {
  std::vector<std::string> service_types;
  // What we advertise now; nullopt: nothing. Asked about once a second, so a change of our
  // own peer id or port reaches the LAN without a restart.
  std::function<std::optional<Advertisement>()> advertisement;
};

class ServiceBackend {
 public:
  virtual ~ServiceBackend() = default;
  // Browses, resolves and advertises until `stop`, reconnecting to the daemon as needed;
  // withdraws the advertisement before it returns.
  virtual void Run(std::stop_token stop, ServiceEvents& events) = 0;
};

std::unique_ptr<ServiceBackend> MakeAvahiBackend(BackendOptions options);
std::unique_ptr<ServiceBackend> MakeDnsSdBackend(BackendOptions options);

}  // namespace peerscout::mdns
