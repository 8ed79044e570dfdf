// Fuzz target: one UDP datagram from anyone on exo's discovery port, through everything that
// reads it: the decoder, and for what decodes, the local exo's state and the probe table.
// Built for libFuzzer by tests/fuzz/run.sh; replayed over its corpus by peerscout_fuzz_replay.
#include <cstddef>
#include <cstdint>
#include <span>

#include "adapters/exo/discovery_message.h"
#include "adapters/exo/instance_table.h"
#include "adapters/exo/local_exo.h"

namespace {

using namespace peerscout;
using namespace peerscout::exo;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> datagram(data, size);
  const Message message = Decode(datagram);
  const auto now = Clock::time_point{} + std::chrono::hours(1);
  const IpAddress source = *IpAddress::Parse("fd7a:115c:a1e0::2");
  if (const auto* hello = std::get_if<Hello>(&message)) {
    const auto bytes = Encode(*hello);  // what decodes encodes back to the same bytes
    Check(size == bytes.size() && std::equal(bytes.begin(), bytes.end(), data));
    LocalExo local(std::nullopt);
    Check(local.Heard(*hello, {source, 52413, 0}, now));
    Check(local.space() == hello->space);
  } else if (const auto* whats_up = std::get_if<WhatsUp>(&message)) {
    const auto bytes = Encode(*whats_up);
    Check(size == bytes.size() && std::equal(bytes.begin(), bytes.end(), data));
    Check(whats_up->zid.ToString().size() <= 32);
    InstanceTable table({});
    table.SetCandidates({source});
    const auto probes = table.Due(now, [] { return Nonce{1, 2, 3, 4, 5, 6, 7, 8}; });
    // Only the nonce we sent makes an instance live.
    Check(table.Answer(source, *whats_up, now) == (whats_up->nonce == probes.at(0).nonce));
  } else {
    Check(size != kHelloSize || data[0] != 'E' || data[1] != 'X' || data[2] != 'O' || data[3] != 0);
  }
  return 0;
}
