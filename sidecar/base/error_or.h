// What a step that can fail returns: its value, or the reason it has none (text refused by a
// parser, a config that does not load, a process that does not start).
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace peerscout {

template <typename T>
class ErrorOr {
 public:
  ErrorOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  static ErrorOr Error(std::string reason) { return ErrorOr(std::nullopt, std::move(reason)); }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  const std::string& error() const { return error_; }

 private:
  ErrorOr(std::nullopt_t, std::string reason) : error_(std::move(reason)) {}
  std::optional<T> value_;
  std::string error_;
};

}  // namespace peerscout
