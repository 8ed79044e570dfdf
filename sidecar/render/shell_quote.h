// Values written into env files and hosts files.
#pragma once

#include <string>
#include <string_view>

namespace peerscout {

// Unchanged when every character is in a conservative safe set (so Docker's --env-file, which
// does not unquote, reads the same value as sh); otherwise single-quoted with ' as '\''.
std::string ShellQuote(std::string_view value);

// A POSIX-portable environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvVarName(std::string_view name);

}  // namespace peerscout
