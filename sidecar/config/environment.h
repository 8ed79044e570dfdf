// The process environment as a value, so config loading and sources are tested without setenv.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace peerscout {

class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string, std::less<>> variables)
      : variables_(std::move(variables)) {}
  static Environment FromProcess();

  std::optional<std::string> Get(std::string_view name) const;
  // A copy with `name` set to `value`: how a command-line flag wins over the process's variables.
  Environment With(const std::string& name, const std::string& value) const {
    Environment copy = *this;
    copy.variables_[name] = value;
    return copy;
  }
  const std::map<std::string, std::string, std::less<>>& all() const { return variables_; }

 private:
  std::map<std::string, std::string, std::less<>> variables_;
};

}  // namespace peerscout
