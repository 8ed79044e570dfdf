#include "sidecar/server/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdarg>
#include <thread>

namespace peerscout {
namespace {

// Request headers and the URL must fit in this; larger requests get 4xx from libmicrohttpd.
constexpr size_t kConnectionMemory = size_t{32} * 1024;
// At shutdown, requests already being answered get this long to finish.
constexpr auto kDrainTime = std::chrono::seconds(2);
// The API takes no bodies; one is read and dropped up to this size, then the connection closes.
constexpr size_t kMaxDiscardedBody = size_t{64} * 1024;
// Connections libmicrohttpd accepts beyond max_connections: room for newcomers that idle ones
// give way to (ConnectionSlots), and to answer 503 when every slot is busy, rather than leave
// them in the backlog.
constexpr int64_t kOverflowConnections = 64;

unsigned ServingThreads(int64_t configured) {
  if (configured > 0) return static_cast<unsigned>(configured);
  return std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
}

// libmicrohttpd releases a shared body when the last response using it is done.
void ReleaseBody(void* body) { delete static_cast<std::shared_ptr<const std::string>*>(body); }

void LogFromMhd(void*, const char* format, va_list arguments) {
  char message[512];
  std::vsnprintf(message, sizeof message, format, arguments);
  std::string_view text(message);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  spdlog::debug("http: {}", text);
}

}  // namespace

struct HttpServer::Request {
  bool started = false;
  bool wait_over = false;
  size_t body_bytes = 0;
};

ErrorOr<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerConfig& config, const Api& api,
                                                       const Registry& registry,
                                                       Telemetry& telemetry) {
  using Result = ErrorOr<std::unique_ptr<HttpServer>>;
  auto listener = ListenOnUnixSocket(config.socket, config.socket_mode, config.socket_group);
  if (!listener) return Result::Error(listener.error());
  std::unique_ptr<HttpServer> server(
      new HttpServer(api, registry, telemetry, *listener, config.max_connections));
  const unsigned timeout = static_cast<unsigned>(
      std::chrono::duration_cast<std::chrono::seconds>(config.connection_timeout).count());
  server->daemon_ = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
          MHD_USE_ERROR_LOG,
      0, nullptr, nullptr, &HttpServer::Handle, server.get(),
      // The logger first, so that libmicrohttpd prints nothing on its own.
      MHD_OPTION_EXTERNAL_LOGGER, &LogFromMhd, nullptr, MHD_OPTION_LISTEN_SOCKET, listener->fd,
      MHD_OPTION_CONNECTION_LIMIT,
      static_cast<unsigned>(config.max_connections + kOverflowConnections),
      MHD_OPTION_THREAD_POOL_SIZE, ServingThreads(config.threads), MHD_OPTION_NOTIFY_CONNECTION,
      &HttpServer::ConnectionEvent, server.get(), MHD_OPTION_CONNECTION_TIMEOUT, timeout,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory, MHD_OPTION_STRICT_FOR_CLIENT, 1,
      MHD_OPTION_NOTIFY_COMPLETED, &HttpServer::Completed, server.get(), MHD_OPTION_END);
  if (server->daemon_ == nullptr) return Result::Error("libmicrohttpd did not start");
  return server;
}

HttpServer::HttpServer(const Api& api, const Registry& registry, Telemetry& telemetry,
                       UnixListener listener, int64_t max_connections)
    : api_(api),
      telemetry_(telemetry),
      listener_(std::move(listener)),
      queries_(registry, telemetry),
      slots_(max_connections) {}

HttpServer::~HttpServer() {
  stopping_ = true;
  if (daemon_ != nullptr) MHD_quiesce_daemon(daemon_);  // no new connections; the fd stays ours
  // libmicrohttpd must not be stopped with suspended connections, and the parked queries
  // deserve their answer (the current list) rather than a closed connection.
  queries_.ResumeAll();
  const auto deadline = std::chrono::steady_clock::now() + kDrainTime;
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
  CloseUnixListener(listener_);
}

MHD_Result HttpServer::Handle(void* self_pointer, MHD_Connection* connection, const char* url,
                              const char* method, const char*, const char*,
                              size_t* upload_data_size, void** request_state) {
  auto* self = static_cast<HttpServer*>(self_pointer);
  auto* request = static_cast<Request*>(*request_state);
  if (request == nullptr) {
    // First call: headers only. Answering now would cost keep-alive (libmicrohttpd closes).
    *request_state = new Request{true};
    ++self->in_flight_;
    self->RequestBegun(connection);
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    request->body_bytes += *upload_data_size;
    *upload_data_size = 0;
    return request->body_bytes > kMaxDiscardedBody ? MHD_NO : MHD_YES;
  }
  if (self->OverLimit()) {
    ApiResponse busy{503, "application/json", "{\"error\":\"too many connections\"}\n", 0, {}, {}};
    busy.headers.emplace_back("Connection", "close");
    busy.headers.emplace_back("Retry-After", "1");
    return self->Respond(connection, busy);
  }
  if (request->body_bytes > 0) {
    return self->Respond(connection,
                         ApiResponse{413,
                                     "application/json",
                                     "{\"error\":\"request bodies are not accepted\"}\n",
                                     0,
                                     {},
                                     {}});
  }
  ApiRequest api_request;
  api_request.method = method;
  api_request.path = url;
  api_request.wait_over = request->wait_over || self->stopping_;
  api_request.query = [connection](std::string_view key) -> std::optional<std::string> {
    const std::string name(key);
    const char* value =
        MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  api_request.header = [connection](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);
    const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, key.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  auto result = self->api_.Handle(api_request);
  if (auto* wait = std::get_if<ApiWait>(&result)) {
    request->wait_over = true;
    MHD_suspend_connection(connection);
    self->queries_.Park(wait->index, std::chrono::steady_clock::now() + wait->wait,
                        [connection] { MHD_resume_connection(connection); });
    return MHD_YES;
  }
  return self->Respond(connection, std::get<ApiResponse>(result));
}

MHD_Result HttpServer::Respond(MHD_Connection* connection, const ApiResponse& response) {
  MHD_Response* reply = nullptr;
  if (response.shared_body) {
    // The version's rendered bytes, kept alive by this reference until sent: no copy.
    auto* body = new std::shared_ptr<const std::string>(response.shared_body);
    reply = MHD_create_response_from_buffer_with_free_callback_cls(
        (*body)->size(), const_cast<char*>((*body)->data()), &ReleaseBody, body);
    if (reply == nullptr) ReleaseBody(body);
  } else {
    reply = MHD_create_response_from_buffer(
        response.body.size(), const_cast<char*>(response.body.data()), MHD_RESPMEM_MUST_COPY);
  }
  if (reply == nullptr) return MHD_NO;
  MHD_add_response_header(reply, "Content-Type", response.content_type.c_str());
  MHD_add_response_header(reply, "X-Peerscout-Index", std::to_string(response.index).c_str());
  MHD_add_response_header(reply, "Cache-Control", "no-store");
  for (const auto& [name, value] : response.headers) {
    MHD_add_response_header(reply, name.c_str(), value.c_str());
  }
  const MHD_Result queued = MHD_queue_response(connection, response.status, reply);
  MHD_destroy_response(reply);
  telemetry_.CountResponse(response.status);
  return queued;
}

void HttpServer::ConnectionEvent(void* self, MHD_Connection* connection, void**,
                                 MHD_ConnectionNotificationCode code) {
  auto* server = static_cast<HttpServer*>(self);
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    server->Opened(connection);
  } else {
    server->Closed(connection);
  }
}

void HttpServer::Opened(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  std::lock_guard lock(slots_mutex_);
  if (auto give_way = slots_.Opened(connection, info == nullptr ? -1 : info->connect_fd)) {
    // libmicrohttpd reads the end of the stream and closes the connection itself. The fd is
    // still that connection's: it is closed only after the CLOSED notification, which waits
    // for this lock.
    if (*give_way >= 0) ::shutdown(*give_way, SHUT_RDWR);
    ++telemetry_.http_connections_evicted;
  }
  telemetry_.http_connections = static_cast<uint64_t>(slots_.counted());
}

void HttpServer::Closed(MHD_Connection* connection) {
  std::lock_guard lock(slots_mutex_);
  slots_.Closed(connection);
  telemetry_.http_connections = static_cast<uint64_t>(slots_.counted());
}

void HttpServer::RequestBegun(MHD_Connection* connection) {
  std::lock_guard lock(slots_mutex_);
  slots_.RequestBegun(connection);
}

void HttpServer::RequestEnded(MHD_Connection* connection) {
  std::lock_guard lock(slots_mutex_);
  slots_.RequestEnded(connection);
}

bool HttpServer::OverLimit() {
  std::lock_guard lock(slots_mutex_);
  return slots_.OverLimit();
}

void HttpServer::Completed(void* self, MHD_Connection* connection, void** request_state,
                           MHD_RequestTerminationCode) {
  if (*request_state == nullptr) return;
  delete static_cast<Request*>(*request_state);
  *request_state = nullptr;
  auto* server = static_cast<HttpServer*>(self);
  server->RequestEnded(connection);
  --server->in_flight_;
}

}  // namespace peerscout
