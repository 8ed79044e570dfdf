#include "sidecar/terminal/color.h"

namespace peerscout::terminal {
namespace {

std::string_view Code(Tone tone) {
  switch (tone) {
    case Tone::kPlain:
      return "";
    case Tone::kDim:
      return "\x1b[2m";
    case Tone::kGood:
      return "\x1b[32m";
    case Tone::kWarn:
      return "\x1b[33m";
    case Tone::kBad:
      return "\x1b[31m";
  }
  return "";
}

}  // namespace

std::optional<ColorChoice> ParseColorChoice(std::string_view text) {
  if (text == "auto") return ColorChoice::kAuto;
  if (text == "always") return ColorChoice::kAlways;
  if (text == "never") return ColorChoice::kNever;
  return std::nullopt;
}

bool UseColor(ColorChoice choice, bool stdout_is_terminal, const Environment& env) {
  switch (choice) {
    case ColorChoice::kAlways:
      return true;
    case ColorChoice::kNever:
      return false;
    case ColorChoice::kAuto:
      break;
  }
  const std::optional<std::string> no_color = env.Get("NO_COLOR");
  return stdout_is_terminal && (!no_color || no_color->empty());
}

std::string Paint(std::string_view text, Tone tone, bool color) {
  const std::string_view code = Code(tone);
  if (!color || code.empty() || text.empty()) return std::string(text);
  std::string painted;
  painted.reserve(code.size() + text.size() + 4);
  painted.append(code).append(text).append("\x1b[0m");
  return painted;
}

}  // namespace peerscout::terminal
