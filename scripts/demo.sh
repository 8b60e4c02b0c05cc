#!/usr/bin/env bash
# `make demo`: starts locust-demo-target on a free port of 127.0.0.1, runs the Shop example against it
# for 15 s (50 users, 25/s), prints the runner's summary and the server's own request count, and always
# stops the server (by its PID).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/release}
PLUGIN=${PLUGIN:-Plugins/Shop/.build/release/libShop.so}
for file in "$BIN/locust" "$BIN/locust-demo-target" "$PLUGIN"; do
    [[ -e $file ]] || { echo "demo: $file is missing: run 'make build'" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=""
stop_server() {
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
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

status=0
"$BIN/locust" -f "$PLUGIN" --host "$url" --headless -u 50 -r 25 -t 15s --stop-timeout 5 || status=$?

stats=$(curl -s --max-time 5 "$url/stats" || true)
total=$(sed -n 's/^{"requests":\([0-9]*\).*/\1/p' <<<"$stats")
statuses=$(grep -o '"statuses":{[^}]*}' <<<"$stats" || true)
echo
echo "locust-demo-target counted ${total:-?} requests (GET /stats; ${statuses:-no status counts})"
exit "$status"
