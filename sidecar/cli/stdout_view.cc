#include "sidecar/cli/stdout_view.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>

namespace peerscout::cli {
namespace {

std::optional<size_t> ColumnsVariable(const Environment& env) {
  const std::optional<std::string> text = env.Get("COLUMNS");
  if (!text || text->empty()) return std::nullopt;
  size_t columns = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), columns);
  if (error != std::errc() || end != text->data() + text->size() || columns == 0) {
    return std::nullopt;
  }
  return columns;
}

std::optional<size_t> TerminalColumns() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) return std::nullopt;
  return size.ws_col;
}

}  // namespace

bool StdoutIsTerminal() { return ::isatty(STDOUT_FILENO) == 1; }

terminal::TerminalView StdoutView(const std::string& color, const Environment& env) {
  terminal::TerminalView view;
  view.width = ColumnsVariable(env);
  if (!view.width) view.width = TerminalColumns();
  const auto choice = terminal::ParseColorChoice(color).value_or(terminal::ColorChoice::kAuto);
  view.color = terminal::UseColor(choice, StdoutIsTerminal(), env);
  return view;
}

std::string ResolveFormat(const std::string& format) {
  if (format != "auto") return format;
  return StdoutIsTerminal() ? "table" : "json";
}

}  // namespace peerscout::cli
