#include "adapters/headscale/api_client.h"

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <memory>
#include <mutex>

#include "sidecar/net/reply_text.h"

namespace peerscout::headscale {
namespace {

void InitializeCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// grpc-gateway errors are {"code": N, "message": "..."}; anything else is shown as text.
std::string ServerMessage(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str(), body.size());
  if (!document.HasParseError() && document.IsObject() && document.HasMember("message") &&
      document["message"].IsString()) {
    return FirstLine(document["message"].GetString());
  }
  return FirstLine(body);
}

bool SaysUnauthorized(const std::string& body) { return body.rfind("Unauthorized", 0) == 0; }

}  // namespace

ErrorOr<std::string> ApiClient::Send(std::string_view method, std::string_view path,
                                     const std::string& body, const std::string& key,
                                     ApiError* error) const {
  InitializeCurlOnce();
  ApiError local;
  ApiError& failure = error ? *error : local;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return ErrorOr<std::string>::Error("libcurl could not start");
  const std::string url = options_.url + std::string(path);
  const std::string authorization = "Authorization: Bearer " + key;
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(curl_slist_append(curl_slist_append(nullptr, authorization.c_str()),
                                          "Accept: application/json"),
                        "Content-Type: application/json"),
      curl_slist_free_all);
  CappedBody capture{"", options_.max_bytes};
  char message[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  const std::string verb(method);
  if (verb != "GET") {
    curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, verb.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, options_.allow_http ? "http,https" : "https");
  // A redirect would carry the key to wherever it points: never followed.
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  if (!options_.ca_file.empty())
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, options_.ca_file.c_str());
  // A Content-Length past the cap is refused before a byte of the body is read.
  curl_easy_setopt(curl.get(), CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_bytes));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &CappedBody::CurlWrite);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &capture);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, message);
  const CURLcode code = curl_easy_perform(curl.get());
  failure.too_large = capture.too_large || code == CURLE_FILESIZE_EXCEEDED;
  if (failure.too_large) {
    failure.message =
        std::string(path) + " is larger than " + std::to_string(options_.max_bytes >> 20) + " MiB";
    return ErrorOr<std::string>::Error(failure.message);
  }
  if (code != CURLE_OK) {
    failure.message =
        options_.url + ": " + (message[0] != '\0' ? message : curl_easy_strerror(code));
    return ErrorOr<std::string>::Error(failure.message);
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &failure.status);
  if (failure.status == 200) return std::move(capture.text);
  // Releases before v0.27 answer an unknown or malformed key with a plain 500 "Unauthorized".
  failure.key_rejected =
      failure.status == 401 || (failure.status == 500 && SaysUnauthorized(capture.text));
  failure.server_message = ServerMessage(capture.text);
  if (failure.key_rejected) {
    failure.message = "API key rejected (HTTP " + std::to_string(failure.status) +
                      "): check that the key in api_key_env or api_key_file is one that "
                      "`headscale apikeys list` shows and has not expired";
  } else {
    failure.message = verb + " " + std::string(path) + " answered HTTP " +
                      std::to_string(failure.status) + ": " + ServerMessage(capture.text);
  }
  return ErrorOr<std::string>::Error(failure.message);
}

}  // namespace peerscout::headscale
