// The tailscale source's CLI mode runs `tailscale status --json` through CommandOutput: what it
// keeps of a real child's output, and how an oversized, failing or slow child is refused.
#include "adapters/tailscale/command_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <stop_token>

namespace peerscout::tailscale {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr size_t kOneMiB = size_t{1} << 20;

TEST(CommandOutputTest, KeepsWhatAChildPrints) {
  bool too_large = true;
  auto output = CommandOutput({"sh", "-c", "printf '{\"Peer\":{}}'"}, milliseconds(5000), kOneMiB,
                              std::stop_token(), &too_large);
  ASSERT_TRUE(output) << output.error();
  EXPECT_EQ(*output, "{\"Peer\":{}}");
  EXPECT_FALSE(too_large);
}

TEST(CommandOutputTest, RefusesOutputPastTheCapAndSaysSoForTheFaultCount) {
  bool too_large = false;
  auto output = CommandOutput({"head", "-c", "3000000", "/dev/zero"}, milliseconds(5000), kOneMiB,
                              std::stop_token(), &too_large);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error(), "head printed more than 1 MiB");
  EXPECT_TRUE(too_large);
}

TEST(CommandOutputTest, AFailingChildGivesItsExitAndFirstErrorLine) {
  bool too_large = true;
  auto output = CommandOutput({"sh", "-c", "echo 'not logged in' >&2; echo more >&2; exit 3"},
                              milliseconds(5000), kOneMiB, std::stop_token(), &too_large);
  ASSERT_FALSE(output);
  EXPECT_THAT(output.error(), HasSubstr("3"));
  EXPECT_THAT(output.error(), HasSubstr(": not logged in"));
  EXPECT_THAT(output.error(), ::testing::Not(HasSubstr("more")));
  EXPECT_FALSE(too_large);
}

TEST(CommandOutputTest, ASlowChildIsKilledAtTheTimeout) {
  const auto started = std::chrono::steady_clock::now();
  auto output = CommandOutput({"sleep", "30"}, milliseconds(200), kOneMiB, std::stop_token());
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error(), "sleep timed out after 200 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace peerscout::tailscale
