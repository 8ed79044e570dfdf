#include "sidecar/net/base_encoding.h"

#include <algorithm>

namespace peerscout {
namespace {

constexpr std::string_view kBase58Alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBase32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

// Peer ids are at most a few dozen bytes; anything much longer is not one, and the quadratic
// base58 conversion must not be handed megabytes of hostile input.
constexpr size_t kMaxEncodedLength = 512;

}  // namespace

std::optional<std::vector<uint8_t>> DecodeBase58Btc(std::string_view text) {
  if (text.empty() || text.size() > kMaxEncodedLength) return std::nullopt;
  size_t leading_zeros = 0;
  while (leading_zeros < text.size() && text[leading_zeros] == '1') ++leading_zeros;
  std::vector<uint8_t> magnitude;  // little-endian base-256 digits
  for (char c : text.substr(leading_zeros)) {
    const size_t digit = kBase58Alphabet.find(c);
    if (digit == std::string_view::npos) return std::nullopt;
    unsigned carry = static_cast<unsigned>(digit);
    for (uint8_t& byte : magnitude) {
      carry += static_cast<unsigned>(byte) * 58;
      byte = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      magnitude.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  std::vector<uint8_t> bytes(leading_zeros, 0);
  bytes.insert(bytes.end(), magnitude.rbegin(), magnitude.rend());
  return bytes;
}

std::string EncodeBase58Btc(const std::vector<uint8_t>& bytes) {
  // Limbs of five base-58 digits (58^5 < 2^32): a fifth of the divisions digit by digit takes,
  // on the path every peer id of every round goes through.
  constexpr uint64_t kLimb = 58ull * 58 * 58 * 58 * 58;
  size_t leading_zeros = 0;
  while (leading_zeros < bytes.size() && bytes[leading_zeros] == 0) ++leading_zeros;
  std::vector<uint32_t> limbs;  // little-endian
  limbs.reserve(bytes.size() / 3 + 1);
  for (size_t i = leading_zeros; i < bytes.size(); ++i) {
    uint64_t carry = bytes[i];
    for (uint32_t& limb : limbs) {
      carry += static_cast<uint64_t>(limb) << 8;
      limb = static_cast<uint32_t>(carry % kLimb);
      carry /= kLimb;
    }
    while (carry > 0) {
      limbs.push_back(static_cast<uint32_t>(carry % kLimb));
      carry /= kLimb;
    }
  }
  std::string digits;  // little-endian, then reversed
  digits.reserve(limbs.size() * 5 + leading_zeros);
  for (uint32_t limb : limbs) {
    for (int i = 0; i < 5; ++i) {
      digits += kBase58Alphabet[limb % 58];
      limb /= 58;
    }
  }
  while (!digits.empty() && digits.back() == kBase58Alphabet[0]) digits.pop_back();
  digits.append(leading_zeros, '1');
  return std::string(digits.rbegin(), digits.rend());
}

std::optional<std::vector<uint8_t>> DecodeBase32Lower(std::string_view text) {
  if (text.size() > kMaxEncodedLength) return std::nullopt;
  std::vector<uint8_t> bytes;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const size_t value = kBase32Alphabet.find(c);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<unsigned>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<uint8_t>((buffer >> bits) & 0xff));
    }
  }
  // Leftover bits must be padding zeros, or the text was not produced by an encoder.
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return bytes;
}

std::string EncodeBase32Lower(const std::vector<uint8_t>& bytes) {
  std::string text;
  unsigned buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += kBase32Alphabet[(buffer >> bits) & 0x1f];
    }
  }
  if (bits > 0) text += kBase32Alphabet[(buffer << (5 - bits)) & 0x1f];
  return text;
}

std::optional<std::vector<uint8_t>> DecodeHex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  const auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<uint8_t> bytes;
  bytes.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int high = digit(text[i]);
    const int low = digit(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<uint8_t>(high << 4 | low));
  }
  return bytes;
}

std::string EncodeHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const uint8_t byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xf];
  }
  return text;
}

}  // namespace peerscout
