#!/usr/bin/env bash
# probe-counts.sh: calls per request into malloc/free, the clock, libcurl and the Swift runtime, for
# curl_floor and for SwiftLocust (50 users, no wait, against the benchmark's nginx).
#
# CPU time per request moves by ±10 % from run to run on a shared machine; call counts do not. They come
# from uprobes (`perf probe`, root), which slow every call down, so the runs are short and the counts are
# taken as the difference of an 8 s and a 2 s run (start-up cancels out). Used to find the work the
# engine does per request beyond libcurl's (docs/BENCHMARKS.md, findings of 2026-11-25).
#
#   bash bench/probe-counts.sh [PATH]     PATH: / (about 100 B, default) or /64k
#
# Needs the release build and the Bench plugin (`make bench` builds them) and perf with uprobes.
# LOCUST_BIN and BENCH_PLUGIN name another build to count (an older commit's, for a comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
path=${1:-/}
class=NoWaitUser; [ "$path" = /64k ] && class=BigUser
locust_bin=${LOCUST_BIN:-.build/release/locust}
plugin=${BENCH_PLUGIN:-Plugins/Bench/.build/release/libBench.so}
work=$(mktemp -d)
swift_lib=$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux
libc=$(ldconfig -p | awk '/libc.so.6 .*x86-64/{print $NF; exit}')
libcurl=$(ldconfig -p | awk '/libcurl.so.4 .*x86-64/{print $NF; exit}')

probes=()
add_probe() {  # add_probe LIBRARY FUNCTION
    local name
    perf probe -q -x "$1" "$2" >/dev/null 2>&1 || true
    name=$(perf probe -l 2>/dev/null | awk -v f="$2" '$1 ~ ":"f"$" {print $1; exit}')
    if [ -n "$name" ]; then probes+=("$name"); else echo "probe-counts: no probe on $2 in $1" >&2; fi
}
cleanup() {
    for p in "${probes[@]}"; do perf probe -q -d "$p" >/dev/null 2>&1 || true; done
    stop_bench_nginx
    rm -rf "$work"
}
trap cleanup EXIT

for f in malloc calloc free clock_gettime; do add_probe "$libc" "$f"; done
for f in curl_easy_setopt curl_easy_getinfo curl_multi_socket_action; do add_probe "$libcurl" "$f"; done
for f in swift_retain swift_release swift_bridgeObjectRetain swift_bridgeObjectRelease swift_beginAccess swift_allocObject; do
    add_probe "$swift_lib/libswiftCore.so" "$f"
done
for f in swift_task_switch swift_task_alloc swift_task_enqueue swift_continuation_init swift_task_addCancellationHandler; do
    add_probe "$swift_lib/libswift_Concurrency.so" "$f"
done
events=$(IFS=,; echo "${probes[*]},raw_syscalls:sys_enter")

start_bench_nginx

for seconds in 2 8; do
    taskset -c 0 perf stat -x, -e "$events" -o "$work/floor$seconds" "$work/curl_floor" "$url$path" 50 "$seconds" > "$work/floor$seconds.out"
    LOCUST_ENGINE_THREADS=1 taskset -c 0 perf stat -x, -e "$events" -o "$work/ours$seconds" \
        "$locust_bin" -f "$plugin" --host "$url" --headless -u 50 -r 50 \
        -t "${seconds}s" --only-summary --csv "$work/ours$seconds" "$class" > /dev/null 2>&1
done
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
def floor_requests(s): return int(open(f"{work}/floor{s}.out").read().split()[1])
def ours_requests(s):
    rows = csv.DictReader(open(f"{work}/ours{s}_stats.csv"))
    return int(next(r for r in rows if r["Name"] == "Aggregated")["Request Count"])
def counts(f):
    out = {}
    for line in open(f):
        p = line.strip().split(",")
        if len(p) > 3 and p[0].replace(".", "").isdigit():
            out[p[2].split(":")[-1]] = float(p[0])
    return out
F2, F8, O2, O8 = (counts(f"{work}/{n}") for n in ("floor2", "floor8", "ours2", "ours8"))
fr, orq = floor_requests(8) - floor_requests(2), ours_requests(8) - ours_requests(2)
print(f"calls per request (8 s run minus 2 s run: {fr} floor requests, {orq} SwiftLocust requests)")
print(f"{'':34} {'floor':>8} {'SwiftLocust':>12}")
for k in sorted(set(F8) | set(O8)):
    f = (F8.get(k, 0) - F2.get(k, 0)) / fr
    o = (O8.get(k, 0) - O2.get(k, 0)) / orq
    print(f"{k:34} {f:8.2f} {o:12.2f}")
PY
