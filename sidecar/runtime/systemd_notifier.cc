// libsystemd's sd_notify, so that the protocol (socket kinds, abstract names, credentials)
// is systemd's own code and not a copy of it.
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "sidecar/runtime/service_notifier.h"

namespace peerscout {
namespace {

class NoNotifier final : public ServiceNotifier {
 public:
  void Ready() override {}
  void Reloading() override {}
  void Stopping() override {}
  void Status(const std::string& /*line*/) override {}
};

class Systemd final : public ServiceNotifier {
 public:
  void Ready() override { Send("READY=1"); }

  // MONOTONIC_USEC lets the manager tell this reload cycle from an earlier one.
  void Reloading() override {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
                      static_cast<unsigned long long>(now.tv_nsec) / 1'000ULL;
    Send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
  }

  void Stopping() override { Send("STOPPING=1"); }

  void Status(const std::string& line) override {
    if (line == last_status_) return;
    last_status_ = line;
    Send("STATUS=" + line);
  }

 private:
  void Send(const std::string& message) {
    const int result = sd_notify(0, message.c_str());
    // Said once: a manager that went away is not worth a line a second.
    if (result < 0 && !warned_) {
      warned_ = true;
      spdlog::warn("systemd: cannot notify: {}", std::strerror(-result));
    }
  }

  std::string last_status_;
  bool warned_ = false;
};

}  // namespace

std::unique_ptr<ServiceNotifier> SystemdNotifier(const Environment& env) {
  if (!env.Get("NOTIFY_SOCKET")) return std::make_unique<NoNotifier>();
  return std::make_unique<Systemd>();
}

}  // namespace peerscout
