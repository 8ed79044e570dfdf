#include "sidecar/terminal/text_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace peerscout::terminal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

TEST(TextTableTest, ColumnsAlignOnTheWidestCell) {
  TextTable table({{"NAME", true}, {"ADDRESS", true}});
  table.AddRow({{"a"}, {"10.0.0.1"}});
  table.AddRow({{"longer-name"}, {"10.0.0.2"}});
  table.AddRow({{}, {"10.0.0.3"}});
  EXPECT_EQ(table.Render({}),
            "NAME         ADDRESS\n"
            "a            10.0.0.1\n"
            "longer-name  10.0.0.2\n"
            "             10.0.0.3\n");
}

TEST(TextTableTest, AKnownWidthCutsTheWidestColumnWithAnEllipsis) {
  TextTable table({{"NAME", true}, {"ADDRESS", true}, {"ONLINE"}});
  table.AddRow({{std::string(60, 'n')}, {"192.168.1.5:52416 (lan)"}, {"yes"}});
  const std::string text = table.Render({60, false});
  for (const std::string& line : Lines(text)) EXPECT_LE(DisplayWidth(line), 60u) << line;
  EXPECT_THAT(text,
              HasSubstr("\n" + std::string(26, 'n') + "\u2026  192.168.1.5:52416 (lan)  yes\n"));
  // With no width known nothing is cut.
  EXPECT_THAT(table.Render({}), HasSubstr(std::string(60, 'n') + "  192.168"));
  EXPECT_THAT(table.Render({}), Not(HasSubstr("\u2026")));
}

TEST(TextTableTest, ColumnsStopAtTheirHeaderAndFixedOnesAreNeverCut) {
  TextTable table({{"ADDRESS", true}, {"STATE"}});
  table.AddRow({{"192.168.100.100"}, {"waiting"}});
  const std::vector<std::string> lines = Lines(table.Render({5, false}));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "192.16\u2026  waiting");  // ADDRESS is 7 wide; the terminal wraps the rest
}

TEST(TextTableTest, NotesAreIndentedAndCutToo) {
  TextTable table({{"SOURCE", true}});
  table.AddRow({{"env"}});
  table.AddNote({"refused: PEERS entry 2: " + std::string(50, 'x') + ": bad"});
  const std::vector<std::string> lines = Lines(table.Render({30, false}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "  refused: PEERS entry 2: xxx\u2026");
  EXPECT_EQ(DisplayWidth(lines[2]), 30u);
}

TEST(TextTableTest, ColourOnlyWhenAskedAndPaddingOutsideTheCodes) {
  TextTable table({{"ONLINE"}, {"STALE"}});
  table.AddRow({{"no", Tone::kWarn}, {"yes", Tone::kWarn}});
  const std::string plain = table.Render({});
  EXPECT_THAT(plain, Not(HasSubstr("\x1b")));
  const std::string colored = table.Render({std::nullopt, true});
  EXPECT_THAT(colored, HasSubstr("\x1b[2mONLINE\x1b[0m  \x1b[2mSTALE\x1b[0m\n"));
  EXPECT_THAT(colored, HasSubstr("\x1b[33mno\x1b[0m      \x1b[33myes\x1b[0m\n"));
}

TEST(TextTableTest, ControlCharactersInCellsArePrintedNotObeyed) {
  TextTable table({{"NAME", true}});
  table.AddRow(
      {{"evil\x1b]0;owned\x07\n127.0.0.1 \xc2\x9b"
        "2J"}});
  const std::string text = table.Render({std::nullopt, true});
  EXPECT_THAT(text, HasSubstr("evil\\x1b]0;owned\\x07\\x0a127.0.0.1 \\x9b2J"));
  EXPECT_EQ(Printable("caf\u00e9 \u2026"), "caf\u00e9 \u2026");  // printable UTF-8 is kept
}

TEST(TextTableTest, TruncateCountsCodePoints) {
  EXPECT_EQ(Truncate("h\u00e9llo", 5), "h\u00e9llo");
  EXPECT_EQ(Truncate("h\u00e9llo", 3), "h\u00e9\u2026");
  EXPECT_EQ(DisplayWidth("h\u00e9\u2026"), 3u);
}

}  // namespace
}  // namespace peerscout::terminal
