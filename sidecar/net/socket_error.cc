#include "sidecar/net/socket_error.h"

#include <sys/stat.h>

#include <cerrno>

namespace peerscout {
namespace {

// Linux refuses a connection to a path that is there but no socket (a file, a directory) with
// ECONNREFUSED, as if a socket had nobody behind it: only a look at the path tells them apart.
std::string_view NotASocket(const std::string& socket) {
  struct stat info {};
  if (::stat(socket.c_str(), &info) != 0 || S_ISSOCK(info.st_mode)) return "";
  return S_ISDIR(info.st_mode) ? "a directory" : "a file";
}

}  // namespace

std::string UnixSocketError(const std::string& socket, long os_errno, std::string_view what,
                            std::string_view hint) {
  const std::string daemon(what);
  if (os_errno == ECONNREFUSED) {
    if (std::string_view kind = NotASocket(socket); !kind.empty()) {
      return socket + " is not a socket but " + std::string(kind) + " (is the path right?)";
    }
  }
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
