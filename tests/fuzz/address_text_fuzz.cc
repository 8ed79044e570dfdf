// Fuzz target: a bootstrap list as a user (or a hostile environment) writes it, and the peer ids
// and addresses in it. What parses must print back to itself, and never carry a character that
// would break an env file, a hosts line or a comma-separated list.
// Built for libFuzzer by tests/fuzz/run.sh; replayed over its corpus by ctest.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/env/bootstrap_list.h"

namespace {

void CheckPrintable(const std::string& text) {
  for (const char c : text) {
    if (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '"' || c == '\'' || c == '$' ||
        c == '`' || c == '\0') {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace peerscout;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto address = env::ParseBootstrapAddress(text)) {
    const std::string printed = address->ToString();
    CheckPrintable(printed);
    auto again = env::ParseBootstrapAddress(printed);
    if (!again || again->ToString() != printed) __builtin_trap();
  }
  if (auto id = PeerId::Parse(text)) {
    auto again = PeerId::Parse(id->ToString());
    if (!again || !(*again == *id)) __builtin_trap();
  }
  env::BootstrapList list;
  env::ParseBootstrapVariable("PEERS", text, list);
  for (const env::BootstrapEntry& entry : list.entries) {
    for (const Multiaddr& address : entry.addresses) CheckPrintable(address.ToString());
  }
  return 0;
}
