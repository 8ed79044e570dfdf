// Log lines stay one line each, escaped, whatever a bootstrap entry contains.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <sstream>

#include "tests/integration/sidecar_process.h"

namespace peerscout::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// An ANSI escape that would clear a terminal, then (after a carriage return and a comma, which
// separate entries) a JSON-breaking quote.
const std::string kHostile = "\x1b[2J\r\"},{\"level\":\"critical\":1234";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

TEST(LoggingTest, TextLinesEscapeControlCharacters) {
  TestDirectory directory;
  SidecarProcess sidecar(directory, {"", {{"EXO_BOOTSTRAP_PEERS", kHostile}}, {}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  const std::string log = sidecar.Log();
  EXPECT_THAT(log, HasSubstr("EXO_BOOTSTRAP_PEERS entry 1: '\\x1b[2J'"));
  EXPECT_THAT(log, Not(HasSubstr("\x1b")));
  EXPECT_THAT(log, Not(HasSubstr("\r")));
}

TEST(LoggingTest, JsonLinesAreEachOneValidObject) {
  TestDirectory directory;
  SidecarProcess sidecar(
      directory, {"", {{"EXO_BOOTSTRAP_PEERS", kHostile}, {"PEERSCOUT_LOG_FORMAT", "json"}}, {}});
  ASSERT_TRUE(sidecar.WaitUntilHealthy()) << sidecar.Log();
  sidecar.Signal(SIGTERM);
  ASSERT_EQ(sidecar.WaitForExit(), 0);
  const std::vector<std::string> lines = Lines(sidecar.Log());
  ASSERT_GE(lines.size(), 3u);
  std::string messages;
  for (const std::string& line : lines) {
    rapidjson::Document document;
    document.Parse(line.c_str());
    ASSERT_FALSE(document.HasParseError()) << line;
    EXPECT_TRUE(document.HasMember("time") && document.HasMember("level") &&
                document.HasMember("msg"));
    messages += std::string(document["msg"].GetString()) + "\n";
  }
  // The texts themselves, carried intact inside JSON strings.
  EXPECT_THAT(messages, HasSubstr("EXO_BOOTSTRAP_PEERS entry 1: '\x1b[2J'"));
  EXPECT_THAT(messages, HasSubstr("EXO_BOOTSTRAP_PEERS entry 3: '{\"level\":\"critical\":1234'"));
}

}  // namespace
}  // namespace peerscout::testing
