#include "adapters/mdns/libp2p_message.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "sidecar/net/multiaddr.h"
#include "sidecar/net/text_check.h"

namespace peerscout::mdns {
namespace {

// A response names a handful of peers with a few addresses each; more is not a peer.
constexpr size_t kMaxPeersPerPacket = 32;
constexpr size_t kMaxAddressesPerPeer = 32;
constexpr std::string_view kDnsaddr = "dnsaddr=";

struct PacketDeleter {
  void operator()(ldns_pkt* packet) const { ldns_pkt_free(packet); }
};
struct RdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
using PacketPtr = std::unique_ptr<ldns_pkt, PacketDeleter>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;

const ldns_rdf& ServiceName() {
  static const RdfPtr name(ldns_dname_new_frm_str(std::string(kLibp2pService).c_str()));
  return *name;
}

bool Named(const ldns_rdf* name, const ldns_rdf& wanted) {
  return name != nullptr && ldns_rdf_get_type(name) == LDNS_RDF_TYPE_DNAME &&
         ldns_dname_compare(name, &wanted) == 0;
}

std::vector<const ldns_rr*> Records(const ldns_rr_list* list) {
  std::vector<const ldns_rr*> records;
  if (list == nullptr) return records;
  for (size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
    records.push_back(ldns_rr_list_rr(list, i));
  return records;
}

// The character-strings of a TXT record, as ldns split them.
std::vector<std::string_view> TxtStrings(const ldns_rr* record) {
  std::vector<std::string_view> strings;
  for (size_t i = 0; i < ldns_rr_rd_count(record); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(record, i);
    if (ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_STR || ldns_rdf_size(rdf) < 1) continue;
    const auto* data = reinterpret_cast<const char*>(ldns_rdf_data(rdf));
    const size_t length = static_cast<uint8_t>(data[0]);
    if (length + 1 > ldns_rdf_size(rdf)) continue;
    strings.emplace_back(data + 1, length);
  }
  return strings;
}

struct PeerReading {
  std::optional<PeerId> id;
  std::vector<Endpoint> endpoints;
  std::string refused;  // non-empty: the whole peer is dropped (its addresses disagree on who)
};

// Built by appending: GCC 12 at -O3 warns (-Wrestrict) on the chain of operator+ it replaces.
std::string Quoted(std::string_view text) {
  std::string quoted = "'";
  quoted.append(Excerpt(text)).append("'");
  return quoted;
}

bool Dialable(const IpAddress& ip) {
  return !ip.is_unspecified() && !ip.is_link_local() && !ip.is_loopback();
}

// Where to reach an advertised address. rust-libp2p puts the packet's source IP in place of
// the advertised one, since a peer lists its listen addresses (0.0.0.0, every interface's)
// rather than the one we heard it on; so do we, but only within one family, and not from an
// IPv6 link-local source, which means nothing without an interface no output can name. Then
// the advertised address is kept if it can be dialed.
std::optional<IpAddress> DialableHost(const Endpoint& advertised, const IpAddress& source) {
  const IpAddress* own = advertised.ip();
  const bool scoped = source.is_v6() && source.is_link_local();
  if (!scoped && (own == nullptr || own->family() == source.family())) return source;
  if (own != nullptr && Dialable(*own)) return *own;
  return std::nullopt;
}

// One dnsaddr= string. A bad one is dropped alone, so one hostile or garbled address does not
// hide a peer's good ones; addresses naming two peers drop the peer, as rust-libp2p does.
void ReadDnsaddr(std::string_view text, const IpAddress& source, PeerReading& peer,
                 Libp2pMessage& message) {
  if (!IsValidUtf8(text)) {
    message.dropped.emplace_back("dnsaddr is not UTF-8");
    return;
  }
  ErrorOr<Multiaddr> address = Multiaddr::Parse(text.substr(kDnsaddr.size()));
  if (!address) {
    message.dropped.push_back(Quoted(text).append(": ").append(address.error()));
  } else if (!address->peer_id) {
    message.dropped.push_back(Quoted(text).append(" has no /p2p/ id"));
  } else if (peer.id && *peer.id != *address->peer_id) {
    peer.refused = "dnsaddr records name two peers";
  } else if (address->endpoint.has_port()) {
    peer.id = address->peer_id;
    const std::optional<IpAddress> host = DialableHost(address->endpoint, source);
    if (!host) return;
    Endpoint endpoint{*host, address->endpoint.port, address->endpoint.transport};
    if (std::find(peer.endpoints.begin(), peer.endpoints.end(), endpoint) == peer.endpoints.end()) {
      peer.endpoints.push_back(endpoint);
    }
  }
}

// Follows one PTR answer to the TXT records of its target, in answers and additionals.
std::optional<Libp2pAnnouncement> ReadPeer(const ldns_rr* pointer,
                                           const std::vector<const ldns_rr*>& records,
                                           const IpAddress& source, Libp2pMessage& message) {
  const ldns_rdf* target = ldns_rr_rdf(pointer, 0);
  if (target == nullptr || ldns_rdf_get_type(target) != LDNS_RDF_TYPE_DNAME) return std::nullopt;
  PeerReading peer;
  for (const ldns_rr* record : records) {
    if (ldns_rr_get_type(record) != LDNS_RR_TYPE_TXT || !Named(ldns_rr_owner(record), *target)) {
      continue;
    }
    for (std::string_view text : TxtStrings(record)) {
      if (text.substr(0, kDnsaddr.size()) != kDnsaddr) continue;
      if (peer.endpoints.size() >= kMaxAddressesPerPeer) break;
      ReadDnsaddr(text, source, peer, message);
      if (!peer.refused.empty()) break;
    }
    if (!peer.refused.empty()) break;
  }
  if (!peer.refused.empty()) {
    message.dropped.push_back(peer.refused);
    return std::nullopt;
  }
  if (!peer.id) return std::nullopt;  // a PTR without our kind of TXT: not a libp2p peer
  return Libp2pAnnouncement{*peer.id, std::move(peer.endpoints),
                            std::chrono::seconds(ldns_rr_ttl(pointer))};
}

bool AsksForPeers(const ldns_pkt* packet) {
  for (const ldns_rr* question : Records(ldns_pkt_question(packet))) {
    const ldns_rr_type type = ldns_rr_get_type(question);
    if ((type == LDNS_RR_TYPE_PTR || type == LDNS_RR_TYPE_ANY) &&
        Named(ldns_rr_owner(question), ServiceName())) {
      return true;
    }
  }
  return false;
}

}  // namespace

ErrorOr<Libp2pMessage> ParseLibp2pMessage(std::span<const uint8_t> packet,
                                          const IpAddress& source) {
  ldns_pkt* raw = nullptr;
  const ldns_status status = ldns_wire2pkt(&raw, packet.data(), packet.size());
  PacketPtr parsed(raw);
  if (status != LDNS_STATUS_OK) {
    return ErrorOr<Libp2pMessage>::Error(std::string("malformed: ") +
                                         ldns_get_errorstr_by_id(status));
  }
  Libp2pMessage message;
  // rust-libp2p tells a query by its questions, not by the QR bit; so do we.
  message.is_query = ldns_pkt_qdcount(parsed.get()) > 0;
  if (message.is_query) {
    message.asks_for_peers = AsksForPeers(parsed.get());
    return message;
  }
  std::vector<const ldns_rr*> records = Records(ldns_pkt_answer(parsed.get()));
  for (const ldns_rr* extra : Records(ldns_pkt_additional(parsed.get()))) records.push_back(extra);
  for (const ldns_rr* answer : Records(ldns_pkt_answer(parsed.get()))) {
    if (ldns_rr_get_type(answer) != LDNS_RR_TYPE_PTR ||
        !Named(ldns_rr_owner(answer), ServiceName())) {
      continue;
    }
    if (message.announcements.size() >= kMaxPeersPerPacket) {
      message.dropped.push_back("more than " + std::to_string(kMaxPeersPerPacket) + " peers");
      break;
    }
    if (auto peer = ReadPeer(answer, records, source, message)) {
      message.announcements.push_back(std::move(*peer));
    }
  }
  return message;
}

std::vector<uint8_t> BuildLibp2pQuery() {
  RdfPtr name(ldns_dname_new_frm_str(std::string(kLibp2pService).c_str()));
  PacketPtr packet(ldns_pkt_query_new(name.release(), LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, 0));
  ldns_pkt_set_id(packet.get(), 0);
  uint8_t* wire = nullptr;
  size_t size = 0;
  if (packet == nullptr || ldns_pkt2wire(&wire, packet.get(), &size) != LDNS_STATUS_OK) {
    std::abort();  // a fixed question that ldns cannot write: the library is broken
  }
  std::vector<uint8_t> out(wire, wire + size);
  std::free(wire);  // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
  return out;
}

}  // namespace peerscout::mdns
