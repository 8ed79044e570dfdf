// Where the CLI's output goes: a terminal or not, how wide, and whether to colour it.
#pragma once

#include <string>

#include "sidecar/config/environment.h"
#include "sidecar/terminal/text_table.h"

namespace peerscout::cli {

bool StdoutIsTerminal();

// The width from COLUMNS when set (as ls and most tools read it first), else the terminal's
// (TIOCGWINSZ); none when neither says, so nothing is cut. Colour as UseColor decides for
// `color` (auto, always, never).
terminal::TerminalView StdoutView(const std::string& color, const Environment& env);

// A --format of "auto": a table for a person at a terminal, else the JSON scripts have
// always read.
std::string ResolveFormat(const std::string& format);

}  // namespace peerscout::cli
