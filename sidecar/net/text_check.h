// Checks on text from the network before any of it is kept or shown.
#pragma once

#include <string>
#include <string_view>

namespace peerscout {

bool IsValidUtf8(std::string_view text);

// At most `limit` bytes of `text`, marked when cut: for a reason that quotes hostile input.
std::string Excerpt(std::string_view text, size_t limit = 64);

}  // namespace peerscout
