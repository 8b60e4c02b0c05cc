#!/usr/bin/env bash
# `make demo`: starts locust-demo-target on a free port of 127.0.0.1, then a master and two slaves on this
# machine running the Shop example against it for 30 s (50 users, 25/s, `--autostart`): the web UI is live
# at http://127.0.0.1:8089 (WEB_PORT) while it runs and 10 s after. Then the master's summary and the
# server's own request count; every process is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/release}
PLUGIN=${PLUGIN:-Plugins/Shop/.build/release/libShop.so}
for file in "$BIN/locust" "$BIN/locust-demo-target" "$PLUGIN"; do
    [[ -e $file ]] || { echo "demo: $file is missing: run 'make build'" >&2; exit 1; }
done

WEB_PORT=${WEB_PORT:-8089}
work=$(mktemp -d)
server_pid=""
slave_pids=()
stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
stop_server() {
    for pid in "${slave_pids[@]}"; do stop_pid "$pid"; done
    if [[ -n $server_pid ]]; then stop_pid "$server_pid"; fi
    rm -rf "$work"
}
trap stop_server EXIT
trap 'exit 143' TERM
# Ctrl-C reaches locust too, which stops and prints its summary: the script then goes on.
trap ':' INT

# In a session of its own, so that Ctrl-C on the terminal reaches locust but not the server, which must
# still answer GET /stats afterwards. (A background child of a non-interactive shell is no group leader,
# so setsid execs the server in place: $! is the server's PID.)
setsid "$BIN/locust-demo-target" --host 127.0.0.1 --port 0 >"$work/server.out" 2>"$work/server.err" </dev/null &
server_pid=$!

line=""
for _ in $(seq 100); do
    line=$(head -n 1 "$work/server.out" 2>/dev/null || true)
    [[ $line == *"listening on http://"*:* ]] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "demo: the demo target exited:" >&2; cat "$work/server.err" >&2; exit 1; }
    sleep 0.1
done
port=${line##*:}
port=${port//[^0-9]/}
[[ -n $port ]] || { echo "demo: no port in the demo target's first line: '$line'" >&2; exit 1; }
url=http://127.0.0.1:$port
echo "$line"

# A free port for the coordinator (the master binds it; the slaves connect to it).
cluster_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for n in 1 2; do
    "$BIN/locust" -f "$PLUGIN" --slave --master-host 127.0.0.1 --master-port "$cluster_port" --loglevel WARNING \
        >"$work/slave$n.out" 2>"$work/slave$n.err" </dev/null &
    slave_pids+=($!)
done
echo "Web UI: http://127.0.0.1:$WEB_PORT (live while the test runs, 30 s, and 10 s after)"
status=0
"$BIN/locust" -f "$PLUGIN" --master --master-bind-host 127.0.0.1 --master-bind-port "$cluster_port" --expect-slaves 2 \
    --web-host 127.0.0.1 --web-port "$WEB_PORT" --autostart --autoquit 10 \
    --host "$url" -u 50 -r 25 -t 30s --stop-timeout 5 || status=$?

stats=$(curl -s --max-time 5 "$url/stats" || true)
total=$(sed -n 's/^{"requests":\([0-9]*\).*/\1/p' <<<"$stats")
statuses=$(grep -o '"statuses":{[^}]*}' <<<"$stats" || true)
echo
echo "locust-demo-target counted ${total:-?} requests (GET /stats; ${statuses:-no status counts})"
exit "$status"
