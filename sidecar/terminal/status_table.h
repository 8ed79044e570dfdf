// `peerscout status` for people: every source's health at a glance.
#pragma once

#include <string>
#include <string_view>

#include "sidecar/base/error_or.h"
#include "sidecar/core/observation.h"
#include "sidecar/terminal/text_table.h"

namespace peerscout::terminal {

// From /v1/sources and /v1/health (empty when it could not be had): a line with the health,
// the list's version, its peers and how many sources are not ok; then one row per source
// (NAME, TYPE, STATE, PEERS, LAST SUCCESS, LAST ERROR, ages from `now`), with the error of a
// failing source and each refused entry on an indented line beneath it.
ErrorOr<std::string> RenderStatus(std::string_view sources_json, std::string_view health_json,
                                  Clock::time_point now, const TerminalView& view);

}  // namespace peerscout::terminal
