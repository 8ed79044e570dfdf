// The hostile input corpus: values that break a shell, a hosts file, a list or a JSON reader
// when one reaches them unescaped. Every source field the outside world fills gets each one.
#pragma once

#include <string>
#include <vector>

namespace peerscout::testing {

struct HostileValue {
  std::string label;  // for failure messages: the bytes themselves may not print
  std::string text;
};

// `marker` is a path that a command substitution in the corpus would create: a test that
// sources a rendered env file checks that it never exists.
inline std::vector<HostileValue> HostileCorpus(const std::string& marker) {
  using namespace std::string_literals;
  return {
      {"newline", "exo\nFOO=injected"},
      {"carriage return", "exo\rFOO=injected"},
      {"comma", "exo,10.6.6.6:1"},
      {"equals", "exo=1"},
      {"semicolon", "exo;touch " + marker},
      {"double quote", "exo\"x"},
      {"single quote", "exo'x"},
      {"backslash", "exo\\x"},
      {"command substitution", "$(touch " + marker + ")"},
      {"backticks", "`touch " + marker + "`"},
      {"NUL", "exo\0x"s},
      {"tab", "exo\tx"},
      {"space", "exo x"},
      {"long", std::string(300, 'a')},
      {"long labels", std::string(60, 'b') + "." + std::string(60, 'c') + "." +
                          std::string(60, 'd') + "." + std::string(60, 'e') + "." +
                          std::string(60, 'f')},
      {"not UTF-8", "exo\xC3\x28\xFF"},
      {"an IP address", "10.1.2.3"},
      {"hash", "exo#x"},
      {"leading dash", "-exo"},
      {"dot dot slash", "../exo"},
      {"slash", "exo/tcp/1"},
      // Past the 1,024 bytes a tailnet parser keeps of a string, with a character across the
      // limit.
      {"past the string cap", std::string(1023, 'g') + "\xC3\xA9"},
  };
}

}  // namespace peerscout::testing
