// Columns of text for a terminal: aligned, cut to the terminal's width when it is known, and
// safe to print whatever the cells hold.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sidecar/terminal/color.h"

namespace peerscout::terminal {

// Where the text goes: its width in columns (none: not known, so nothing is cut), and
// whether it may be coloured.
struct TerminalView {
  std::optional<size_t> width;
  bool color = false;
};

struct Cell {
  std::string text;
  Tone tone = Tone::kPlain;
};

struct Column {
  std::string header;
  // A column of open-ended text (a name, an address) that may be cut to fit the terminal; a
  // short fixed one ("yes", "12s ago", a state) is never cut.
  bool cut_to_fit = false;
};

class TextTable {
 public:
  explicit TextTable(std::vector<Column> columns);

  // One line of cells, up to one per header; missing cells are empty.
  void AddRow(std::vector<Cell> cells);
  // A line of free text under the last row, indented, outside the columns.
  void AddNote(Cell note);

  // The header line (dim), then the rows and notes. When the width is known and the table is
  // wider, the widest columns that may be cut give up room first, down to their header's
  // width, and a cut cell or note ends in "…"; past that the terminal wraps. Control
  // characters print as \xNN: cells hold what the network said.
  std::string Render(const TerminalView& view) const;

 private:
  struct Line {
    std::vector<Cell> cells;  // a row
    std::optional<Cell> note;
  };

  std::vector<size_t> ColumnWidths(std::optional<size_t> width) const;

  std::vector<Cell> headers_;
  std::vector<bool> cut_to_fit_;
  std::vector<Line> lines_;
};

// The text with control characters (C0, DEL, C1) written as \xNN: nothing a terminal acts on.
std::string Printable(std::string_view text);
// Columns the text takes: one per code point (no double-width scripts in peer lists).
size_t DisplayWidth(std::string_view text);
// At most `width` columns of `text`, ending in "…" when cut.
std::string Truncate(std::string_view text, size_t width);

}  // namespace peerscout::terminal
