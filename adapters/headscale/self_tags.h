// Self-registration: the tags our own node should carry so that every other node learns our
// app's peer id and port, and the policy entries Headscale v0.28+ needs before it sets them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/headscale/node_list.h"
#include "sidecar/core/self_identity.h"
#include "sidecar/tailnet/app_tags.h"

namespace peerscout::headscale {

// The app tags for us: peer id, and port when we know one.
std::vector<std::string> AppTagsFor(const PeerId& id, std::optional<uint16_t> port,
                                    std::string_view prefix, TagStyle style);

struct TagChange {
  std::string node_id;
  std::vector<std::string> tags;  // the node's whole new set
};

// Our node is the one holding one of our addresses. Its new tag set keeps every tag that is not
// an app tag of `prefix` and adds `wanted`; nothing when it already carries exactly that. An
// error when our node is not in the list.
ErrorOr<std::optional<TagChange>> PlanTagChange(const NodeList& list, const SelfIdentity& self,
                                                const std::vector<std::string>& wanted,
                                                std::string_view prefix);

// The tagOwners entries that let these tags be set ("tag:...": []), as policy text to paste.
std::string PolicySnippet(const std::vector<std::string>& tags);

// Adds "tag": [] to the policy's tagOwners for each tag it lacks, editing the text in place so
// that comments, order and everything else stay as they were. The policy is HuJSON (JSON with
// comments and trailing commas). Returns the text unchanged when nothing is missing.
ErrorOr<std::string> AddTagOwners(std::string_view policy, const std::vector<std::string>& tags);

}  // namespace peerscout::headscale
