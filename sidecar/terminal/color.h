// Colour on a terminal: whether to use it, and the few tones the CLI's tables use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sidecar/config/environment.h"

namespace peerscout::terminal {

enum class ColorChoice { kAuto, kAlways, kNever };

// "auto", "always", "never".
std::optional<ColorChoice> ParseColorChoice(std::string_view text);

// auto: only on a terminal, and never when NO_COLOR is set and not empty (no-color.org).
// always and never are what the user typed for this run, so, as no-color.org asks of a
// command-line flag, they win over NO_COLOR.
bool UseColor(ColorChoice choice, bool stdout_is_terminal, const Environment& env);

enum class Tone { kPlain, kDim, kGood, kWarn, kBad };

// `text` between the tone's SGR code and a reset; unchanged when plain or without colour.
std::string Paint(std::string_view text, Tone tone, bool color);

}  // namespace peerscout::terminal
