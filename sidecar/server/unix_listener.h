// The API's Unix socket: claimed only if no live peerscout holds it, removed only if ours.
#pragma once

#include <sys/types.h>

#include <string>

#include "sidecar/base/error_or.h"

namespace peerscout {

struct UnixListener {
  int fd = -1;
  std::string path;
  ino_t inode = 0;  // of the socket file we bound, so we never remove a successor's
};

// Refuses when a peerscout answers on `path` or when `path` is not a socket; replaces a stale
// socket file (nothing listening). Creates the parent directory. `group` may be empty.
ErrorOr<UnixListener> ListenOnUnixSocket(const std::string& path, unsigned mode,
                                         const std::string& group);

// Unlinks the socket file if it is still the one we bound; closes the fd.
void CloseUnixListener(UnixListener& listener);

}  // namespace peerscout
