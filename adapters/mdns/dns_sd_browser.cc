#include "adapters/mdns/dns_sd_browser.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace peerscout::mdns {

DnsSdBrowser::DnsSdBrowser(ServiceSelection selection, Duration stale_after,
                           std::function<void()> changed)
    : selection_(std::move(selection)), stale_after_(stale_after), changed_(std::move(changed)) {}

void DnsSdBrowser::ResetFirstLook() {
  std::lock_guard lock(mutex_);
  settled_ = false;
}

DnsSdBrowser::View DnsSdBrowser::Look(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!settled_) return {};
  const bool away = !error_.empty();
  if (away && now - lost_at_ > stale_after_) services_.Clear();
  Snapshot found;
  services_.Fill(selection_, found);
  if (away) {
    for (Observation& observation : found.observations) observation.stale = true;
  }
  return {true,     error_, advertised_, std::move(found.observations), std::move(found.issues),
          counters_};
}

void DnsSdBrowser::Connected() {
  std::lock_guard lock(mutex_);
  // What was seen before stays until the first answers are in, so a daemon restart does not
  // flap every service out and back in.
  refreshing_ = true;
  refreshed_.clear();
  error_.clear();
}

void DnsSdBrowser::Settled() {
  {
    std::lock_guard lock(mutex_);
    if (refreshing_) services_.RetainOnly(refreshed_);
    refreshing_ = false;
    error_.clear();
    settled_ = true;
  }
  changed_();
}

void DnsSdBrowser::Disconnected(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (error_.empty()) lost_at_ = Clock::now();
    error_ = why;
    settled_ = true;  // it has had its look: the libp2p part need not wait for it
    advertised_.clear();
    counters_["dns_sd_disconnects"] += 1;
  }
  changed_();
}

void DnsSdBrowser::Found(const Announcement& announcement, ServiceInstance instance) {
  bool settled = false;
  {
    std::lock_guard lock(mutex_);
    services_.Resolved(announcement, std::move(instance));
    if (refreshing_) refreshed_.insert(announcement);
    settled = settled_;
  }
  if (settled) changed_();
}

void DnsSdBrowser::Lost(const Announcement& announcement) {
  bool settled = false;
  {
    std::lock_guard lock(mutex_);
    services_.Removed(announcement);
    refreshed_.erase(announcement);
    settled = settled_;
  }
  if (settled) changed_();
}

void DnsSdBrowser::Advertised(const std::string& name, const std::string& error) {
  {
    std::lock_guard lock(mutex_);
    advertised_ = error.empty() ? name : "failed: " + error;
  }
  if (!error.empty()) spdlog::warn("mdns: advertising '{}': {}", name, error);
  changed_();
}

}  // namespace peerscout::mdns
