// `peerscout peers` for people: the API's JSON list as a table, one line per address.
#pragma once

#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"
#include "sidecar/core/observation.h"
#include "sidecar/terminal/text_table.h"

namespace peerscout::terminal {

// From /v1/peers?format=json. Columns: NAME, ADDRESS ("100.64.0.2 (tailnet)"), SOURCES,
// ONLINE, LAST SEEN (from `now`), STALE. A peer's first address shares its line; each further
// address gets a line of its own beneath, so a column stays one address wide however many a
// peer has, and a table of a thousand peers still fits a terminal without cutting anything.
// Peers are sorted as the API lists them (peer_order.h), whatever order the text had: by
// name ignoring case, then by address as numbers; a peer's addresses stay best first.
ErrorOr<std::string> RenderPeerTable(std::string_view json, Clock::time_point now,
                                     const TerminalView& view);

}  // namespace peerscout::terminal
