#!/usr/bin/env bash
# Serving /v1/peers beside nginx serving the same bytes as a static file, both on Unix sockets,
# in one run: 1k and 10k static peers, 1, 32 and 256 keep-alive clients (peerscout_http_load),
# the json, exo and multiaddr formats, and a json row with If-None-Match where the server sends
# an ETag. Prints a table with the ratios, whether one more request to peerscout gets an answer
# during and after each 256-client run, and peerscout's memory before and after the load.
# Figures, not pass/fail; about a minute on two cores. The runs' lines are kept in
# build-bench/serve-bench.jsonl.
#
#   PEERSCOUT_BIN=/path/to/peerscout    measure that binary instead of building build-bench/'s
#   PEERSCOUT_SERVER_MAX_CONNECTIONS=N  reaches the sidecar as it is (its default: 128)
#   SERVE_BENCH_REQUESTS (20000; fewer and the short runs are noise), SERVE_BENCH_REQUESTS_LARGE
#   (2000, for the 3.4 MB body of 10k peers in json),
#   SERVE_BENCH_TIMEOUT_MS (2000, one request, connecting included)
#
# Builds a Release tree in build-bench/ (the load client always comes from there); installs
# nginx-light if it is missing and runs it in the foreground with a config of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/build-bench"
requests=${SERVE_BENCH_REQUESTS:-20000}
requests_large=${SERVE_BENCH_REQUESTS_LARGE:-2000}
timeout_ms=${SERVE_BENCH_TIMEOUT_MS:-2000}

bash scripts/setup.sh --test
# nginx is the anchor of this benchmark alone, so it is installed here, not by setup.sh.
if ! dpkg-query -W -f='${Status}' nginx-light 2>/dev/null | grep -q "install ok installed"; then
  echo "serve.sh: installing nginx-light"
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
if [[ -n "${PEERSCOUT_BIN:-}" ]]; then
  cmake --build "$out" --target peerscout_http_load
  peerscout=$(realpath "$PEERSCOUT_BIN")
else
  cmake --build "$out" --target peerscout peerscout_http_load
  peerscout="$out/peerscout"
fi
load="$out/peerscout_http_load"

dir=$(mktemp -d /tmp/ps-serve-bench.XXXXXX)
# nginx's workers drop root for nobody: they must reach the files it serves.
chmod 755 "$dir"
mkdir -p "$dir/www" "$dir/sidecar"
results="$dir/results.jsonl"
peerscout_pid=""
nginx_pid=""
probe=0
outage_seen=0
restarts=0
cleanup() {
  [[ -n "$peerscout_pid" ]] && kill "$peerscout_pid" 2>/dev/null && wait "$peerscout_pid" || true
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A plain static-file server, nginx's defaults otherwise (worker_processes auto, keep-alive on,
# 1000 requests per connection); sendfile on, as every packaged config has it. Both servers are
# asked the same URL: the file is chosen by ?format=.
cat >"$dir/nginx.conf" <<EOF
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
daemon off;
events {}
http {
  access_log off;
  sendfile on;
  types { application/json json; text/plain exo multiaddr; }
  server {
    listen unix:$dir/nginx.sock;
    root $dir/www;
    location = /v1/peers { try_files /peers.\$arg_format =404; }
  }
}
EOF
"$nginx_bin" -p "$dir" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" &
nginx_pid=$!

# Waits for $1 to answer $2 on its socket (a 404 is an answer: nginx has no files yet).
wait_for() {
  local code
  for _ in $(seq 200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 --unix-socket "$1" \
      "http://localhost$2" || true)
    [[ $code == [24]?? ]] && return 0
    sleep 0.05
  done
  echo "serve.sh: no answer on $1" >&2
  return 1
}

# Starts the sidecar with $1 static peers, as tests/bench/run.sh does: no mDNS and no tailscale
# in this machine's own network namespace, no start-up deadline.
start_peerscout() {
  local peers=$1
  # A config file: one variable holds at most 128 KiB, too little for 10k addresses.
  for ((i = 0; i < peers; i++)); do
    printf '[[static]]\naddress = "/ip4/10.%d.%d.%d/tcp/52416"\n' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255))
  done >"$dir/sidecar/sidecar.toml"
  PEERSCOUT_RUNTIME_DIR="$dir/sidecar" PEERSCOUT_LOG_LEVEL=warn \
    PEERSCOUT_REGISTRY_STARTUP_DEADLINE=0s PEERSCOUT_SOURCES_MDNS_ENABLED=false \
    PEERSCOUT_SOURCES_TAILSCALE_ENABLED=false \
    "$peerscout" run --config "$dir/sidecar/sidecar.toml" &
  peerscout_pid=$!
  wait_for "$dir/sidecar/peerscout.sock" /v1/health
}

# Healthy is not yet complete: with no start-up deadline, the first answers may hold only part of
# the static list. Waits until the exo format lists all $1 peers.
wait_for_peers() {
  local listed
  for _ in $(seq 200); do
    listed=$(curl -sf --unix-socket "$dir/sidecar/peerscout.sock" \
      'http://localhost/v1/peers?format=exo' | tr ',' '\n' | grep -c /ip4/ || true)
    ((listed == $1)) && return 0
    sleep 0.05
  done
  echo "serve.sh: peerscout lists $listed of $1 peers" >&2
  return 1
}

stop_peerscout() {
  kill "$peerscout_pid"
  wait "$peerscout_pid" || true
  peerscout_pid=""
}

# One JSON line of memory figures for pid $1 (kB, from smaps_rollup and status).
memory() {
  awk -v pid="$1" -v when="$2" -v peers="$3" '
    FILENAME ~ /smaps_rollup/ && /^(Rss|Pss|Private_Dirty):/ { m[$1] = $2 }
    FILENAME ~ /status/ && /^(VmHWM|Threads):/ { m[$1] = $2 }
    END { printf "{\"memory\":\"%s\",\"peers\":%d,\"rss\":%d,\"pss\":%d,\"private_dirty\":%d,\"hwm\":%d,\"threads\":%d}\n",
          when, peers, m["Rss:"], m["Pss:"], m["Private_Dirty:"], m["VmHWM:"], m["Threads:"] }' \
    "/proc/$1/smaps_rollup" "/proc/$1/status"
}

# nginx's master and workers together: PSS shares their common pages out fairly.
nginx_pss() {
  local total=0 pid
  for pid in "$nginx_pid" $(pgrep -P "$nginx_pid"); do
    total=$((total + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")))
  done
  echo "$total"
}

# Runs the load client on server $1 and appends its line, tagged, to the results. With
# probe=1, one more request to peerscout while the load runs and one after it: a sidecar whose
# API stops answering under load is failing the local consumers that poll it.
measure() {
  local server=$1 socket=$2 peers=$3 format=$4 clients=$5 count=$6 bytes=$7 etag=${8:-}
  local line load_pid
  "$load" --socket "$socket" --path "/v1/peers?format=$format" --clients "$clients" \
    --requests "$count" --timeout-ms "$timeout_ms" --expect-bytes "$bytes" \
    ${etag:+--if-none-match "$etag"} >"$dir/load.out" &
  load_pid=$!
  if ((probe)); then
    sleep 0.3
    # Only a probe made while the load still runs says anything about the load.
    if kill -0 "$load_pid" 2>/dev/null; then
      probe during "$peers" "$format" "$bytes"
    else
      echo "{\"probe\":\"\",\"when\":\"during (the load was over first)\",\"peers\":$peers,\"format\":\"$format\",\"bytes\":$bytes}" >>"$results"
    fi
  fi
  wait "$load_pid"
  if ((probe)); then
    probe after "$peers" "$format" "$bytes"
    recovery "$peers" "$format"
  fi
  line=$(<"$dir/load.out")
  echo "{\"server\":\"$server\",\"peers\":$peers,\"format\":\"$format${etag:+ 304}\",${line#\{}" \
    >>"$results"
}

# Whether one fresh request to peerscout gets the whole body, and how fast.
probe() {
  local when=$1 peers=$2 format=$3 bytes=$4 got
  got=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' --max-time 5 \
    --unix-socket "$dir/sidecar/peerscout.sock" "http://localhost/v1/peers?format=$format" || true)
  echo "{\"probe\":\"$got\",\"when\":\"$when\",\"peers\":$peers,\"format\":\"$format\",\"bytes\":$bytes}" \
    >>"$results"
}

# How long after a run peerscout's /v1/health answers again (shown when the probe after the run
# went unanswered). The first outage is waited out, up to 90 s, to show how long one lasts; after
# that 5 s, then peerscout is restarted so that the remaining runs measure something.
recovery() {
  local start=$EPOCHREALTIME limit=90 code elapsed
  ((outage_seen)) && limit=5
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
      --unix-socket "$dir/sidecar/peerscout.sock" http://localhost/v1/health || true)
    elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
    if [[ $code == 200 ]]; then
      ((elapsed < 1000)) || outage_seen=1
      echo "{\"recovered_ms\":$elapsed,\"peers\":$1,\"format\":\"$2\"}" >>"$results"
      return 0
    fi
    ((elapsed < limit * 1000)) || break
    sleep 0.05
  done
  outage_seen=1
  echo "{\"recovered_ms\":-1,\"limit_s\":$limit,\"peers\":$1,\"format\":\"$2\"}" >>"$results"
  stop_peerscout
  start_peerscout "$1"
  wait_for_peers "$1"
  restarts=$((restarts + 1))
}

header() {  # $1: header name; prints its value in the response to $2 on socket $3
  curl -s -D - -o /dev/null --unix-socket "$3" "http://localhost$2" |
    awk -v name="$1" 'tolower($1) == tolower(name) ":" { sub(/\r$/, ""); print $2 }'
}

wait_for "$dir/nginx.sock" /
echo "== serving /v1/peers: peerscout $("$peerscout" --version 2>/dev/null | head -1) ($peerscout)," \
  "max_connections ${PEERSCOUT_SERVER_MAX_CONNECTIONS:-default}; nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2)"
for peers in 1000 10000; do
  start_peerscout "$peers"
  wait_for_peers "$peers"
  memory "$peerscout_pid" idle "$peers" >>"$results"
  for format in json exo multiaddr; do
    # The same bytes, from the running sidecar; written aside and moved, so nginx never serves
    # half a file.
    curl -sf --unix-socket "$dir/sidecar/peerscout.sock" "http://localhost/v1/peers?format=$format" \
      -o "$dir/www/peers.$format.new"
    chmod 644 "$dir/www/peers.$format.new"
    mv "$dir/www/peers.$format.new" "$dir/www/peers.$format"
  done
  for format in json exo multiaddr; do
    bytes=$(stat -c %s "$dir/www/peers.$format")
    count=$requests
    [[ $format == json && $peers -ge 10000 ]] && count=$requests_large
    for clients in 1 32 256; do
      probe=$((clients == 256))
      measure peerscout "$dir/sidecar/peerscout.sock" "$peers" "$format" "$clients" "$count" "$bytes"
      probe=0
      measure nginx "$dir/nginx.sock" "$peers" "$format" "$clients" "$count" "$bytes"
    done
  done
  # Revalidation, where the sidecar offers it: each server is asked with its own ETag.
  etag=$(header ETag '/v1/peers?format=json' "$dir/sidecar/peerscout.sock")
  if [[ -n "$etag" && $peers -eq 1000 ]]; then
    nginx_etag=$(header ETag '/v1/peers?format=json' "$dir/nginx.sock")
    bytes=$(stat -c %s "$dir/www/peers.json")
    for clients in 1 32 256; do
      measure peerscout "$dir/sidecar/peerscout.sock" "$peers" json "$clients" "$requests" "$bytes" "$etag"
      measure nginx "$dir/nginx.sock" "$peers" json "$clients" "$requests" "$bytes" "$nginx_etag"
    done
  fi
  memory "$peerscout_pid" "after load" "$peers" >>"$results"
  echo "{\"restarts\":$restarts,\"peers\":$peers}" >>"$results"
  restarts=0
  echo "{\"nginx_pss\":$(nginx_pss),\"peers\":$peers}" >>"$results"
  stop_peerscout
done

cp "$results" "$out/serve-bench.jsonl"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
runs = {(r["server"], r["peers"], r["format"], r["clients"]): r for r in rows if "server" in r}
keys = sorted({k[1:] for k in runs}, key=lambda k: (k[0], " 304" in k[1], k[1] != "json", k[1], k[2]))

def fs(r):
    return f"{r['failed']}/{r['short']}"

print("\nratio = peerscout / nginx: req/s below 1 and p99 above 1 mean slower than nginx."
      " Latencies are of the ok requests; failed/short: refused, reset, timed out or"
      " non-2xx/304 / a body of the wrong size.\n")
print("| peers | format | clients | peerscout req/s | nginx req/s | ratio | peerscout p99 ms |"
      " nginx p99 ms | p99 ratio | peerscout failed/short | nginx failed/short |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for peers, fmt, clients in keys:
    p, n = runs[("peerscout", peers, fmt, clients)], runs[("nginx", peers, fmt, clients)]
    ratio = f"{p['rps'] / n['rps']:.2f}" if n["rps"] else "-"
    p99 = f"{p['p99_ms'] / n['p99_ms']:.2f}" if n["p99_ms"] and p["ok"] else "-"
    print(f"| {peers} | {fmt} | {clients} | {p['rps']:.0f} | {n['rps']:.0f} | {ratio} |"
          f" {p['p99_ms']:.2f} | {n['p99_ms']:.2f} | {p99} | {fs(p)} | {fs(n)} |")

errors = {(r["server"], r["peers"], r["format"], r["clients"]): r["first_error"]
          for r in rows if r.get("first_error")}
if errors:
    print("\nfirst error of each run that had one:")
    for (server, peers, fmt, clients), error in sorted(errors.items()):
        print(f"  {server} {peers} {fmt} {clients} clients: {error}")

revalidated = [k for k in keys if " 304" in k[1]]
if revalidated:
    print("\nIf-None-Match runs, answered 304 / requests:")
    for peers, fmt, clients in revalidated:
        p, n = runs[("peerscout", peers, fmt, clients)], runs[("nginx", peers, fmt, clients)]
        print(f"  {peers} {clients} clients: peerscout {p['not_modified']}/{p['requests']},"
              f" nginx {n['not_modified']}/{n['requests']}")

print("\nduring and after each 256-client run, one more request to peerscout (5 s to answer):")
last_failed = False
for r in rows:
    if "recovered_ms" in r:
        if r["recovered_ms"] < 0:
            print(f"  {'':>28}then no answer on /v1/health for {r['limit_s']} s: restarted")
        elif last_failed or r["recovered_ms"] >= 1000:
            print(f"  {'':>28}then /v1/health answered {r['recovered_ms']} ms later")
        continue
    if "probe" not in r:
        continue
    label = f"{r['peers']} peers {r['format']} {r['when']}"
    parts = r["probe"].split()
    if not parts:
        print(f"  {label}")
        continue
    last_failed = not (parts[0] == "200" and int(parts[1]) == r["bytes"])
    if parts[0] == "000":
        detail = f"no answer, gave up after {float(parts[2]) * 1000:.0f} ms"
    else:
        detail = f"HTTP {parts[0]}, {parts[1]} bytes in {float(parts[2]) * 1000:.1f} ms"
    print(f"  {label:<28}: {'FAILED' if last_failed else 'answered'} ({detail})")

print("\npeerscout memory, kB (smaps_rollup; hwm is the peak RSS):")
print(f"  {'peers':>6} {'when':>11} {'RSS':>8} {'PSS':>8} {'private dirty':>14} {'hwm':>8} {'threads':>8}")
for r in rows:
    if "memory" in r:
        print(f"  {r['peers']:>6} {r['memory']:>11} {r['rss']:>8} {r['pss']:>8}"
              f" {r['private_dirty']:>14} {r['hwm']:>8} {r['threads']:>8}")
for r in rows:
    if r.get("restarts"):
        print(f"  {r['peers']} peers: 'after load' is of a process restarted {r['restarts']}"
              " time(s) during the runs")
for r in rows:
    if "nginx_pss" in r:
        print(f"  nginx, master and workers after the {r['peers']}-peer load: PSS {r['nginx_pss']} kB")
PY
