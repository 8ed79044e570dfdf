// Reading a file the sidecar writes or is given, whole: outputs compared before a rewrite,
// template sources.
#pragma once

#include <string>

namespace peerscout {

// Puts the file's bytes in `bytes` and returns true, or returns false (errno set) when it
// cannot be read.
bool ReadWholeFile(const std::string& path, std::string& bytes);

}  // namespace peerscout
