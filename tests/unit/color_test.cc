#include "sidecar/terminal/color.h"

#include <gtest/gtest.h>

namespace peerscout::terminal {
namespace {

Environment WithNoColor(const std::string& value) { return Environment().With("NO_COLOR", value); }

TEST(ColorTest, AutoMeansATerminalWithoutNoColor) {
  const Environment none;
  EXPECT_TRUE(UseColor(ColorChoice::kAuto, true, none));
  EXPECT_FALSE(UseColor(ColorChoice::kAuto, false, none));
  EXPECT_FALSE(UseColor(ColorChoice::kAuto, true, WithNoColor("1")));
  EXPECT_FALSE(UseColor(ColorChoice::kAuto, true, WithNoColor("0")));
  // no-color.org: set and empty is as if unset.
  EXPECT_TRUE(UseColor(ColorChoice::kAuto, true, WithNoColor("")));
}

TEST(ColorTest, AFlagWinsOverNoColor) {
  const Environment no_color = WithNoColor("1");
  EXPECT_TRUE(UseColor(ColorChoice::kAlways, false, no_color));
  EXPECT_FALSE(UseColor(ColorChoice::kNever, true, Environment()));
}

TEST(ColorTest, ChoicesAndPaint) {
  EXPECT_EQ(ParseColorChoice("always"), ColorChoice::kAlways);
  EXPECT_EQ(ParseColorChoice("never"), ColorChoice::kNever);
  EXPECT_EQ(ParseColorChoice("auto"), ColorChoice::kAuto);
  EXPECT_FALSE(ParseColorChoice("yes"));
  EXPECT_EQ(Paint("ok", Tone::kGood, true), "\x1b[32mok\x1b[0m");
  EXPECT_EQ(Paint("failing", Tone::kBad, true), "\x1b[31mfailing\x1b[0m");
  EXPECT_EQ(Paint("ok", Tone::kGood, false), "ok");
  EXPECT_EQ(Paint("ok", Tone::kPlain, true), "ok");
}

}  // namespace
}  // namespace peerscout::terminal
