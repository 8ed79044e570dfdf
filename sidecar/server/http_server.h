// The API on a Unix socket, served by libmicrohttpd. Requests go to Api; blocking queries are
// suspended connections resumed by BlockingQueries.
#pragma once

#include <microhttpd.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "sidecar/config/config.h"
#include "sidecar/server/api.h"
#include "sidecar/server/blocking_queries.h"
#include "sidecar/server/connection_slots.h"
#include "sidecar/server/unix_listener.h"

namespace peerscout {

class HttpServer {
 public:
  // Claims the socket and starts serving; refuses (with the reason) as ListenOnUnixSocket does.
  static ErrorOr<std::unique_ptr<HttpServer>> Start(const ServerConfig& config, const Api& api,
                                                    const Registry& registry, Telemetry& telemetry);
  ~HttpServer();  // answers parked queries, stops, removes the socket

  // For the registry's listener.
  void OnChange(uint64_t version) { queries_.OnChange(version); }

 private:
  struct Request;

  HttpServer(const Api& api, const Registry& registry, Telemetry& telemetry, UnixListener listener,
             int64_t max_connections);

  static MHD_Result Handle(void* self, MHD_Connection* connection, const char* url,
                           const char* method, const char* version, const char* upload_data,
                           size_t* upload_data_size, void** request_state);
  static void Completed(void* self, MHD_Connection* connection, void** request_state,
                        MHD_RequestTerminationCode code);
  static void ConnectionEvent(void* self, MHD_Connection* connection, void** socket_state,
                              MHD_ConnectionNotificationCode code);
  MHD_Result Respond(MHD_Connection* connection, const ApiResponse& response);
  void Opened(MHD_Connection* connection);
  void Closed(MHD_Connection* connection);
  void RequestBegun(MHD_Connection* connection);
  void RequestEnded(MHD_Connection* connection);
  bool OverLimit();

  const Api& api_;
  Telemetry& telemetry_;
  UnixListener listener_;
  BlockingQueries queries_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};  // requests begun and not yet completed
  std::mutex slots_mutex_;         // taken on libmicrohttpd's threads, around an fd that stays open
  ConnectionSlots slots_;
  MHD_Daemon* daemon_ = nullptr;
};

}  // namespace peerscout
