#include "sidecar/net/socket_error.h"

#include <cerrno>

namespace peerscout {

std::string UnixSocketError(const std::string& socket, long os_errno, std::string_view what,
                            std::string_view hint) {
  const std::string daemon(what);
  switch (os_errno) {
    case ENOENT:
      return "no " + daemon + " socket at " + socket + " (" + std::string(hint) + ")";
    case EACCES:
      return "permission denied on " + socket + " (this user may not open " + daemon + "'s socket)";
    case ECONNREFUSED:
      return daemon + " is not listening on " + socket + " (stopped or restarting?)";
    case ENOTSOCK:
      return socket + " is not a socket";
    default:
      return "";
  }
}

}  // namespace peerscout
