#include "sidecar/render/shell_quote.h"

namespace peerscout {
namespace {

bool IsSafe(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  // '[' and ']' bracket IPv6 hosts; an assignment never globs, so they are safe there.
  constexpr std::string_view kSafePunctuation = "/.,:_-@%+=[]";
  return kSafePunctuation.find(c) != std::string_view::npos;
}

}  // namespace

std::string ShellQuote(std::string_view value) {
  bool safe = true;
  for (char c : value) safe = safe && IsSafe(c);
  if (safe) return std::string(value);
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

bool IsEnvVarName(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace peerscout
