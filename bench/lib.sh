# bench/lib.sh: set-up shared by bench/probe-counts.sh and bench/instructions.sh (sourced, from the
# repository's root, with `work` set to a temporary directory).

# Starts the benchmark's nginx (bench.py's configuration, pinned to core 1) in the background; sets `url`
# and `nginx_pid` (stop it with stop_bench_nginx), and builds curl_floor into $work.
start_bench_nginx() {
    python3 -c 'import sys, pathlib, time; sys.path.insert(0, "bench"); import bench; n = bench.Nginx(pathlib.Path(sys.argv[1])); print(n.url, n.proc.pid, flush=True); time.sleep(3600)' \
        "$work" > "$work/nginx-url" 2>/dev/null &
    nginx_pid=$!
    for _ in $(seq 300); do [ -s "$work/nginx-url" ] && break; sleep 0.1; done
    [ -s "$work/nginx-url" ] || { echo "$(basename "$0"): nginx did not start" >&2; exit 1; }
    url=$(cut -d' ' -f1 "$work/nginx-url")
    cc -O2 -o "$work/curl_floor" bench/curl_floor.c -lcurl
}

# Stops what start_bench_nginx started (the Python parent and its nginx).
stop_bench_nginx() {
    if [ -n "${nginx_pid:-}" ]; then
        pkill -P "$nginx_pid" 2>/dev/null || true
        kill "$nginx_pid" 2>/dev/null || true
    fi
}
