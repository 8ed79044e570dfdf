#include "sidecar/config/template_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sidecar/system/whole_file.h"

namespace peerscout {

std::string BesideConfigFile(const std::string& config_file, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  const std::filesystem::path directory = std::filesystem::path(config_file).parent_path();
  return std::filesystem::absolute(directory / path).lexically_normal().string();
}

ErrorOr<PeerTemplate> ReadTemplateFile(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return ErrorOr<PeerTemplate>::Error("is a directory");
  }
  std::string text;
  errno = 0;
  if (!ReadWholeFile(path, text)) {
    return ErrorOr<PeerTemplate>::Error(
        "cannot read" + (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()));
  }
  return PeerTemplate::Parse(std::move(text));
}

}  // namespace peerscout
