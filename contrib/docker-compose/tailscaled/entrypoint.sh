#!/bin/bash
# Starts tailscaled with a real TUN device (the app shares this container's network, so it dials
# tailnet addresses unmodified) and joins the control server with the key in TS_AUTHKEY_FILE.
# Outbound features are off: no log upload, no port mapping; the DERP relay is the control
# server's own, spoken over plain HTTP because the demo has no TLS.
set -euo pipefail
: "${TS_LOGIN_SERVER:?set TS_LOGIN_SERVER}" "${TS_AUTHKEY_FILE:?set TS_AUTHKEY_FILE}"
export TS_NO_LOGS_NO_SUPPORT=1 TS_DISABLE_PORTMAPPER=1 TS_DEBUG_USE_DERP_HTTP=1
tailscaled --state=/var/lib/tailscale/tailscaled.state --socket=/var/run/tailscale/tailscaled.sock \
  --port=41641 &
daemon=$!
trap 'kill -TERM "$daemon"; wait "$daemon"' TERM INT
for _ in $(seq 100); do
  tailscale status --json >/dev/null 2>&1 && break
  sleep 0.1
done
tailscale up --login-server="$TS_LOGIN_SERVER" --auth-key="file:$TS_AUTHKEY_FILE" \
  --hostname="${TS_HOSTNAME:-$(hostname)}" --accept-dns=false --netfilter-mode=off \
  ${TS_EXTRA_ARGS:-}
wait "$daemon"
