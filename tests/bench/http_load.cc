// An HTTP/1.1 load client for a Unix socket (tests/bench/serve.sh): N client threads, each
// with one libcurl easy handle reused from request to request, so that each client keeps one
// connection alive the way a long-lived consumer of the API would. Prints one JSON line.
//
// Counts: `ok` is a 2xx with the whole body (or a 304); `short` is a 2xx whose body differs
// from its Content-Length or from --expect-bytes; `failed` is everything else (another status,
// a refused or reset connection, a timeout). Latencies are over the `ok` requests only: a
// refused connection answers fast and would make a server that turns clients away look quick.
#include <curl/curl.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

struct LoadOptions {
  std::string socket;
  std::string path = "/v1/peers";
  int clients = 1;
  int64_t requests = 1000;
  int64_t timeout_ms = 5000;
  std::string if_none_match;
  int64_t expect_bytes = -1;  // -1: only Content-Length is checked
};

// What one client thread saw; merged once all threads are done.
struct ClientTally {
  int64_t ok = 0;
  int64_t not_modified = 0;
  int64_t failed = 0;
  int64_t short_bodies = 0;
  int64_t bytes = 0;
  int64_t connects = 0;
  std::vector<double> latencies_ms;
  std::string first_error;
};

size_t CountBody(char*, size_t size, size_t count, void* received) {
  *static_cast<int64_t*>(received) += static_cast<int64_t>(size * count);
  return size * count;
}

void RunClient(const LoadOptions& options, std::atomic<int64_t>& next_request, ClientTally& tally) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    tally.first_error = "curl_easy_init failed";
    return;
  }
  const std::string url = "http://localhost" + options.path;
  int64_t received = 0;
  curl_slist* headers = nullptr;
  if (!options.if_none_match.empty()) {
    headers = curl_slist_append(headers, ("If-None-Match: " + options.if_none_match).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, options.socket.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  // Threads and signals do not mix: without this a timeout would use SIGALRM.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CountBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);

  while (next_request.fetch_add(1) < options.requests) {
    received = 0;
    error[0] = '\0';
    const auto start = std::chrono::steady_clock::now();
    const CURLcode code = curl_easy_perform(curl);
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    tally.bytes += received;
    long connects = 0;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
    tally.connects += connects;
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t content_length = -1;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length);
    const bool success_status = status >= 200 && status < 300;
    // libcurl reports a body cut before its Content-Length as CURLE_PARTIAL_FILE.
    const bool cut = code == CURLE_PARTIAL_FILE && success_status;
    if (code != CURLE_OK && !cut) {
      ++tally.failed;
      if (tally.first_error.empty())
        tally.first_error = error[0] ? error : curl_easy_strerror(code);
    } else if (status == 304) {
      ++tally.ok;
      ++tally.not_modified;
      tally.latencies_ms.push_back(elapsed.count());
    } else if (!success_status) {
      ++tally.failed;
      if (tally.first_error.empty()) tally.first_error = "HTTP " + std::to_string(status);
    } else if (cut || (content_length >= 0 && received != content_length) ||
               (options.expect_bytes >= 0 && received != options.expect_bytes)) {
      ++tally.short_bodies;
      if (tally.first_error.empty()) {
        tally.first_error = "body of " + std::to_string(received) + " bytes";
      }
    } else {
      ++tally.ok;
      tally.latencies_ms.push_back(elapsed.count());
    }
  }
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
}

double Percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto rank =
      static_cast<size_t>(std::lround(fraction * static_cast<double>(sorted.size() - 1)));
  return sorted[std::min(rank, sorted.size() - 1)];
}

// The error text goes into a JSON string: keep it printable and free of quotes.
std::string JsonSafe(std::string text) {
  for (char& c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace

// An exception here (no thread, no memory) should end the run, with its message.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  LoadOptions options;
  CLI::App app{"HTTP/1.1 keep-alive load on a Unix socket; prints one JSON line"};
  app.add_option("--socket", options.socket, "Unix socket to connect to")->required();
  app.add_option("--path", options.path, "request path and query, e.g. /v1/peers?format=json");
  app.add_option("--clients", options.clients, "concurrent clients, one connection each")
      ->check(CLI::Range(1, 4096));
  app.add_option("--requests", options.requests, "requests in all, shared by the clients")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout-ms", options.timeout_ms, "limit on one request, connecting included")
      ->check(CLI::PositiveNumber);
  app.add_option("--if-none-match", options.if_none_match, "If-None-Match header value");
  app.add_option("--expect-bytes", options.expect_bytes,
                 "body size every 2xx must have (default: only Content-Length is checked)");
  CLI11_PARSE(app, argc, argv);

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fprintf(stderr, "http_load: curl_global_init failed\n");
    return 1;
  }
  std::atomic<int64_t> next_request{0};
  std::vector<ClientTally> tallies(static_cast<size_t>(options.clients));
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> clients;
    clients.reserve(tallies.size());
    for (ClientTally& tally : tallies) {
      clients.emplace_back(
          [&options, &next_request, &tally] { RunClient(options, next_request, tally); });
    }
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  curl_global_cleanup();

  ClientTally total;
  for (ClientTally& tally : tallies) {
    total.ok += tally.ok;
    total.not_modified += tally.not_modified;
    total.failed += tally.failed;
    total.short_bodies += tally.short_bodies;
    total.bytes += tally.bytes;
    total.connects += tally.connects;
    total.latencies_ms.insert(total.latencies_ms.end(), tally.latencies_ms.begin(),
                              tally.latencies_ms.end());
    if (total.first_error.empty()) total.first_error = tally.first_error;
  }
  std::sort(total.latencies_ms.begin(), total.latencies_ms.end());
  std::printf(
      "{\"clients\":%d,\"requests\":%lld,\"ok\":%lld,\"not_modified\":%lld,\"failed\":%lld,"
      "\"short\":%lld,\"bytes\":%lld,\"connects\":%lld,\"seconds\":%.3f,\"rps\":%.1f,"
      "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"first_error\":\"%s\"}\n",
      options.clients, static_cast<long long>(options.requests), static_cast<long long>(total.ok),
      static_cast<long long>(total.not_modified), static_cast<long long>(total.failed),
      static_cast<long long>(total.short_bodies), static_cast<long long>(total.bytes),
      static_cast<long long>(total.connects), seconds.count(),
      static_cast<double>(total.ok) / seconds.count(), Percentile(total.latencies_ms, 0.50),
      Percentile(total.latencies_ms, 0.99),
      total.latencies_ms.empty() ? 0.0 : total.latencies_ms.back(),
      JsonSafe(total.first_error).c_str());
  return 0;
}
