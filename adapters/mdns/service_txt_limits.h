// How much of a TXT record a backend keeps: peerscout reads four short keys, so anything
// beyond these is not for us and is not copied.
#pragma once

#include <cstddef>

namespace peerscout::mdns {

inline constexpr size_t kMaxTxtStrings = 32;
inline constexpr size_t kMaxTxtString = 255;  // what one DNS character-string can hold

}  // namespace peerscout::mdns
