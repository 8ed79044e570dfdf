// Every key of the core sections, with its default and help. sidecar.toml.example and
// `peerscout check-config --keys` follow this table.
#pragma once

#include <span>
#include <string_view>

#include "sidecar/option/option.h"

namespace peerscout {

struct SectionSpec {
  std::string_view name;  // "server"; "" for top-level keys
  std::string_view help;
  std::span<const OptionSpec> options;
  bool is_array = false;  // [[static]], [[output]]
  bool is_named = false;  // [apps.<name>]: a table of tables, one per name
};

std::span<const SectionSpec> CoreSections();
const SectionSpec& FindSection(std::string_view name);

}  // namespace peerscout
