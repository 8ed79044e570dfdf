#include "adapters/exo/local_exo.h"

namespace peerscout::exo {

bool LocalExo::Heard(const Hello& hello, const UdpAddress& from, Clock::time_point now) {
  if (configured_ && hello.space != *configured_) return false;
  learned_ = hello.space;
  hello_ = hello;
  from_ = from;
  heard_ = now;
  return true;
}

void LocalExo::Answered(const WhatsUp& whats_up) {
  zid_ = whats_up.zid;
  port_ = whats_up.port;
}

std::optional<std::pair<Hello, UdpAddress>> LocalExo::LatestHello(Clock::time_point now) const {
  if (!hello_ || !running(now)) return std::nullopt;
  return std::make_pair(*hello_, from_);
}

std::string LocalExo::Describe(Clock::time_point now) const {
  std::string text;
  if (!heard_) {
    text = "not heard";
  } else if (!running(now)) {
    text = "silent";
  } else {
    text = "running";
  }
  if (zid_) text += ", zid " + zid_->ToString() + " on port " + std::to_string(port_);
  return text;
}

}  // namespace peerscout::exo
