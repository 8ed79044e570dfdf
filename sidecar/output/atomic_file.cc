#include "sidecar/output/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace peerscout {
namespace {

std::string Failure(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

std::string SyncDirectory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Failure("open directory", directory);
  const int result = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return result == 0 ? "" : Failure("fsync directory", directory);
}

// The temporary beside `target`: hidden, and named so that no glob of the output's own
// suffix takes it for the output.
std::string TemporaryPrefix(const std::filesystem::path& target) {
  return "." + target.filename().string() + ".tmp.";
}

std::string DirectoryOf(const std::filesystem::path& target) {
  return target.has_parent_path() ? target.parent_path().string() : std::string(".");
}

}  // namespace

void RemoveStaleTemporaries(const std::string& path) {
  const std::filesystem::path target(path);
  const std::string prefix = TemporaryPrefix(target);
  // mkostemp's suffix is six characters.
  const size_t length = prefix.size() + 6;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(DirectoryOf(target), error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == length && name.rfind(prefix, 0) == 0) {
      std::filesystem::remove(entry.path(), error);
    }
  }
}

std::string WriteFileAtomically(const std::string& path, std::string_view bytes, unsigned mode) {
  const std::filesystem::path target(path);
  const std::string directory = DirectoryOf(target);
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return "create directory " + directory + ": " + error.message();

  std::string temporary = directory + "/" + TemporaryPrefix(target) + "XXXXXX";
  const int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) return Failure("create temporary file in", directory);
  std::string failure;
  if (!WriteAll(fd, bytes)) {
    failure = Failure("write", temporary);
  } else if (::fchmod(fd, mode) != 0) {
    failure = Failure("chmod", temporary);
  } else if (::fsync(fd) != 0) {
    failure = Failure("fsync", temporary);
  }
  if (::close(fd) != 0 && failure.empty()) failure = Failure("close", temporary);
  if (failure.empty() && ::rename(temporary.c_str(), path.c_str()) != 0) {
    failure = Failure("rename onto", path);
  }
  if (!failure.empty()) {
    ::unlink(temporary.c_str());
    return failure;
  }
  return SyncDirectory(directory);
}

}  // namespace peerscout
