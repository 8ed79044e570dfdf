#include "sidecar/system/whole_file.h"

#include <fstream>
#include <sstream>

namespace peerscout {

bool ReadWholeFile(const std::string& path, std::string& bytes) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return false;
  std::ostringstream contents;
  contents << stream.rdbuf();
  bytes = contents.str();
  return true;
}

}  // namespace peerscout
