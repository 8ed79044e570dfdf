// Fuzz target: what tailscaled (`tailscale status --json`, the LocalAPI) and Headscale
// (`GET /api/v1/node`, every API generation) answer, read by the tailnet sources' parsers.
// Whatever the bytes, a parser says yes or gives a reason; it never crashes or hangs.
// Built for libFuzzer by tests/fuzz/run.sh; replayed over its corpus by ctest.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/headscale/node_list.h"
#include "adapters/tailscale/status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace peerscout;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto status = tailscale::ParseStatus(json);
  if (!status && status.error().empty()) __builtin_trap();
  auto nodes = headscale::ParseNodeList(json);
  if (!nodes && nodes.error().empty()) __builtin_trap();
  return 0;
}
