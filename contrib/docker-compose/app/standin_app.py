#!/usr/bin/env python3
"""A stand-in for a cluster app that knows nothing of peerscout.

It listens on APP_PORT and answers each connection with its name, and it dials every peer it
was given until that peer answers, logging "reached NAME at HOST:PORT". Its peers come the way
exo's do: from EXO_BOOTSTRAP_PEERS (comma-separated multiaddrs, read once at start), or from a
file of multiaddrs, one per line (PEERS_FILE, read again every second).
"""
import os
import socket
import sys
import threading
import time

NAME = os.environ.get("APP_NAME", socket.gethostname())
PORT = int(os.environ.get("APP_PORT", "7400"))


def log(message):
    print(f"{NAME}: {message}", flush=True)


def serve():
    server = socket.create_server(("0.0.0.0", PORT), reuse_port=True)
    while True:
        connection, _ = server.accept()
        with connection:
            connection.sendall(f"{NAME}\n".encode())


def endpoint(multiaddr):
    """/ip4/A/tcp/P[/p2p/ID] -> (A, P); anything else -> None."""
    parts = multiaddr.strip().split("/")
    if len(parts) >= 5 and parts[1] == "ip4" and parts[3] == "tcp":
        return parts[2], int(parts[4])
    return None


def peers():
    if "PEERS_FILE" in os.environ:
        try:
            with open(os.environ["PEERS_FILE"], encoding="utf-8") as f:
                return f.read().split()
        except FileNotFoundError:
            return []
    return [p for p in os.environ.get("EXO_BOOTSTRAP_PEERS", "").split(",") if p]


def dial(host, port):
    with socket.create_connection((host, port), timeout=3) as connection:
        return connection.makefile().readline().strip()


def main():
    threading.Thread(target=serve, daemon=True).start()
    log(f"listening on {PORT}; peers from {os.environ.get('PEERS_FILE', 'EXO_BOOTSTRAP_PEERS')}")
    reached = set()
    while True:
        for multiaddr in peers():
            target = endpoint(multiaddr)
            if target is None or target in reached:
                continue
            try:
                answer = dial(*target)
            except OSError as error:
                log(f"no answer from {target[0]}:{target[1]} yet ({error})")
                continue
            reached.add(target)
            log(f"reached {answer} at {target[0]}:{target[1]}")
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
