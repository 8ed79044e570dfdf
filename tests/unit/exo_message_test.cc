// exo's discovery datagrams, byte for byte as exo's discovery.rs lays them out (checked against
// its build and a capture in tests/peers/exo_discovery_peer.py's header).
#include <gtest/gtest.h>

#include <vector>

#include "adapters/exo/discovery_message.h"

namespace peerscout::exo {
namespace {

std::vector<uint8_t> Bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> bytes;
  for (int value : values) bytes.push_back(static_cast<uint8_t>(value));
  return bytes;
}

TEST(ExoMessageTest, AHelloIsMagicKindNonceAndNamespace) {
  const Hello hello{{1, 2, 3, 4, 5, 6, 7, 8}, {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7}};
  const auto bytes = Encode(hello);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.end()),
            Bytes({'E', 'X', 'O',  0,    1,    2,    3,    4,    5,    6,
                   7,   8,   0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7}));
  EXPECT_EQ(std::get<Hello>(Decode(bytes)), hello);
}

TEST(ExoMessageTest, AWhatsUpCarriesTheZidAndPortLittleEndian) {
  const auto zid = *ZenohId::Parse("a1");
  const WhatsUp whats_up{{8, 7, 6, 5, 4, 3, 2, 1}, zid, 52414};
  const auto bytes = Encode(whats_up);
  std::vector<uint8_t> expected = Bytes({'E', 'X', 'O', 1, 8, 7, 6, 5, 4, 3, 2, 1, 0xa1});
  expected.resize(28, 0);
  expected.push_back(52414 & 0xff);
  expected.push_back(52414 >> 8);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.end()), expected);
  EXPECT_EQ(std::get<WhatsUp>(Decode(bytes)), whats_up);
}

TEST(ExoMessageTest, EverythingElseIsDroppedWithItsReason) {
  auto hello = Encode(Hello{});
  std::vector<uint8_t> bytes(hello.begin(), hello.end());
  bytes.push_back(0);
  EXPECT_EQ(std::get<Malformed>(Decode(bytes)), Malformed::kSize);
  EXPECT_EQ(std::get<Malformed>(Decode({})), Malformed::kSize);
  hello[0] = 'e';
  EXPECT_EQ(std::get<Malformed>(Decode(hello)), Malformed::kMagic);
  hello = Encode(Hello{});
  hello[3] = 2;
  EXPECT_EQ(std::get<Malformed>(Decode(hello)), Malformed::kKind);
  hello[3] = 1;  // a WhatsUp's kind at a Hello's size
  EXPECT_EQ(std::get<Malformed>(Decode(hello)), Malformed::kSize);
  auto whats_up = Encode(WhatsUp{{}, *ZenohId::Parse("1"), 1});
  whats_up[12] = 0;  // the zid's only non-zero byte
  EXPECT_EQ(std::get<Malformed>(Decode(whats_up)), Malformed::kZeroZid);
}

// zenoh 1.9's ZenohId orders its little-endian bytes as a string (checked against exo's build:
// exo with zid 201 lets zid 3 dial it).
TEST(ExoMessageTest, ZidsPrintAndCompareAsZenohDoes) {
  EXPECT_EQ(ZenohId::Parse("00ff")->ToString(), "ff");
  EXPECT_EQ(ZenohId::Parse("ABCDEF0123456789abcdef0123456789")->ToString(),
            "abcdef0123456789abcdef0123456789");
  EXPECT_LT(*ZenohId::Parse("201"), *ZenohId::Parse("3"));
  EXPECT_LT(*ZenohId::Parse("100"), *ZenohId::Parse("ff"));
  EXPECT_FALSE(ZenohId::Parse("0"));
  EXPECT_FALSE(ZenohId::Parse("123456789012345678901234567890123"));
  EXPECT_FALSE(ZenohId::Parse("xyz"));
}

TEST(ExoMessageTest, NamespacesAreSixteenHexDigits) {
  const auto space = ParseNamespace("0123456789abcdef");
  ASSERT_TRUE(space);
  EXPECT_EQ((*space)[0], 0x01);
  EXPECT_EQ((*space)[7], 0xef);
  EXPECT_EQ(NamespaceText(*space), "0123456789abcdef");
  EXPECT_FALSE(ParseNamespace("0123456789abcde"));
  EXPECT_FALSE(ParseNamespace("0123456789abcdeg"));
}

}  // namespace
}  // namespace peerscout::exo
