#include "adapters/tailscale/status.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <array>
#include <utility>

#include "sidecar/net/text_check.h"

namespace peerscout::tailscale {
namespace {

// Bounds on what one node may carry, so a hostile status cannot make us hold more than the
// body it came in.
constexpr size_t kMaxListItems = 64;
constexpr size_t kMaxStringBytes = 1024;
// ipnstate.Status nests a few levels; a body nested deeper is refused before RapidJSON's
// recursive parser could exhaust the stack.
constexpr size_t kMaxDepth = 64;

enum class Field : uint8_t {
  kNone,
  // top level
  kVersion,
  kBackendState,
  kSelf,
  kPeerMap,
  // PeerStatus
  kId,
  kHostName,
  kDnsName,
  kOs,
  kTailscaleIps,
  kTags,
  kCurAddr,
  kRelay,
  kPeerRelay,
  kLastSeen,
  kOnline,
  kExpired,
  kShareeNode,
};

struct Name {
  std::string_view text;
  Field field;
};

constexpr std::array kTopFields{
    Name{"Version", Field::kVersion},
    Name{"BackendState", Field::kBackendState},
    Name{"Self", Field::kSelf},
    Name{"Peer", Field::kPeerMap},
};

constexpr std::array kPeerFields{
    Name{"ID", Field::kId},
    Name{"HostName", Field::kHostName},
    Name{"DNSName", Field::kDnsName},
    Name{"OS", Field::kOs},
    Name{"TailscaleIPs", Field::kTailscaleIps},
    Name{"Tags", Field::kTags},
    Name{"CurAddr", Field::kCurAddr},
    Name{"Relay", Field::kRelay},
    Name{"PeerRelay", Field::kPeerRelay},
    Name{"LastSeen", Field::kLastSeen},
    Name{"Online", Field::kOnline},
    Name{"Expired", Field::kExpired},
    Name{"ShareeNode", Field::kShareeNode},
};

template <size_t N>
Field Lookup(const std::array<Name, N>& names, std::string_view key) {
  // Most keys of a peer are ones we skip: the first byte and the length rule them out without
  // a comparison.
  for (const Name& name : names) {
    if (name.text.size() == key.size() && name.text[0] == key[0] && name.text == key) {
      return name.field;
    }
  }
  return Field::kNone;
}

// Where the reader is: the value of `field` in a container of kind `where`.
enum class Where : uint8_t { kDocument, kTop, kPeerMap, kPeer, kList };

// RapidJSON SAX handler. Containers it does not want are skipped by depth, without building
// anything: the cost stays close to a pass that does no work at all.
class StatusReader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, StatusReader> {
 public:
  explicit StatusReader(Status& status) : status_(status) {}

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (skip_ > 0) return true;
    const std::string_view key(text, length);
    if (where_ == Where::kTop) field_ = Lookup(kTopFields, key);
    if (where_ == Where::kPeer) field_ = Lookup(kPeerFields, key);
    return true;
  }

  bool String(const char* text, rapidjson::SizeType length, bool) {
    if (skip_ > 0) return true;
    const bool item = where_ == Where::kList;
    if (item && list_->size() >= kMaxListItems) return true;
    std::string* target = item ? nullptr : StringTarget();
    if (!item && target == nullptr) return true;
    // Only what we keep is checked: tailscaled writes valid UTF-8 (Go replaces bad bytes), so
    // anything else did not come from it. An oversized value is dropped, not cut mid-character,
    // and the node says which field lost it, so the drop is reported rather than silent.
    if (!IsValidUtf8(std::string_view(text, length))) {
      bad_utf8_ = true;
      return false;
    }
    if (length <= kMaxStringBytes) {
      (item ? list_->emplace_back() : *target).assign(text, length);
    } else if (where_ != Where::kTop) {
      Peer().oversized.emplace_back(FieldName());
    }
    return true;
  }

  bool Bool(bool value) {
    if (skip_ > 0 || where_ != Where::kPeer) return true;
    PeerStatus& peer = Peer();
    if (field_ == Field::kOnline) peer.online = value;
    if (field_ == Field::kExpired) peer.expired = value;
    if (field_ == Field::kShareeNode) peer.sharee_node = value;
    return true;
  }

  bool StartObject() {
    if (++depth_ > kMaxDepth) return false;
    if (skip_ > 0 || !Enter(true)) ++skip_;
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return Leave(); }

  bool StartArray() {
    if (++depth_ > kMaxDepth) return false;
    if (skip_ > 0 || !Enter(false)) ++skip_;
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return Leave(); }

  bool saw_object() const { return saw_object_; }
  bool too_deep() const { return depth_ > kMaxDepth; }
  bool bad_utf8() const { return bad_utf8_; }

 private:
  static constexpr ptrdiff_t kSelf = -1;

  struct Frame {
    Where where;
    Field field;
    ptrdiff_t peer;
  };

  // An index, not a pointer: peers are appended while others are being read.
  PeerStatus& Peer() {
    return peer_ == kSelf ? status_.self : status_.peers[static_cast<size_t>(peer_)];
  }

  // Steps into a container the reader wants; false: skip it.
  bool Enter(bool object) {
    Where next = Where::kList;
    ptrdiff_t peer = peer_;
    std::vector<std::string>* list = nullptr;
    if (where_ == Where::kDocument && object) {
      next = Where::kTop;
      saw_object_ = true;
    } else if (where_ == Where::kTop && object && field_ == Field::kSelf) {
      next = Where::kPeer;
      peer = kSelf;
    } else if (where_ == Where::kTop && object && field_ == Field::kPeerMap) {
      next = Where::kPeerMap;
    } else if (where_ == Where::kPeerMap && object) {
      next = Where::kPeer;
      peer = static_cast<ptrdiff_t>(status_.peers.size());
      status_.peers.emplace_back();
    } else if (where_ == Where::kPeer && !object && field_ == Field::kTailscaleIps) {
      list = &Peer().tailscale_ips;
    } else if (where_ == Where::kPeer && !object && field_ == Field::kTags) {
      list = &Peer().tags;
    } else {
      return false;
    }
    stack_.push_back({where_, field_, peer_});
    where_ = next;
    peer_ = peer;
    list_ = list;
    field_ = Field::kNone;
    return true;
  }

  bool Leave() {
    --depth_;
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    if (stack_.empty()) return true;
    const Frame frame = stack_.back();
    stack_.pop_back();
    where_ = frame.where;
    field_ = frame.field;
    peer_ = frame.peer;
    list_ = nullptr;
    return true;
  }

  // The key of the string being read, for a refusal; a list item's is its list's.
  std::string_view FieldName() const {
    const Field field = where_ == Where::kList ? stack_.back().field : field_;
    for (const Name& name : kPeerFields) {
      if (name.field == field) return name.text;
    }
    return "?";
  }

  std::string* StringTarget() {
    if (where_ == Where::kTop) {
      if (field_ == Field::kVersion) return &status_.version;
      if (field_ == Field::kBackendState) return &status_.backend_state;
      return nullptr;
    }
    if (where_ != Where::kPeer) return nullptr;
    PeerStatus& peer = Peer();
    switch (field_) {
      case Field::kId:
        return &peer.id;
      case Field::kHostName:
        return &peer.host_name;
      case Field::kDnsName:
        return &peer.dns_name;
      case Field::kOs:
        return &peer.os;
      case Field::kCurAddr:
        return &peer.cur_addr;
      case Field::kRelay:
        return &peer.relay;
      case Field::kPeerRelay:
        return &peer.peer_relay;
      case Field::kLastSeen:
        return &peer.last_seen;
      default:
        return nullptr;
    }
  }

  Status& status_;
  std::vector<Frame> stack_;
  Where where_ = Where::kDocument;
  Field field_ = Field::kNone;
  ptrdiff_t peer_ = kSelf;
  std::vector<std::string>* list_ = nullptr;
  size_t skip_ = 0;
  size_t depth_ = 0;
  bool saw_object_ = false;
  bool bad_utf8_ = false;
};

}  // namespace

ErrorOr<Status> ParseStatus(std::string_view json) {
  if (json.size() > kMaxStatusBytes) {
    return ErrorOr<Status>::Error("status is larger than " + std::to_string(kMaxStatusBytes >> 20) +
                                  " MiB");
  }
  Status status;
  status.peers.reserve(json.size() / 1024 + 4);  // a peer takes about 1.2 KB of JSON
  StatusReader handler(status);
  rapidjson::Reader reader;
  rapidjson::MemoryStream bytes(json.data(), json.size());
  const rapidjson::ParseResult result = reader.Parse(bytes, handler);
  if (handler.too_deep()) {
    return ErrorOr<Status>::Error("status is nested deeper than " + std::to_string(kMaxDepth) +
                                  " levels");
  }
  if (handler.bad_utf8()) return ErrorOr<Status>::Error("status holds text that is not UTF-8");
  if (!result) {
    return ErrorOr<Status>::Error(std::string("status is not valid JSON: ") +
                                  rapidjson::GetParseError_En(result.Code()) + " at byte " +
                                  std::to_string(result.Offset()));
  }
  if (!handler.saw_object()) return ErrorOr<Status>::Error("status is not a JSON object");
  return status;
}

}  // namespace peerscout::tailscale
