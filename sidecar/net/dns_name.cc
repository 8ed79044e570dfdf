#include "sidecar/net/dns_name.h"

namespace peerscout {
namespace {

constexpr size_t kMaxNameLength = 253;
constexpr size_t kMaxLabelLength = 63;

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string CheckLabel(std::string_view label) {
  if (label.empty()) return "empty label";
  if (label.size() > kMaxLabelLength) return "label longer than 63 characters";
  if (label.front() == '-' || label.back() == '-') return "label starts or ends with '-'";
  for (char c : label) {
    if (!IsLabelChar(c)) return "character not allowed in a host name";
  }
  return "";
}

}  // namespace

ErrorOr<DnsName> DnsName::Parse(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty()) return ErrorOr<DnsName>::Error("empty host name");
  if (text.size() > kMaxNameLength) return ErrorOr<DnsName>::Error("host name too long");
  std::string lowered;
  lowered.reserve(text.size());
  for (char c : text) lowered += Lower(c);
  std::string_view rest = lowered;
  std::string_view last_label;
  while (true) {
    const size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    if (std::string reason = CheckLabel(label); !reason.empty()) {
      return ErrorOr<DnsName>::Error("bad host name: " + reason);
    }
    last_label = label;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (last_label.find_first_not_of("0123456789") == std::string_view::npos) {
    return ErrorOr<DnsName>::Error("bad host name: last label is numeric");
  }
  DnsName name;
  name.text_ = std::move(lowered);
  return name;
}

std::string SanitizeHostLabel(std::string_view hostname) {
  std::string label;
  bool pending_dash = false;
  for (char c : hostname) {
    c = Lower(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (pending_dash && !label.empty()) label += '-';
      pending_dash = false;
      label += c;
    } else {
      pending_dash = true;
    }
    if (label.size() >= kMaxLabelLength) break;
  }
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label;
}

}  // namespace peerscout
