#!/usr/bin/env bash
# instructions.sh: user-space instructions per request (valgrind's callgrind) of curl_floor and SwiftLocust,
# 50 users/connections with no wait against the benchmark's nginx, by library.
#
# CPU time per request moves by 10-30 % from run to run on a shared machine; instruction counts move by
# about 1 %. Each tool runs for 2 s and for 6 s under callgrind and the difference of the two is divided by
# the difference of their requests, so start-up and shutdown cancel out. Kernel time is not counted
# (about half of a request's CPU here, the same for both: see docs/BENCHMARKS.md).
#
#   bash bench/instructions.sh [PATH]     PATH: / (about 100 B, default) or /64k
#
# Needs the release build, the Bench plugin (`make build`) and a valgrind that runs Swift programs
# (bench/valgrind/build.sh builds one on first use). LOCUST_BIN and BENCH_PLUGIN name another build.
# Per-second work (the statistics history) runs about 35 times slower under valgrind and so weighs more
# per request than in real runs; it shows under `locust` in the breakdown. On /64k the copy of the body
# into the response (the floor discards it) is a `rep movsb` that valgrind counts byte by byte: there
# the count overstates SwiftLocust's cost, which CPU time (`make bench`) measures.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
path=${1:-/}
class=NoWaitUser; [ "$path" = /64k ] && class=BigUser
locust_bin=${LOCUST_BIN:-.build/release/locust}
plugin=${BENCH_PLUGIN:-Plugins/Bench/.build/release/libBench.so}
valgrind=$(bash bench/valgrind/build.sh)
work=$(mktemp -d)
cleanup() {
    stop_bench_nginx
    rm -rf "$work"
}
trap cleanup EXIT

# Debug info stripped: callgrind only needs symbols, and its DWARF reader is slow on Swift's.
mkdir -p "$work/bin" "$work/lib"
strip --strip-debug -o "$work/bin/locust" "$locust_bin"
strip --strip-debug -o "$work/bin/libLocustAPI.so" "$(dirname "$locust_bin")/libLocustAPI.so"
strip --strip-debug -o "$work/bin/plugin.so" "$plugin"
for lib in $(ldd "$locust_bin" | awk '$3 ~ /swift/ {print $3}'); do
    strip --strip-debug -o "$work/lib/$(basename "$lib")" "$lib"
done

start_bench_nginx

for seconds in 2 6; do
    taskset -c 0 "$valgrind" --tool=callgrind --callgrind-out-file="$work/floor$seconds.cg" \
        "$work/curl_floor" "$url$path" 50 "$seconds" > "$work/floor$seconds.out" 2> "$work/floor$seconds.vg"
    LD_LIBRARY_PATH="$work/bin:$work/lib" LOCUST_ENGINE_THREADS=1 taskset -c 0 "$valgrind" --tool=callgrind \
        --callgrind-out-file="$work/ours$seconds.cg" "$work/bin/locust" -f "$work/bin/plugin.so" --host "$url" \
        --headless -u 50 -r 1000 -t "${seconds}s" --only-summary --csv "$work/ours$seconds" "$class" \
        > /dev/null 2> "$work/ours$seconds.vg"
done
python3 - "$work" "$(dirname "$valgrind")/callgrind_annotate" <<'PY'
import collections, csv, re, subprocess, sys
work, annotate = sys.argv[1], sys.argv[2]
def floor_requests(s): return int(open(f"{work}/floor{s}.out").read().split()[1])
def ours_requests(s):
    rows = csv.DictReader(open(f"{work}/ours{s}_stats.csv"))
    return int(next(r for r in rows if r["Name"] == "Aggregated")["Request Count"])
def by_library(cg):
    out = subprocess.run([annotate, "--threshold=100", cg], capture_output=True, text=True, check=True).stdout
    libs = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(.*?)(?:\[([^\]]*)\])?\s*$", line)
        if m and "PROGRAM TOTALS" not in line:
            lib = (m.group(3) or "(unknown object)").split("/")[-1]
            lib = {"curl_floor": "(the program)", "locust": "locust (runner, statistics)", "plugin.so": "Bench plugin"}.get(lib, lib)
            libs[lib] += int(m.group(1).replace(",", ""))
    return libs
per_request = {}
for tool, requests in (("floor", floor_requests), ("ours", ours_requests)):
    a, b = by_library(f"{work}/{tool}2.cg"), by_library(f"{work}/{tool}6.cg")
    n = requests(6) - requests(2)
    per_request[tool] = {k: (b[k] - a[k]) / n for k in set(a) | set(b)}
    per_request[tool + "_n"] = n
F, O = per_request["floor"], per_request["ours"]
print(f"instructions per request (6 s run minus 2 s run under callgrind: {per_request['floor_n']} floor requests, "
      f"{per_request['ours_n']} SwiftLocust requests)")
print(f"{'':32} {'floor':>9} {'SwiftLocust':>12}")
for lib in sorted(set(F) | set(O), key=lambda k: -max(F.get(k, 0), O.get(k, 0))):
    if abs(F.get(lib, 0)) >= 50 or abs(O.get(lib, 0)) >= 50:
        print(f"{lib:32} {F.get(lib, 0):9,.0f} {O.get(lib, 0):12,.0f}")
tf, to = sum(F.values()), sum(O.values())
print(f"{'total':32} {tf:9,.0f} {to:12,.0f}   SwiftLocust / floor = {to / tf:.3f}")
PY
