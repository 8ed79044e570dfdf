#include "sidecar/terminal/text_table.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace peerscout::terminal {
namespace {

constexpr std::string_view kGap = "  ";
constexpr std::string_view kNoteIndent = "  ";
constexpr std::string_view kEllipsis = "\u2026";
// A column is never cut narrower than this, so a cut cell still says something.
constexpr size_t kNarrowest = 4;

bool IsContinuation(unsigned char byte) { return (byte & 0xc0) == 0x80; }

void AppendEscaped(std::string& out, unsigned char byte) {
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
  out += escaped;
}

void AppendPadded(std::string& line, const Cell& cell, size_t width, bool color) {
  const std::string text = Truncate(cell.text, width);
  line += Paint(text, cell.tone, color);
  line.append(width - DisplayWidth(text), ' ');
}

void TrimTrailingSpaces(std::string& line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) {
      AppendEscaped(out, byte);
    } else if (byte == 0xc2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      AppendEscaped(out, static_cast<unsigned char>(text[++i]));  // U+0080..U+009F: C1
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return !IsContinuation(static_cast<unsigned char>(c));
  }));
}

std::string Truncate(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  // Keep width - 1 code points, then the ellipsis.
  size_t kept = 0;
  size_t end = 0;
  while (end < text.size()) {
    if (!IsContinuation(static_cast<unsigned char>(text[end])) && kept++ == width - 1) break;
    ++end;
  }
  return std::string(text.substr(0, end)) + std::string(kEllipsis);
}

TextTable::TextTable(std::vector<Column> columns) {
  for (Column& column : columns) {
    headers_.push_back({std::move(column.header), Tone::kDim});
    cut_to_fit_.push_back(column.cut_to_fit);
  }
}

void TextTable::AddRow(std::vector<Cell> cells) {
  cells.resize(headers_.size());
  for (Cell& cell : cells) cell.text = Printable(cell.text);
  lines_.push_back({std::move(cells), std::nullopt});
}

void TextTable::AddNote(Cell note) {
  note.text = Printable(note.text);
  lines_.push_back({{}, std::move(note)});
}

std::vector<size_t> TextTable::ColumnWidths(std::optional<size_t> width) const {
  std::vector<size_t> widths;
  std::vector<size_t> floors;
  for (const Cell& header : headers_) widths.push_back(DisplayWidth(header.text));
  for (const Line& line : lines_) {
    for (size_t c = 0; c < line.cells.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(line.cells[c].text));
    }
  }
  if (!width || widths.empty()) return widths;
  for (size_t c = 0; c < widths.size(); ++c) {
    const size_t header = DisplayWidth(headers_[c].text);
    floors.push_back(cut_to_fit_[c] ? std::min(widths[c], std::max(header, kNarrowest))
                                    : widths[c]);
  }
  size_t total = std::accumulate(widths.begin(), widths.end(), (widths.size() - 1) * kGap.size());
  while (total > *width) {
    // The widest column that can still give up a column of room.
    size_t widest = widths.size();
    for (size_t c = 0; c < widths.size(); ++c) {
      if (widths[c] > floors[c] && (widest == widths.size() || widths[c] > widths[widest])) {
        widest = c;
      }
    }
    if (widest == widths.size()) break;  // as narrow as it goes: the terminal wraps the rest
    --widths[widest];
    --total;
  }
  return widths;
}

std::string TextTable::Render(const TerminalView& view) const {
  const std::vector<size_t> widths = ColumnWidths(view.width);
  std::string out;
  auto append_row = [&](const std::vector<Cell>& cells) {
    std::string line;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) line += kGap;
      AppendPadded(line, cells[c], widths[c], view.color);
    }
    TrimTrailingSpaces(line);
    out += line;
    out += '\n';
  };
  append_row(headers_);
  for (const Line& line : lines_) {
    if (!line.note) {
      append_row(line.cells);
      continue;
    }
    const size_t room = view.width ? *view.width - std::min(*view.width, kNoteIndent.size()) : 0;
    const std::string text = view.width ? Truncate(line.note->text, room) : line.note->text;
    out += kNoteIndent;
    out += Paint(text, line.note->tone, view.color);
    out += '\n';
  }
  return out;
}

}  // namespace peerscout::terminal
