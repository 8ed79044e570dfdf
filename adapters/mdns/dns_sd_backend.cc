// DNS-SD through the dns_sd API (DNSServiceBrowse, Resolve, QueryRecord, Register): what
// macOS has, and what avahi-compat offers on Linux. Each operation is a DNSServiceRef with its
// own socket; one thread polls them all and runs their callbacks.
#include <arpa/inet.h>
#include <avahi-common/malloc.h>
#include <dns_sd.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "adapters/mdns/service_backend.h"
#include "adapters/mdns/service_txt_limits.h"

namespace peerscout::mdns {
namespace {

using namespace std::chrono_literals;

struct RefDeleter {
  void operator()(_DNSServiceRef_t* ref) const { DNSServiceRefDeallocate(ref); }
};
using Ref = std::unique_ptr<_DNSServiceRef_t, RefDeleter>;

// avahi-compat (0.8, Debian 12) allocates each DNSServiceRef without zeroing it and sets only
// the callback of its own kind, yet when avahi-daemon goes away its client callback calls
// whichever callback field is not null, the browse one first: for a resolve or query ref that
// is leftover heap, and the sidecar died with SIGSEGV on some daemon restarts. Every avahi
// allocation is zeroed instead, before anything allocates: libc's own functions, so memory
// from before or after stays compatible.
void* ZeroedMalloc(size_t size) { return std::calloc(1, size); }
const AvahiAllocator kZeroingAllocator{ZeroedMalloc, std::free, std::realloc, std::calloc};
const bool kZeroingAllocatorSet = (avahi_set_allocator(&kZeroingAllocator), true);

// Newer dns_sd.h headers name it; avahi-compat's predates it.
constexpr DNSServiceErrorType kServiceNotRunning = -65563;

std::string ErrorText(DNSServiceErrorType error) {
  switch (error) {
    case kServiceNotRunning:
      return "the mDNS daemon is not running";
    case kDNSServiceErr_Unknown:
      // What avahi-compat answers when avahi-daemon cannot be reached.
      return "the mDNS daemon did not answer (is avahi-daemon or mDNSResponder running?)";
    case kDNSServiceErr_NoMemory:
      return "out of memory";
    case kDNSServiceErr_NameConflict:
      return "name conflict";
    default:
      return "dns_sd error " + std::to_string(error);
  }
}

// A service being resolved: its SRV and TXT, then its host's addresses.
struct Resolution {
  ServiceInstance instance;
  Ref resolve;
  std::vector<Ref> queries;  // A and AAAA of the host, once known
  uint32_t interface = 0;
};

class DnsSdBackend : public ServiceBackend {
 public:
  explicit DnsSdBackend(BackendOptions options) : options_(std::move(options)) {}
  void Run(std::stop_token stop, ServiceEvents& events) override;

 private:
  static void DNSSD_API OnBrowse(DNSServiceRef ref, DNSServiceFlags flags, uint32_t interface,
                                 DNSServiceErrorType error, const char* name, const char* type,
                                 const char* domain, void* self);
  static void DNSSD_API OnResolve(DNSServiceRef ref, DNSServiceFlags flags, uint32_t interface,
                                  DNSServiceErrorType error, const char* fullname, const char* host,
                                  uint16_t port, uint16_t txt_length, const unsigned char* txt,
                                  void* self);
  static void DNSSD_API OnAddress(DNSServiceRef ref, DNSServiceFlags flags, uint32_t interface,
                                  DNSServiceErrorType error, const char* fullname, uint16_t type,
                                  uint16_t record_class, uint16_t length, const void* data,
                                  uint32_t ttl, void* self);
  static void DNSSD_API OnRegister(DNSServiceRef ref, DNSServiceFlags flags,
                                   DNSServiceErrorType error, const char* name, const char* type,
                                   const char* domain, void* self);

  bool Connect();
  void Disconnect(const std::string& why);
  void SyncAdvertisement();
  std::vector<DNSServiceRef> AllRefs() const;
  Resolution* Owner(DNSServiceRef ref);

  BackendOptions options_;
  ServiceEvents* events_ = nullptr;
  bool connected_ = false;
  bool failed_ = false;   // a callback reported an error: reconnect
  bool pending_ = false;  // more than one ref was ready at the last poll
  std::vector<Ref> browses_;
  std::map<Announcement, Resolution> resolutions_;
  Ref registration_;
  std::optional<Advertisement> requested_;  // what we asked to register
  std::string advertised_name_;             // its name, as the daemon gave it
};

void DnsSdBackend::Run(std::stop_token stop, ServiceEvents& events) {
  events_ = &events;
  auto retry_at = std::chrono::steady_clock::now();
  auto settle_at = retry_at;
  auto advertise_at = retry_at;
  bool settled = false;
  while (!stop.stop_requested()) {
    const auto now = std::chrono::steady_clock::now();
    if (!connected_ && now >= retry_at) {
      if (Connect()) {
        settle_at = now + 1s;  // dns_sd has no "all for now": give the first answers a second
        settled = false;
      } else {
        retry_at = now + 2s;
      }
    }
    if (connected_ && !settled && now >= settle_at) {
      settled = true;
      events.Settled();
    }
    if (connected_ && now >= advertise_at) {
      SyncAdvertisement();
      advertise_at = now + 1s;
    }
    std::vector<DNSServiceRef> refs = AllRefs();
    std::vector<pollfd> fds;
    fds.reserve(refs.size());
    for (DNSServiceRef ref : refs) fds.push_back({DNSServiceRefSockFD(ref), POLLIN, 0});
    // One result per poll: a callback may deallocate other refs (a service gone takes its
    // resolve and queries), so the ready list is stale after each.
    const bool busy = poll(fds.data(), fds.size(), pending_ ? 0 : 250) > 1;
    pending_ = false;
    for (size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const DNSServiceErrorType error = DNSServiceProcessResult(refs[i]);
      if (error != kDNSServiceErr_NoError) failed_ = true;
      pending_ = busy;
      break;
    }
    if (failed_) {
      Disconnect("the mDNS daemon went away");
      retry_at = std::chrono::steady_clock::now() + 2s;
    }
  }
  Disconnect("");  // deallocating the registration withdraws it
}

bool DnsSdBackend::Connect() {
  failed_ = false;
  for (const std::string& type : options_.service_types) {
    DNSServiceRef ref = nullptr;
    const DNSServiceErrorType error = DNSServiceBrowse(&ref, 0, kDNSServiceInterfaceIndexAny,
                                                       type.c_str(), nullptr, OnBrowse, this);
    if (error != kDNSServiceErr_NoError) {
      browses_.clear();
      events_->Disconnected("dns_sd: browsing " + type + ": " + ErrorText(error));
      return false;
    }
    browses_.emplace_back(ref);
  }
  connected_ = true;
  events_->Connected();
  return true;
}

void DnsSdBackend::Disconnect(const std::string& why) {
  const bool was_connected = connected_;
  resolutions_.clear();
  browses_.clear();
  registration_.reset();
  requested_.reset();
  advertised_name_.clear();
  connected_ = false;
  failed_ = false;
  if (was_connected && !why.empty()) events_->Disconnected("dns_sd: " + why);
}

std::vector<DNSServiceRef> DnsSdBackend::AllRefs() const {
  std::vector<DNSServiceRef> refs;
  for (const Ref& ref : browses_) refs.push_back(ref.get());
  for (const auto& [announcement, resolution] : resolutions_) {
    if (resolution.resolve) refs.push_back(resolution.resolve.get());
    for (const Ref& query : resolution.queries) refs.push_back(query.get());
  }
  if (registration_) refs.push_back(registration_.get());
  return refs;
}

Resolution* DnsSdBackend::Owner(DNSServiceRef ref) {
  for (auto& [announcement, resolution] : resolutions_) {
    if (resolution.resolve.get() == ref) return &resolution;
    for (const Ref& query : resolution.queries) {
      if (query.get() == ref) return &resolution;
    }
  }
  return nullptr;
}

void DNSSD_API DnsSdBackend::OnBrowse(DNSServiceRef /*ref*/, DNSServiceFlags flags,
                                      uint32_t interface, DNSServiceErrorType error,
                                      const char* name, const char* type, const char* domain,
                                      void* self) {
  auto& backend = *static_cast<DnsSdBackend*>(self);
  if (error != kDNSServiceErr_NoError) {
    backend.failed_ = true;
    return;
  }
  const Announcement announcement{static_cast<int>(interface), -1, {name, type, domain}};
  if ((flags & kDNSServiceFlagsAdd) == 0) {
    if (backend.resolutions_.erase(announcement) != 0) backend.events_->Lost(announcement);
    return;
  }
  if (!backend.advertised_name_.empty() && backend.advertised_name_ == name) return;  // ours
  if (backend.resolutions_.count(announcement) != 0) return;
  DNSServiceRef resolve = nullptr;
  if (DNSServiceResolve(&resolve, 0, interface, name, type, domain, OnResolve, self) !=
      kDNSServiceErr_NoError) {
    return;  // the browse reports it again if it stays
  }
  Resolution& resolution = backend.resolutions_[announcement];
  resolution.instance.key = announcement.key;
  resolution.interface = interface;
  resolution.resolve.reset(resolve);
}

std::vector<std::string> TxtStrings(uint16_t length, const unsigned char* txt) {
  std::vector<std::string> strings;
  const uint16_t count = TXTRecordGetCount(length, txt);
  for (uint16_t i = 0; i < count && strings.size() < kMaxTxtStrings; ++i) {
    std::array<char, 256> key{};
    uint8_t value_length = 0;
    const void* value = nullptr;
    if (TXTRecordGetItemAtIndex(length, txt, i, key.size(), key.data(), &value_length, &value) !=
        kDNSServiceErr_NoError) {
      continue;
    }
    std::string entry(key.data());
    if (value != nullptr) entry += "=" + std::string(static_cast<const char*>(value), value_length);
    if (entry.size() <= kMaxTxtString) strings.push_back(std::move(entry));
  }
  return strings;
}

void DNSSD_API DnsSdBackend::OnResolve(DNSServiceRef ref, DNSServiceFlags /*flags*/,
                                       uint32_t /*interface*/, DNSServiceErrorType error,
                                       const char* /*fullname*/, const char* host, uint16_t port,
                                       uint16_t txt_length, const unsigned char* txt, void* self) {
  auto& backend = *static_cast<DnsSdBackend*>(self);
  Resolution* resolution = backend.Owner(ref);
  if (resolution == nullptr || error != kDNSServiceErr_NoError) return;
  ServiceInstance& instance = resolution->instance;
  instance.port = ntohs(port);
  instance.txt = TxtStrings(txt_length, txt);
  if (instance.host != host) {
    instance.host = host;
    instance.addresses.clear();
    resolution->queries.clear();
    for (const uint16_t type : {kDNSServiceType_A, kDNSServiceType_AAAA}) {
      DNSServiceRef query = nullptr;
      if (DNSServiceQueryRecord(&query, 0, resolution->interface, host, type, kDNSServiceClass_IN,
                                OnAddress, self) == kDNSServiceErr_NoError) {
        resolution->queries.emplace_back(query);
      }
    }
  }
  for (const auto& [announcement, entry] : backend.resolutions_) {
    if (&entry == resolution) backend.events_->Found(announcement, instance);
  }
}

void DNSSD_API DnsSdBackend::OnAddress(DNSServiceRef ref, DNSServiceFlags flags,
                                       uint32_t /*interface*/, DNSServiceErrorType error,
                                       const char* /*fullname*/, uint16_t type,
                                       uint16_t /*record_class*/, uint16_t length, const void* data,
                                       uint32_t /*ttl*/, void* self) {
  auto& backend = *static_cast<DnsSdBackend*>(self);
  Resolution* resolution = backend.Owner(ref);
  if (resolution == nullptr || error != kDNSServiceErr_NoError || data == nullptr) return;
  std::optional<IpAddress> ip;
  if (type == kDNSServiceType_A && length == 4) {
    std::array<uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), data, 4);
    ip = IpAddress::V4(bytes);
  } else if (type == kDNSServiceType_AAAA && length == 16) {
    std::array<uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), data, 16);
    ip = IpAddress::V6(bytes);
  }
  if (!ip || ip->is_link_local()) return;  // a link-local address is useless without its scope
  std::vector<IpAddress>& addresses = resolution->instance.addresses;
  const auto found = std::find(addresses.begin(), addresses.end(), *ip);
  if ((flags & kDNSServiceFlagsAdd) != 0) {
    if (found != addresses.end()) return;
    addresses.push_back(*ip);
  } else {
    if (found == addresses.end()) return;
    addresses.erase(found);
  }
  for (const auto& [announcement, entry] : backend.resolutions_) {
    if (&entry == resolution) backend.events_->Found(announcement, resolution->instance);
  }
}

void DNSSD_API DnsSdBackend::OnRegister(DNSServiceRef /*ref*/, DNSServiceFlags /*flags*/,
                                        DNSServiceErrorType error, const char* name,
                                        const char* /*type*/, const char* /*domain*/, void* self) {
  auto& backend = *static_cast<DnsSdBackend*>(self);
  if (error == kDNSServiceErr_NoError && name != nullptr) backend.advertised_name_ = name;
  backend.events_->Advertised(name ? name : "",
                              error == kDNSServiceErr_NoError ? "" : ErrorText(error));
}

void DnsSdBackend::SyncAdvertisement() {
  std::optional<Advertisement> wanted = options_.advertisement();
  // The daemon may have renamed ours after a conflict: compare what we asked for.
  if (wanted == requested_) return;
  registration_.reset();
  requested_ = wanted;
  advertised_name_ = wanted ? wanted->name : "";
  if (!wanted) return;
  TXTRecordRef txt;
  TXTRecordCreate(&txt, 0, nullptr);
  for (const std::string& item : wanted->txt) {
    const size_t equals = item.find('=');
    const std::string key = item.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : item.substr(equals + 1);
    TXTRecordSetValue(&txt, key.c_str(), static_cast<uint8_t>(value.size()), value.data());
  }
  DNSServiceRef ref = nullptr;
  const DNSServiceErrorType error =
      DNSServiceRegister(&ref, 0, kDNSServiceInterfaceIndexAny, wanted->name.c_str(),
                         wanted->type.c_str(), nullptr, nullptr, htons(wanted->port),
                         TXTRecordGetLength(&txt), TXTRecordGetBytesPtr(&txt), OnRegister, this);
  TXTRecordDeallocate(&txt);
  if (error != kDNSServiceErr_NoError) {
    events_->Advertised(wanted->name, ErrorText(error));
    return;
  }
  registration_.reset(ref);
}

}  // namespace

std::unique_ptr<ServiceBackend> MakeDnsSdBackend(BackendOptions options) {
  return std::make_unique<DnsSdBackend>(std::move(options));
}

}  // namespace peerscout::mdns
