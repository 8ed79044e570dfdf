#include "adapters/tailscale/local_api.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "sidecar/net/reply_text.h"
#include "sidecar/net/socket_error.h"

namespace peerscout::tailscale {
namespace {

// tailscaled answers 403 unless Host is this name (or empty).
constexpr std::string_view kBaseUrl = "http://local-tailscaled.sock/localapi/v0/";

void InitializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

CurlHandle NewHandle(const std::string& socket, const std::string& url) {
  InitializeCurlOnce();
  CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return curl;
  curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  // Proxies from the environment never apply to a local socket.
  curl_easy_setopt(curl.get(), CURLOPT_PROXY, "");
  return curl;
}

// Why a connection failed, in terms of the socket: the usual cases name what to check.
std::string ConnectError(const std::string& socket, CURL* curl, CURLcode code, const char* error) {
  long os_errno = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
  if (code == CURLE_COULDNT_CONNECT) {
    std::string told =
        UnixSocketError(socket, os_errno, "tailscaled", "is tailscaled running? set socket = ...");
    if (!told.empty()) return told;
  }
  std::string reason = error[0] != '\0' ? error : curl_easy_strerror(code);
  if (os_errno != 0) reason += std::string(" (") + std::strerror(static_cast<int>(os_errno)) + ")";
  return socket + ": " + reason;
}

// The stream's state, fed by libcurl's write callback.
struct Stream {
  CURL* curl;
  const std::function<void()>* on_message;
  std::string partial;  // the current line so far (bounded: only newlines matter)
  std::string error_body;
  long status = 0;
};

size_t ReadStream(char* data, size_t size, size_t count, void* pointer) {
  auto* stream = static_cast<Stream*>(pointer);
  const size_t length = size * count;
  if (stream->status == 0) curl_easy_getinfo(stream->curl, CURLINFO_RESPONSE_CODE, &stream->status);
  if (stream->status != 200) {
    if (stream->error_body.size() < 4096) stream->error_body.append(data, length);
    return length;
  }
  // Only message boundaries matter: each line is one ipn.Notify, and any of them is a trigger.
  const std::string_view chunk(data, length);
  for (char c : chunk) {
    if (c == '\n') (*stream->on_message)();
  }
  return length;
}

}  // namespace

ErrorOr<std::string> LocalApi::Get(std::string_view path, size_t max_bytes, bool* too_large) const {
  CurlHandle curl = NewHandle(socket_, std::string(kBaseUrl) + std::string(path));
  if (!curl) return ErrorOr<std::string>::Error("libcurl could not start");
  CappedBody capture{"", max_bytes};
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  // A Content-Length past the cap is refused before a byte of the body is read.
  curl_easy_setopt(curl.get(), CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &CappedBody::CurlWrite);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &capture);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(curl.get());
  capture.too_large = capture.too_large || code == CURLE_FILESIZE_EXCEEDED;
  if (too_large) *too_large = capture.too_large;
  if (capture.too_large) {
    return ErrorOr<std::string>::Error("LocalAPI " + std::string(path) + " is larger than " +
                                       std::to_string(max_bytes >> 20) + " MiB");
  }
  if (code != CURLE_OK)
    return ErrorOr<std::string>::Error(ConnectError(socket_, curl.get(), code, error));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return ErrorOr<std::string>::Error("LocalAPI " + std::string(path) + " on " + socket_ +
                                       " answered " + std::to_string(status) + ": " +
                                       FirstLine(capture.text));
  }
  return std::move(capture.text);
}

WatchResult LocalApi::Watch(uint64_t mask, std::stop_token stop,
                            const std::function<void()>& on_message,
                            const std::function<std::chrono::milliseconds()>& tick) const {
  CurlHandle curl =
      NewHandle(socket_, std::string(kBaseUrl) + "watch-ipn-bus?mask=" + std::to_string(mask));
  std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi(curl_multi_init(),
                                                              curl_multi_cleanup);
  if (!curl || !multi) return {WatchEnd::kFailed, "libcurl could not start"};
  Stream stream{curl.get(), &on_message, "", "", 0};
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &ReadStream);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &stream);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_multi_add_handle(multi.get(), curl.get());
  // A stop request wakes the poll at once instead of after its timeout.
  std::stop_callback wake(stop, [&multi] { curl_multi_wakeup(multi.get()); });

  int running = 1;
  while (!stop.stop_requested()) {
    curl_multi_perform(multi.get(), &running);
    if (running == 0) break;
    const std::chrono::milliseconds wait = tick();
    if (stop.stop_requested()) break;
    curl_multi_poll(multi.get(), nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
  if (stop.stop_requested()) {
    curl_multi_remove_handle(multi.get(), curl.get());
    return {WatchEnd::kStopped, ""};
  }
  int left = 0;
  CURLcode code = CURLE_OK;
  while (CURLMsg* message = curl_multi_info_read(multi.get(), &left)) {
    if (message->msg == CURLMSG_DONE) code = message->data.result;
  }
  curl_multi_remove_handle(multi.get(), curl.get());
  if (stream.status != 0 && stream.status != 200) {
    return {WatchEnd::kUnavailable, "LocalAPI watch-ipn-bus answered " +
                                        std::to_string(stream.status) + ": " +
                                        FirstLine(stream.error_body)};
  }
  if (code != CURLE_OK && stream.status == 0) {
    return {WatchEnd::kFailed, ConnectError(socket_, curl.get(), code, error)};
  }
  return {WatchEnd::kClosed, "tailscaled closed the IPN bus stream"};
}

}  // namespace peerscout::tailscale
