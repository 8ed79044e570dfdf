#!/usr/bin/env bash
# A normal client's latency while abusers hold the API's socket: 1,000 idle connections,
# slowloris clients (headers a byte at a time), clients sending 1 MB of headers, clients that
# never read their 3.4 MB response. 10k static peers; the normal client is peerscout_http_load
# (one keep-alive client, /v1/peers). Prints, per abuse, the client's p50/p99 and failures
# during the abuse and after the abusers left, and peerscout's RSS during it. Figures, not
# pass/fail (tests/integration/socket_abuse_test.cc checks the behaviour).
#
#   PEERSCOUT_BIN=/path/to/peerscout        measure that binary instead of build-bench/'s
#   PEERSCOUT_HTTP_LOAD=/path/to/load       that load client instead of build-bench/'s
#   PEERSCOUT_SERVER_MAX_CONNECTIONS=N      reaches the sidecar (here 256, below the abusers)
#   ABUSE_BENCH_REQUESTS (300), ABUSE_BENCH_ABUSERS (1000)
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$(pwd)/build-bench"
requests=${ABUSE_BENCH_REQUESTS:-300}
abusers=${ABUSE_BENCH_ABUSERS:-1000}
export PEERSCOUT_SERVER_MAX_CONNECTIONS=${PEERSCOUT_SERVER_MAX_CONNECTIONS:-256}

if [[ -z "${PEERSCOUT_BIN:-}" || -z "${PEERSCOUT_HTTP_LOAD:-}" ]]; then
  cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$out" --target peerscout peerscout_http_load
fi
peerscout=$(realpath "${PEERSCOUT_BIN:-$out/peerscout}")
load=$(realpath "${PEERSCOUT_HTTP_LOAD:-$out/peerscout_http_load}")

dir=$(mktemp -d /tmp/ps-abuse-bench.XXXXXX)
peerscout_pid=""
abuser_pid=""
cleanup() {
  [[ -n "$abuser_pid" ]] && kill "$abuser_pid" 2>/dev/null || true
  [[ -n "$peerscout_pid" ]] && kill "$peerscout_pid" 2>/dev/null && wait "$peerscout_pid" || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
socket="$dir/peerscout.sock"

for ((i = 0; i < 10000; i++)); do
  printf '[[static]]\naddress = "/ip4/10.%d.%d.%d/tcp/52416"\n' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255))
done >"$dir/sidecar.toml"
PEERSCOUT_RUNTIME_DIR="$dir" PEERSCOUT_LOG_LEVEL=warn PEERSCOUT_SOURCES_MDNS_ENABLED=false \
  PEERSCOUT_SOURCES_TAILSCALE_ENABLED=false "$peerscout" run --config "$dir/sidecar.toml" &
peerscout_pid=$!
for _ in $(seq 400); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 --unix-socket "$socket" \
    http://localhost/v1/health || true) == 200 ]] && break
  sleep 0.05
done
bytes=$(curl -s --unix-socket "$socket" http://localhost/v1/peers | wc -c)

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$peerscout_pid/status"; }
# One JSON line of peerscout_http_load, as "p50 p99 failed".
measure() {
  "$load" --socket "$socket" --path /v1/peers --clients 1 --requests "$requests" \
    --timeout-ms 10000 --expect-bytes "$bytes" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.2f %.2f %d" % (r["p50_ms"], r["p99_ms"], r["failed"] + r["short"]))'
}

# The abusers, in one process: holds its connections until killed.
abuse() {
  python3 - "$1" "$socket" "$abusers" <<'EOF' &
import resource, socket, sys, time
kind, path, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    return s
held = []
if kind == "idle":
    held = [connect() for _ in range(count)]
elif kind == "slowloris":
    held = [connect() for _ in range(count // 5)]
    request = b"GET /v1/peers HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 100000
    for i in range(len(request)):
        for s in held:
            try: s.send(request[i:i + 1])
            except OSError: pass
        time.sleep(0.02)
elif kind == "headers":
    request = b"GET /v1/peers HTTP/1.1\r\nHost: x\r\n" + (b"X-Big: " + b"b" * 1000 + b"\r\n") * 1050 + b"\r\n"
    while True:
        s = connect()
        try: s.sendall(request)
        except OSError: pass
        s.close()
elif kind == "noread":
    for _ in range(count // 5):
        s = connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
        s.sendall(b"GET /v1/peers HTTP/1.1\r\nHost: x\r\n\r\n")
        held.append(s)
time.sleep(3600)
EOF
  abuser_pid=$!
}

printf '%-28s %9s %9s %7s %9s | after: %9s %7s\n' abuse p50_ms p99_ms failed rss_MB p99_ms failed
read -r p50 p99 failed <<<"$(measure)"
printf '%-28s %9s %9s %7s %9s |\n' "none" "$p50" "$p99" "$failed" $(($(rss_kb) / 1024))
for kind in idle slowloris headers noread; do
  abuse "$kind"
  sleep 3
  read -r p50 p99 failed <<<"$(measure)"
  rss=$(($(rss_kb) / 1024))
  kill "$abuser_pid" 2>/dev/null || true
  wait "$abuser_pid" 2>/dev/null || true
  abuser_pid=""
  sleep 1
  read -r _ after_p99 after_failed <<<"$(measure)"
  case $kind in
  idle) label="$abusers idle connections" ;;
  slowloris) label="$((abusers / 5)) slowloris clients" ;;
  headers) label="1 MB headers, back to back" ;;
  noread) label="$((abusers / 5)) never reading" ;;
  esac
  printf '%-28s %9s %9s %7s %9s | %16s %7s\n' "$label" "$p50" "$p99" "$failed" "$rss" "$after_p99" "$after_failed"
done
echo "max_connections $PEERSCOUT_SERVER_MAX_CONNECTIONS, $bytes-byte body, $requests requests per row"
