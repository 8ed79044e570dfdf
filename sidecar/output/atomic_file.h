// Replacing a file so that readers see the old bytes or the new ones, never a mix.
#pragma once

#include <string>
#include <string_view>

namespace peerscout {

// Writes a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs the
// directory, so a crash leaves one whole version. Creates missing parent directories.
// Returns an empty string on success, else what failed (with errno's text).
std::string WriteFileAtomically(const std::string& path, std::string_view bytes, unsigned mode);

// Removes the temporary files WriteFileAtomically leaves beside `path` when the process is
// killed mid-write. Only for the one writer of `path`, before it writes: another's would go too.
void RemoveStaleTemporaries(const std::string& path);

}  // namespace peerscout
