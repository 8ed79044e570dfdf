// Reading the config: file, then PEERSCOUT_* variables over it, then defaults.
#pragma once

#include <string>

#include "sidecar/config/config.h"
#include "sidecar/config/environment.h"
#include "sidecar/core/source.h"

namespace peerscout {

// `file` may be empty: defaults and the environment only. Every error names the key and its
// file line or variable; all errors are reported at once, one per line.
ErrorOr<Config> LoadConfig(const std::string& file, const Environment& env, SourceCatalog catalog);

}  // namespace peerscout
