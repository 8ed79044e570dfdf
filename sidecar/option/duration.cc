#include "sidecar/option/duration.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace peerscout {
namespace {

using Result = ErrorOr<Duration>;

constexpr std::array<std::pair<std::string_view, int64_t>, 6> kUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

}  // namespace

Result ParseDuration(std::string_view text) {
  if (text == "0") return Duration(0);
  if (text.empty()) return Result::Error("empty duration");
  int64_t total = 0;
  while (!text.empty()) {
    int64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end == text.data() || number < 0) {
      return Result::Error("expected a duration like 30s, 5m or 1h30m");
    }
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    size_t unit_length = 0;
    while (unit_length < text.size() && text[unit_length] >= 'a' && text[unit_length] <= 'z') {
      ++unit_length;
    }
    const std::string_view unit = text.substr(0, unit_length);
    text.remove_prefix(unit_length);
    int64_t scale = 0;
    for (const auto& [name, nanos] : kUnits) {
      if (name == unit) scale = nanos;
    }
    if (scale == 0) return Result::Error("duration needs a unit: ns, us, ms, s, m or h");
    if (number > (INT64_MAX - total) / scale) return Result::Error("duration too long");
    total += number * scale;
  }
  return Duration(total);
}

std::string FormatDuration(Duration duration) {
  int64_t nanos = duration.count();
  if (nanos == 0) return "0s";
  std::string text;
  // Largest unit first. (An index: clang-tidy's clang cannot yet read libstdc++'s views.)
  for (size_t i = kUnits.size(); i-- > 0;) {
    const auto& [name, scale] = kUnits[i];
    const int64_t count = nanos / scale;
    if (count == 0) continue;
    text += std::to_string(count) + std::string(name);
    nanos -= count * scale;
  }
  return text;
}

}  // namespace peerscout
