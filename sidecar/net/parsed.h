// The outcome of parsing untrusted text: a value, or the reason it was refused.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace peerscout {

template <typename T>
class Parsed {
 public:
  Parsed(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  static Parsed Error(std::string reason) { return Parsed(std::nullopt, std::move(reason)); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  const std::string& error() const { return error_; }

 private:
  Parsed(std::nullopt_t, std::string reason) : error_(std::move(reason)) {}
  std::optional<T> value_;
  std::string error_;
};

}  // namespace peerscout
