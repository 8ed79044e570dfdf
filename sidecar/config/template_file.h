// A [[template]]'s source file. It is read when the config is loaded, so check-config and a
// reload report a missing file or a syntax error, and a template that cannot render is never
// the one running.
#pragma once

#include <string>

#include "sidecar/base/error_or.h"
#include "sidecar/render/peer_template.h"

namespace peerscout {

// `path` relative to the config file's directory, wherever peerscout was started from; with no
// config file, to the working directory. An absolute or empty path as it is.
std::string BesideConfigFile(const std::string& config_file, const std::string& path);

// The file read and parsed; an error says why not ("is a directory", "cannot read: ...", or
// the template's syntax error).
ErrorOr<PeerTemplate> ReadTemplateFile(const std::string& path);

}  // namespace peerscout
