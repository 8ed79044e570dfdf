#include "sidecar/core/clock_text.h"

#include <charconv>
#include <ctime>

namespace peerscout {

std::string FormatTimestamp(Clock::time_point time) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  if (millis % 1000 < 0) --seconds;  // floor for times before the epoch
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ",
                static_cast<int>(((millis % 1000) + 1000) % 1000));
  return std::string(buffer, length) + fraction;
}

namespace {

// Reads `digits` decimal digits at `at`; -1 when they are not there.
int Digits(std::string_view text, size_t at, size_t digits) {
  if (at + digits > text.size()) return -1;
  int value = 0;
  auto [end, error] = std::from_chars(text.data() + at, text.data() + at + digits, value);
  return error == std::errc() && end == text.data() + at + digits ? value : -1;
}

}  // namespace

std::optional<Clock::time_point> ParseTimestamp(std::string_view text) {
  // 2006-01-02T15:04:05
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size()) return std::nullopt;
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] != 'd' && text[i] != kShape[i] && !(i == 10 && text[i] == 't')) {
      return std::nullopt;
    }
  }
  std::tm tm{};
  tm.tm_year = Digits(text, 0, 4) - 1900;
  tm.tm_mon = Digits(text, 5, 2) - 1;
  tm.tm_mday = Digits(text, 8, 2);
  tm.tm_hour = Digits(text, 11, 2);
  tm.tm_min = Digits(text, 14, 2);
  tm.tm_sec = Digits(text, 17, 2);
  if (tm.tm_year < -1899 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  if (tm.tm_year + 1900 <= 1) return std::nullopt;  // Go's zero time: never
  size_t at = kShape.size();
  std::chrono::nanoseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    size_t digits = 0;
    int64_t value = 0;
    while (at + 1 + digits < text.size() && digits < 9 && text[at + 1 + digits] >= '0' &&
           text[at + 1 + digits] <= '9') {
      value = value * 10 + (text[at + 1 + digits] - '0');
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    for (size_t i = digits; i < 9; ++i) value *= 10;
    fraction = std::chrono::nanoseconds(value);
    at += 1 + digits;
  }
  int offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const int hours = Digits(text, at + 1, 2);
    const int minutes = Digits(text, at + 4, 2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return std::nullopt;
    offset_minutes = (text[at] == '+' ? 1 : -1) * (hours * 60 + minutes);
  } else {
    return std::nullopt;
  }
  const std::time_t seconds = timegm(&tm);
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(seconds) - std::chrono::minutes(offset_minutes) + fraction));
}

std::string FormatAgo(Clock::duration elapsed) {
  const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
  if (seconds < 1) return "now";
  constexpr int64_t kMinute = 60;
  constexpr int64_t kHour = 60 * kMinute;
  constexpr int64_t kDay = 24 * kHour;
  if (seconds < kMinute) return std::to_string(seconds) + "s ago";
  if (seconds < kHour) return std::to_string(seconds / kMinute) + "m ago";
  if (seconds < kDay) return std::to_string(seconds / kHour) + "h ago";
  return std::to_string(seconds / kDay) + "d ago";
}

}  // namespace peerscout
