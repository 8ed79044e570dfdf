#include "adapters/env/bootstrap_list.h"

#include "sidecar/net/text_check.h"

namespace peerscout::env {
namespace {

bool IsSeparator(char c) {
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool IsQuote(char c) { return c == '"' || c == '\''; }

}  // namespace

ErrorOr<Multiaddr> ParseBootstrapAddress(std::string_view text) {
  if (!text.empty() && (IsQuote(text.front()) || IsQuote(text.back()))) {
    return ErrorOr<Multiaddr>::Error("quotes are part of the value here; remove them");
  }
  if (!text.empty() && text.front() == '/') return Multiaddr::Parse(text);
  auto endpoint = ParseHostPort(text);
  if (!endpoint) {
    return ErrorOr<Multiaddr>::Error("neither a multiaddr nor host:port: " + endpoint.error());
  }
  return Multiaddr{*endpoint, std::nullopt};
}

void ParseBootstrapVariable(std::string_view variable, std::string_view value,
                            BootstrapList& list) {
  size_t index = 0;
  size_t position = 0;
  while (position < value.size()) {
    while (position < value.size() && IsSeparator(value[position])) ++position;
    size_t end = position;
    while (end < value.size() && !IsSeparator(value[end])) ++end;
    if (end == position) break;
    const std::string_view item = value.substr(position, end - position);
    position = end;
    const std::string origin = std::string(variable) + " entry " + std::to_string(++index);
    auto address = ParseBootstrapAddress(item);
    if (!address) {
      // An issue quotes the entry; a hostile megabyte-long one is cut.
      list.issues.push_back({Excerpt(item, 200), origin, address.error()});
      continue;
    }
    list.entries.push_back({{*address}, "", origin});
  }
}

}  // namespace peerscout::env
