// Why connecting to a Unix socket failed, told in terms of its path and what to check: the CLI's
// way to the sidecar and the tailscale source's way to tailscaled say it alike.
#pragma once

#include <string>
#include <string_view>

namespace peerscout {

// `what` names the daemon ("tailscaled", "peerscout"); `hint` is added for a missing socket.
// A refused connection looks at the path, to tell a file or directory from a dead socket.
// Empty when `os_errno` is not one of the usual cases.
std::string UnixSocketError(const std::string& socket, long os_errno, std::string_view what,
                            std::string_view hint);

}  // namespace peerscout
