#include "sidecar/server/unix_listener.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

namespace peerscout {
namespace {

using Result = ErrorOr<UnixListener>;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool FillAddress(const std::string& path, sockaddr_un& address) {
  address = {};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

// True when something accepts connections on the socket file.
bool IsLive(const sockaddr_un& address) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return live;
}

std::optional<gid_t> LookUpGroup(const std::string& group) {
  gid_t id = 0;
  auto [end, error] = std::from_chars(group.data(), group.data() + group.size(), id);
  if (error == std::errc() && end == group.data() + group.size()) return id;
  const struct group* entry = ::getgrnam(group.c_str());
  if (entry == nullptr) return std::nullopt;
  return entry->gr_gid;
}

std::string ClaimPath(const std::string& path, const sockaddr_un& address) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    return errno == ENOENT ? "" : Errno("stat " + path);
  }
  if (!S_ISSOCK(info.st_mode)) return path + " exists and is not a socket; not replacing it";
  if (IsLive(address)) return "another process is serving on " + path + "; not starting a second";
  if (::unlink(path.c_str()) != 0) return Errno("remove stale socket " + path);
  return "";
}

}  // namespace

Result ListenOnUnixSocket(const std::string& path, unsigned mode, const std::string& group) {
  sockaddr_un address;
  if (!FillAddress(path, address)) return Result::Error("socket path too long: " + path);
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (error) return Result::Error("create " + parent.string() + ": " + error.message());
  if (std::string failure = ClaimPath(path, address); !failure.empty()) {
    return Result::Error(failure);
  }
  UnixListener listener;
  listener.path = path;
  listener.fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener.fd < 0) return Result::Error(Errno("socket"));
  // The file is created with the umask's permissions: keep it closed until chmod opens it.
  const mode_t old_mask = ::umask(0177);
  const int bound = ::bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  std::string failure;
  if (bound != 0) {
    failure = Errno("bind " + path);
  } else if (::chmod(path.c_str(), mode) != 0) {
    failure = Errno("chmod " + path);
  } else if (!group.empty()) {
    auto gid = LookUpGroup(group);
    if (!gid) {
      failure = "socket_group: no group '" + group + "'";
    } else if (::chown(path.c_str(), static_cast<uid_t>(-1), *gid) != 0) {
      failure = Errno("chown " + path);
    }
  }
  struct stat info {};
  if (failure.empty() && ::stat(path.c_str(), &info) == 0) listener.inode = info.st_ino;
  if (failure.empty() && ::listen(listener.fd, SOMAXCONN) != 0) failure = Errno("listen " + path);
  if (!failure.empty()) {
    if (bound == 0) ::unlink(path.c_str());
    ::close(listener.fd);
    return Result::Error(failure);
  }
  return listener;
}

void CloseUnixListener(UnixListener& listener) {
  if (listener.fd < 0) return;
  struct stat info {};
  if (::lstat(listener.path.c_str(), &info) == 0 && info.st_ino == listener.inode) {
    ::unlink(listener.path.c_str());
  }
  ::close(listener.fd);
  listener.fd = -1;
}

}  // namespace peerscout
