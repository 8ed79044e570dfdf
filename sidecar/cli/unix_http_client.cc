#include "sidecar/cli/unix_http_client.h"

#include <curl/curl.h>

#include <charconv>
#include <memory>
#include <mutex>
#include <string_view>

#include "sidecar/net/socket_error.h"

namespace peerscout {
namespace {

void InitializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* reply_pointer) {
  auto* reply = static_cast<HttpReply*>(reply_pointer);
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "x-peerscout-index:";
  if (line.size() > kName.size() && curl_strnequal(line.data(), kName.data(), kName.size())) {
    line.remove_prefix(kName.size());
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    uint64_t index = 0;
    auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), index);
    if (error == std::errc() && end != line.data()) reply->index = index;
  }
  return size * count;
}

}  // namespace

ErrorOr<HttpReply> GetOverUnixSocket(const std::string& socket, const std::string& target,
                                     std::chrono::milliseconds timeout) {
  InitializeCurlOnce();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return ErrorOr<HttpReply>::Error("libcurl could not start");
  HttpReply reply;
  const std::string url = "http://localhost" + target;
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code == CURLE_COULDNT_CONNECT) {
    long os_errno = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_OS_ERRNO, &os_errno);
    std::string told =
        UnixSocketError(socket, os_errno, "peerscout",
                        "is `peerscout run` running? --socket or PEERSCOUT_SOCKET names another");
    if (!told.empty()) return ErrorOr<HttpReply>::Error(told);
  }
  if (code != CURLE_OK) {
    return ErrorOr<HttpReply>::Error(socket + ": " +
                                     (error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

std::string EscapeQueryValue(const std::string& value) {
  InitializeCurlOnce();
  char* escaped = curl_easy_escape(nullptr, value.c_str(), static_cast<int>(value.size()));
  std::string result = escaped ? escaped : "";
  curl_free(escaped);
  return result;
}

}  // namespace peerscout
