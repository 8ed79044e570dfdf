// DNS-SD through avahi-daemon's D-Bus API (libavahi-client) on a threaded poll. Every Avahi
// object is touched with the poll's lock held, or from its callbacks, which run on its thread.
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>
#include <avahi-common/thread-watch.h>

#include <chrono>
#include <map>
#include <memory>

#include "adapters/mdns/service_backend.h"
#include "adapters/mdns/service_txt_limits.h"
#include "sidecar/core/source.h"

namespace peerscout::mdns {
namespace {

class AvahiBackend : public ServiceBackend {
 public:
  explicit AvahiBackend(BackendOptions options) : options_(std::move(options)) {}
  void Run(std::stop_token stop, ServiceEvents& events) override;

 private:
  static void OnClient(AvahiClient* client, AvahiClientState state, void* self);
  static void OnBrowse(AvahiServiceBrowser* browser, AvahiIfIndex interface, AvahiProtocol protocol,
                       AvahiBrowserEvent event, const char* name, const char* type,
                       const char* domain, AvahiLookupResultFlags flags, void* self);
  static void OnResolve(AvahiServiceResolver* resolver, AvahiIfIndex interface,
                        AvahiProtocol protocol, AvahiResolverEvent event, const char* name,
                        const char* type, const char* domain, const char* host,
                        const AvahiAddress* address, uint16_t port, AvahiStringList* txt,
                        AvahiLookupResultFlags flags, void* self);
  static void OnGroup(AvahiEntryGroup* group, AvahiEntryGroupState state, void* self);

  void Connect();
  void StartBrowsing();
  void Forget();  // frees browsers, resolvers and our group: the daemon forgot them anyway
  void SyncAdvertisement();
  void Publish();
  std::string Error() const { return avahi_strerror(avahi_client_errno(client_)); }

  BackendOptions options_;
  ServiceEvents* events_ = nullptr;
  AvahiThreadedPoll* poll_ = nullptr;
  AvahiClient* client_ = nullptr;
  bool reconnect_ = false;
  bool browsing_ = false;
  std::vector<AvahiServiceBrowser*> browsers_;
  size_t browsers_settled_ = 0;
  std::map<Announcement, AvahiServiceResolver*> resolvers_;
  AvahiEntryGroup* group_ = nullptr;
  std::optional<Advertisement> published_;  // what the group holds
  std::string published_name_;              // its name after collisions
};

Announcement MakeAnnouncement(AvahiIfIndex interface, AvahiProtocol protocol, const char* name,
                              const char* type, const char* domain) {
  return {interface, protocol, {name ? name : "", type ? type : "", domain ? domain : ""}};
}

void AvahiBackend::Run(std::stop_token stop, ServiceEvents& events) {
  events_ = &events;
  poll_ = avahi_threaded_poll_new();
  if (poll_ == nullptr) {
    events.Disconnected("avahi: cannot create its poll loop (out of memory)");
    return;
  }
  avahi_threaded_poll_lock(poll_);
  Connect();
  avahi_threaded_poll_unlock(poll_);
  avahi_threaded_poll_start(poll_);
  while (!stop.stop_requested()) {
    SleepUnlessStopped(std::chrono::seconds(1), stop);
    avahi_threaded_poll_lock(poll_);
    if (reconnect_) Connect();
    if (browsing_ && avahi_client_get_state(client_) == AVAHI_CLIENT_S_RUNNING) {
      SyncAdvertisement();
    }
    avahi_threaded_poll_unlock(poll_);
  }
  avahi_threaded_poll_stop(poll_);
  Forget();  // frees our entry group: avahi-daemon sends its goodbye
  if (client_ != nullptr) avahi_client_free(client_);
  avahi_threaded_poll_free(poll_);
}

void AvahiBackend::Connect() {
  reconnect_ = false;
  Forget();
  if (client_ != nullptr) avahi_client_free(client_);
  int error = 0;
  // NO_FAIL: an absent daemon is a state to wait in, and a restarted one is found again.
  client_ = avahi_client_new(avahi_threaded_poll_get(poll_), AVAHI_CLIENT_NO_FAIL, OnClient, this,
                             &error);
  if (client_ == nullptr) {
    events_->Disconnected(std::string("avahi: ") + avahi_strerror(error));
    reconnect_ = true;
  }
}

void AvahiBackend::OnClient(AvahiClient* client, AvahiClientState state, void* self) {
  auto& backend = *static_cast<AvahiBackend*>(self);
  backend.client_ = client;  // the first call comes from inside avahi_client_new
  switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
      if (!backend.browsing_) {
        backend.StartBrowsing();
      } else {
        backend.SyncAdvertisement();  // back from a host name collision
      }
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      // The host name is being settled: our records must wait for it.
      if (backend.group_ != nullptr) avahi_entry_group_reset(backend.group_);
      backend.published_.reset();
      break;
    case AVAHI_CLIENT_CONNECTING:
      backend.Forget();
      backend.events_->Disconnected("avahi-daemon is not running (waiting for it on D-Bus)");
      break;
    case AVAHI_CLIENT_FAILURE:
      backend.Forget();
      backend.events_->Disconnected("avahi: " +
                                    std::string(avahi_strerror(avahi_client_errno(client))));
      backend.reconnect_ = true;  // the client is unusable; the run loop makes a new one
      break;
  }
}

void AvahiBackend::StartBrowsing() {
  browsing_ = true;
  browsers_settled_ = 0;
  events_->Connected();
  for (const std::string& type : options_.service_types) {
    AvahiServiceBrowser* browser =
        avahi_service_browser_new(client_, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, type.c_str(),
                                  nullptr, static_cast<AvahiLookupFlags>(0), OnBrowse, this);
    if (browser == nullptr) {
      events_->Disconnected("avahi: browsing " + type + ": " + Error());
      reconnect_ = true;
      return;
    }
    browsers_.push_back(browser);
  }
  if (browsers_.empty()) events_->Settled();
  SyncAdvertisement();
}

void AvahiBackend::Forget() {
  for (auto& [announcement, resolver] : resolvers_) avahi_service_resolver_free(resolver);
  resolvers_.clear();
  for (AvahiServiceBrowser* browser : browsers_) avahi_service_browser_free(browser);
  browsers_.clear();
  if (group_ != nullptr) avahi_entry_group_free(group_);
  group_ = nullptr;
  published_.reset();
  browsing_ = false;
}

void AvahiBackend::OnBrowse(AvahiServiceBrowser* /*browser*/, AvahiIfIndex interface,
                            AvahiProtocol protocol, AvahiBrowserEvent event, const char* name,
                            const char* type, const char* domain, AvahiLookupResultFlags flags,
                            void* self) {
  auto& backend = *static_cast<AvahiBackend*>(self);
  switch (event) {
    case AVAHI_BROWSER_NEW: {
      if ((flags & AVAHI_LOOKUP_RESULT_OUR_OWN) != 0) return;  // our own advertisement
      const Announcement announcement = MakeAnnouncement(interface, protocol, name, type, domain);
      if (backend.resolvers_.count(announcement) != 0) return;
      // Kept open: it reports the service again when its TXT or address changes.
      AvahiServiceResolver* resolver = avahi_service_resolver_new(
          backend.client_, interface, protocol, name, type, domain, AVAHI_PROTO_UNSPEC,
          static_cast<AvahiLookupFlags>(0), OnResolve, self);
      if (resolver != nullptr) backend.resolvers_[announcement] = resolver;
      return;
    }
    case AVAHI_BROWSER_REMOVE: {
      const Announcement announcement = MakeAnnouncement(interface, protocol, name, type, domain);
      auto found = backend.resolvers_.find(announcement);
      if (found == backend.resolvers_.end()) return;
      avahi_service_resolver_free(found->second);
      backend.resolvers_.erase(found);
      backend.events_->Lost(announcement);
      return;
    }
    case AVAHI_BROWSER_ALL_FOR_NOW:
      if (++backend.browsers_settled_ == backend.browsers_.size()) backend.events_->Settled();
      return;
    case AVAHI_BROWSER_CACHE_EXHAUSTED:
      return;
    case AVAHI_BROWSER_FAILURE:
      backend.events_->Disconnected("avahi: browsing " + std::string(type ? type : "") + ": " +
                                    backend.Error());
      backend.reconnect_ = true;
      return;
  }
}

std::vector<std::string> TxtStrings(AvahiStringList* list) {
  std::vector<std::string> strings;
  for (AvahiStringList* item = list; item != nullptr && strings.size() < kMaxTxtStrings;
       item = avahi_string_list_get_next(item)) {
    const size_t size = avahi_string_list_get_size(item);
    if (size > kMaxTxtString) continue;
    strings.emplace_back(reinterpret_cast<const char*>(avahi_string_list_get_text(item)), size);
  }
  return strings;
}

void AvahiBackend::OnResolve(AvahiServiceResolver* resolver, AvahiIfIndex interface,
                             AvahiProtocol protocol, AvahiResolverEvent event, const char* name,
                             const char* type, const char* domain, const char* host,
                             const AvahiAddress* address, uint16_t port, AvahiStringList* txt,
                             AvahiLookupResultFlags /*flags*/, void* self) {
  auto& backend = *static_cast<AvahiBackend*>(self);
  const Announcement announcement = MakeAnnouncement(interface, protocol, name, type, domain);
  if (event != AVAHI_RESOLVER_FOUND) {
    // Not answered in time; the browser reports it again if it comes back.
    backend.resolvers_.erase(announcement);
    avahi_service_resolver_free(resolver);
    return;
  }
  ServiceInstance instance;
  instance.key = announcement.key;
  instance.host = host ? host : "";
  std::array<char, AVAHI_ADDRESS_STR_MAX> text{};
  if (address != nullptr && avahi_address_snprint(text.data(), text.size(), address) != nullptr) {
    if (auto ip = IpAddress::Parse(text.data()); ip && !ip->is_link_local()) {
      instance.addresses.push_back(*ip);
    }
  }
  instance.port = port;
  instance.txt = TxtStrings(txt);
  backend.events_->Found(announcement, std::move(instance));
}

void AvahiBackend::OnGroup(AvahiEntryGroup* group, AvahiEntryGroupState state, void* self) {
  auto& backend = *static_cast<AvahiBackend*>(self);
  if (group != backend.group_) return;
  if (state == AVAHI_ENTRY_GROUP_ESTABLISHED) {
    backend.events_->Advertised(backend.published_name_, "");
  } else if (state == AVAHI_ENTRY_GROUP_COLLISION) {
    // Someone else holds the name: take the next one ("name #2") and publish again.
    char* next = avahi_alternative_service_name(backend.published_name_.c_str());
    backend.published_name_ = next;
    avahi_free(next);
    backend.Publish();
  } else if (state == AVAHI_ENTRY_GROUP_FAILURE) {
    backend.events_->Advertised(backend.published_name_,
                                avahi_strerror(avahi_client_errno(backend.client_)));
  }
}

void AvahiBackend::SyncAdvertisement() {
  std::optional<Advertisement> wanted = options_.advertisement();
  if (wanted == published_) return;
  const bool renamed = !published_ || !wanted || published_->name != wanted->name;
  published_ = std::move(wanted);
  if (renamed && published_) published_name_ = published_->name;
  Publish();
}

void AvahiBackend::Publish() {
  if (group_ != nullptr) avahi_entry_group_reset(group_);
  if (!published_) return;
  if (group_ == nullptr) group_ = avahi_entry_group_new(client_, OnGroup, this);
  if (group_ == nullptr) {
    events_->Advertised(published_name_, Error());
    return;
  }
  AvahiStringList* txt = nullptr;
  for (const std::string& item : published_->txt) txt = avahi_string_list_add(txt, item.c_str());
  int result = AVAHI_ERR_COLLISION;
  for (int attempt = 0; attempt < 16 && result == AVAHI_ERR_COLLISION; ++attempt) {
    result = avahi_entry_group_add_service_strlst(
        group_, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, static_cast<AvahiPublishFlags>(0),
        published_name_.c_str(), published_->type.c_str(), nullptr, nullptr, published_->port, txt);
    if (result == AVAHI_ERR_COLLISION) {
      char* next = avahi_alternative_service_name(published_name_.c_str());
      published_name_ = next;
      avahi_free(next);
    }
  }
  avahi_string_list_free(txt);
  if (result == AVAHI_OK) result = avahi_entry_group_commit(group_);
  if (result != AVAHI_OK) events_->Advertised(published_name_, avahi_strerror(result));
}

}  // namespace

std::unique_ptr<ServiceBackend> MakeAvahiBackend(BackendOptions options) {
  return std::make_unique<AvahiBackend>(std::move(options));
}

}  // namespace peerscout::mdns
