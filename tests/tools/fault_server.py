#!/usr/bin/env python3
"""A misbehaving server for the fault tests: tailscaled's LocalAPI on a Unix socket, or
Headscale's API on 127.0.0.1, that serves a captured payload until told to misbehave.

    fault_server.py --unix PATH | --tcp PORT_FILE  --body FIXTURE [--stream NDJSON] --control FILE

Every request gets the captured payload (`--body`) while the mode is `good`; a request whose
path ends in `watch-ipn-bus` gets the `--stream` lines and is then held open, as tailscaled
holds its IPN bus. The mode is the first word of the `--control` file, read every 50 ms; once
a new mode is in force the server writes it to `FILE.state`, so a test knows when it holds.
A change of mode ends every open stream (as a restarted daemon would), so a source reconnects
into the new mode. Modes:

    good     the payload, 200
    500      HTTP 500 with a short text
    401      HTTP 401 "Unauthorized"
    garbage  200 with bytes that are not JSON
    huge     200 with a 65 MiB body (just past the sources' 64 MiB cap), Content-Length given
    endless  200 with a body that never ends (no length, written as fast as it is read)
    silent   the connection is accepted and the request read, then nothing for a minute
    gone     the listener is closed: connections are refused until another mode

Only loopback and Unix sockets: the server never binds anything else.
"""

import argparse
import http.server
import os
import socket
import socketserver
import sys
import threading
import time

HUGE_BYTES = 65 << 20
CHUNK = b"x" * (1 << 20)
SILENCE_SECONDS = 60


class Mode:
    """The mode in force, and a condition that wakes held streams when it changes."""

    def __init__(self):
        self.name = "good"
        self.changed = threading.Condition()

    def set(self, name):
        with self.changed:
            self.name = name
            self.changed.notify_all()

    def wait_change(self, seen, timeout):
        with self.changed:
            self.changed.wait_for(lambda: self.name != seen, timeout)
            return self.name


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, a body without a length ends when we close.
    protocol_version = "HTTP/1.0"
    server_version = "fault-server"

    def log_message(self, format, *args):  # quiet: the test prints what matters
        pass

    def do_GET(self):
        mode = self.server.mode.name
        try:
            self.answer(mode)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what a timeout or a size cap does

    do_POST = do_GET
    do_PUT = do_GET

    def send(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer(self, mode):
        options = self.server.options
        if mode == "good" and self.path.split("?")[0].endswith("watch-ipn-bus"):
            self.stream(options.stream_lines)
        elif mode == "good":
            self.send(200, options.body)
        elif mode == "500":
            self.send(500, b"internal error (fault_server)\n", "text/plain")
        elif mode == "401":
            self.send(401, b"Unauthorized\n", "text/plain")
        elif mode == "garbage":
            self.send(200, b"\x00\xff<html>not json {{{" + bytes(range(256)) * 16)
        elif mode == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(HUGE_BYTES))
            self.end_headers()
            for _ in range(HUGE_BYTES // len(CHUNK)):
                self.wfile.write(CHUNK)
        elif mode == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            while True:
                self.wfile.write(CHUNK)
        elif mode == "silent":
            # Accepted and read; the answer never comes while the client waits.
            deadline = time.monotonic() + SILENCE_SECONDS
            while time.monotonic() < deadline and not self.client_gone():
                time.sleep(0.05)

    def stream(self, lines):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        for line in lines:
            self.wfile.write(line)
        self.wfile.flush()
        self.server.mode.wait_change("good", None)

    def client_gone(self):
        try:
            return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TcpServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Listener:
    """The listening socket, closed for `gone` and opened again at the same address."""

    def __init__(self, options, mode):
        self.options = options
        self.mode = mode
        self.server = None
        self.port = 0

    def open(self):
        if self.options.unix:
            if os.path.exists(self.options.unix):
                os.unlink(self.options.unix)
            server = UnixServer(self.options.unix, Handler)
        else:
            server = TcpServer(("127.0.0.1", self.port), Handler)
            self.port = server.server_address[1]
        server.options = self.options
        server.mode = self.mode
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.server = server

    def close(self):
        self.server.shutdown()
        self.server.server_close()  # the socket file stays: a connect is refused
        self.server = None


def follow_control(options, mode, listener):
    while True:
        try:
            with open(options.control) as control:
                wanted = (control.read().split() or ["good"])[0]
        except FileNotFoundError:
            wanted = "good"
        if wanted != mode.name:
            if wanted == "gone":
                listener.close()
            elif mode.name == "gone":
                listener.open()
            mode.set(wanted)
            with open(options.control + ".state.new", "w") as state:
                state.write(wanted + "\n")
            os.rename(options.control + ".state.new", options.control + ".state")
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--unix", help="a Unix socket path (tailscaled's LocalAPI)")
    where.add_argument("--tcp", metavar="PORT_FILE", help="listen on 127.0.0.1, port written here")
    parser.add_argument("--body", required=True, help="the captured payload served when good")
    parser.add_argument("--stream", help="ndjson lines sent on watch-ipn-bus before holding it")
    parser.add_argument("--control", required=True, help="the file naming the mode")
    options = parser.parse_args()
    with open(options.body, "rb") as body:
        options.body = body.read()
    options.stream_lines = []
    if options.stream:
        with open(options.stream, "rb") as stream:
            options.stream_lines = stream.readlines()
    mode = Mode()
    listener = Listener(options, mode)
    listener.open()
    if options.tcp:
        with open(options.tcp + ".new", "w") as port:
            port.write(str(listener.port) + "\n")
        os.rename(options.tcp + ".new", options.tcp)
    with open(options.control + ".state", "w") as state:
        state.write("good\n")
    follow_control(options, mode, listener)


if __name__ == "__main__":
    sys.exit(main())
