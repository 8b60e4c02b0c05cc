#!/usr/bin/env bash
# Locust's own master (Locust 2.47, Python) against N simulated slaves (`locust-slave-sim`), measured as
# scripts/master-scale.sh measures SwiftLocust's: the master's user+sys CPU from /proc/PID/stat once a
# second over the run phase ("Sending spawn jobs" .. "--run-time limit reached"), its peak RSS (VmHWM),
# the workers it marked missing, and the requests in its CSV summary (PREFIX_stats.csv, Aggregated) beside
# the synthetic requests the simulated slaves reported. The master runs bench/master-scale/locustfile.py,
# whose user classes are the plugin's (the simulator announces the plugin's classes); it dispatches the
# users and sends every simulated slave a `spawn`, which the simulator answers, and merges Locust's part
# of each `stats` report (our exact snapshot, in a `swiftlocust` key, it ignores).
#
#   bench/master-scale/locust-master.sh [N ...]          # default: 100 300 1000
#
# Environment: LOCUST_PY (default .venv-bench/bin/locust; `make bench-deps` installs it), LOCUSTFILE
# (default bench/master-scale/locustfile.py), SIM_BIN (default .build/release/locust-slave-sim), PLUGIN
# (default Plugins/TestTargets/.build/release/libTestTargets.so), RUN_TIME (default 40s), NAMES (default
# 50), USERS_PER_SLAVE (default 10), RPS_PER_USER (default 1), PORT (default 28557), MAX_WAIT (seconds the
# master may run beyond -t before it is stopped; default 300), KEEP (a directory for the logs, kept).
#
# As in scripts/master-scale.sh, the master is pinned to core 1 and the simulator and the sampler to
# core 0 when there are 2 cores or more.
set -euo pipefail
cd "$(dirname "$0")/../.."

LOCUST_PY=${LOCUST_PY:-.venv-bench/bin/locust}
LOCUSTFILE=${LOCUSTFILE:-bench/master-scale/locustfile.py}
SIM_BIN=${SIM_BIN:-.build/release/locust-slave-sim}
PLUGIN=${PLUGIN:-Plugins/TestTargets/.build/release/libTestTargets.so}
RUN_TIME=${RUN_TIME:-40s}
NAMES=${NAMES:-50}
USERS_PER_SLAVE=${USERS_PER_SLAVE:-10}
RPS_PER_USER=${RPS_PER_USER:-1}
PORT=${PORT:-28557}
MAX_WAIT=${MAX_WAIT:-300}
COUNTS=("$@")
((${#COUNTS[@]})) || COUNTS=(100 300 1000)

for file in "$LOCUST_PY" "$LOCUSTFILE" "$SIM_BIN" "$PLUGIN"; do
    [[ -e $file ]] || { echo "locust-master: $file is missing (make bench-deps; swift build -c release --product locust-slave-sim; make build)" >&2; exit 1; }
done

largest=0
for n in "${COUNTS[@]}"; do ((n > largest)) && largest=$n; done
needed=$((largest + 256))
soft=$(ulimit -Sn)
if [[ $soft != unlimited ]] && ((soft < needed)); then ulimit -Sn "$needed"; fi

if (($(nproc) >= 2)) && command -v taskset >/dev/null; then
    MASTER_PIN=(taskset -c 1)
    SIM_PIN=(taskset -c 0)
    pinning="master on core 1, simulator on core 0"
else
    MASTER_PIN=()
    SIM_PIN=()
    pinning="not pinned"
fi
TICKS=$(getconf CLK_TCK)
run_seconds=$(echo "$RUN_TIME" | sed -E 's/s$//')
[[ $run_seconds =~ ^[0-9]+$ ]] || { echo "locust-master: RUN_TIME must be whole seconds like 40s" >&2; exit 1; }

work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
master_pid=""
sim_pid=""
sampler_pid=""
cleanup() {
    for pid in $sampler_pid $sim_pid $master_pid; do kill -TERM "$pid" 2>/dev/null || true; done
    [[ -n ${KEEP:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

log_time() {
    local stamp
    stamp=$(grep -m1 -- "$2" "$1" | sed -E 's/^\[([0-9-]+ [0-9:]+),([0-9]+)\].*/\1.\2/') || true
    [[ -n $stamp ]] && date -d "$stamp" +%s.%N || echo ""
}

echo "locust-master: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), $pinning"
echo "locust-master: $("$LOCUST_PY" --version 2>&1 | head -1); $SIM_BIN, $PLUGIN; -t $RUN_TIME, $USERS_PER_SLAVE users and $NAMES request names per slave, $RPS_PER_USER req/s per user; ulimit -n $(ulimit -Sn); logs in $work"

rows=()
for n in "${COUNTS[@]}"; do
    dir="$work/n$n"
    mkdir -p "$dir"
    users=$((n * USERS_PER_SLAVE))
    port=$((PORT + n % 1000))
    master_cmd=("${MASTER_PIN[@]}" "$LOCUST_PY" -f "$LOCUSTFILE" --master --headless -u "$users" -r "$users" -t "$RUN_TIME"
        --expect-workers "$n" --expect-workers-max-wait 120 --master-bind-host 127.0.0.1 --master-bind-port "$port"
        --host http://127.0.0.1:9 --only-summary --csv "$dir/locust")
    sim_cmd=("${SIM_PIN[@]}" "$SIM_BIN" --plugin "$PLUGIN" --slaves "$n" --master-host 127.0.0.1 --master-port "$port"
        --names "$NAMES" --rps-per-user "$RPS_PER_USER" --duration $((run_seconds + MAX_WAIT))s)
    echo "${master_cmd[*]}" >"$dir/commands"
    echo "${sim_cmd[*]}" >>"$dir/commands"

    "${master_cmd[@]}" >"$dir/master.out" 2>"$dir/master.log" </dev/null &
    master_pid=$!
    rm -f "$dir/sim.pid"
    (
        while [[ -r /proc/$master_pid/stat ]]; do
            now=$(date +%s.%N)
            stat=$(cat "/proc/$master_pid/stat" 2>/dev/null) || break
            status=$(cat "/proc/$master_pid/status" 2>/dev/null) || break
            fields=(${stat##*) })
            rss=$(awk '/^VmRSS:/ {print $2}' <<<"$status")
            hwm=$(awk '/^VmHWM:/ {print $2}' <<<"$status")
            threads=$(awk '/^Threads:/ {print $2}' <<<"$status")
            sim=0
            if [[ -r $dir/sim.pid ]] && simstat=$(cat "/proc/$(cat "$dir/sim.pid")/stat" 2>/dev/null); then
                simfields=(${simstat##*) })
                sim=$((simfields[11] + simfields[12]))
            fi
            busy=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
            echo "$now ${fields[11]} ${fields[12]} $rss $hwm $threads $sim $busy"
            sleep 1
        done
    ) >"$dir/samples" &
    sampler_pid=$!
    [[ ${#SIM_PIN[@]} -gt 0 ]] && taskset -pc 0 "$sampler_pid" >/dev/null 2>&1 || true
    # Python's start (imports) takes a second or two; the simulator retries refused connections.
    sleep 0.5
    "${sim_cmd[@]}" >"$dir/sim.out" 2>&1 </dev/null &
    sim_pid=$!
    echo "$sim_pid" >"$dir/sim.pid"

    deadline=$((SECONDS + run_seconds + MAX_WAIT))
    while kill -0 "$master_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
    killed=""
    if kill -0 "$master_pid" 2>/dev/null; then
        killed=" (stopped with SIGTERM after ${MAX_WAIT} s beyond -t)"
        kill -TERM "$master_pid" 2>/dev/null || true
        sleep 5
        kill -KILL "$master_pid" 2>/dev/null || true
    fi
    master_status=0
    wait "$master_pid" || master_status=$?
    master_pid=""
    # A Locust master that quits sends `quit`: the simulator ends with it; if it does not, stop it.
    for _ in $(seq 30); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 1; done
    kill -TERM "$sim_pid" 2>/dev/null || true
    sim_status=0
    wait "$sim_pid" || sim_status=$?
    sim_pid=""
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""

    start=$(awk 'NR == 1 {print $1}' "$dir/samples")
    ramp=$(log_time "$dir/master.log" "Sending spawn jobs")
    spawned=$(log_time "$dir/master.log" "All users spawned")
    stop=$(log_time "$dir/master.log" "run-time limit reached")
    [[ -n $ramp && -n $stop ]] || echo "locust-master: N=$n: the master never started or never stopped the run; see $dir" >&2
    read -r run_cpu busiest connect_cpu hwm threads others <<<"$(awk -v ramp="${ramp:-0}" -v stop="${stop:-0}" -v ticks="$TICKS" '
        NF < 8 { next }
        { t[NR] = $1; c[NR] = ($2 + $3) / ticks; s[NR] = $7 / ticks; b[NR] = $8 / ticks; if ($5 > hwm) hwm = $5; if ($6 > th) th = $6 }
        $1 <= ramp { before = NR }
        $1 >= ramp && $1 <= stop { if (!first) first = NR; last = NR }
        END {
            run = (first && last > first) ? (c[last] - c[first]) / (t[last] - t[first]) : 0
            for (i = first + 1; i <= last; i++) { r = (c[i] - c[i-1]) / (t[i] - t[i-1]); if (r > peak) peak = r }
            dt = (first && last > first) ? t[last] - t[first] : 1
            others = (first && last > first) ? ((b[last] - b[first]) - (c[last] - c[first]) - (s[last] - s[first])) / dt : 0
            printf "%.3f %.3f %.2f %d %d %.3f\n", run, peak, (before ? c[before] : 0), hwm, th, others
        }' "$dir/samples")"

    accepted=$(sed -nE 's/^slaves: [0-9]+, connected [0-9]+, accepted ([0-9]+).*/\1/p' "$dir/sim.out")
    reports=$(sed -nE 's/^stats reports sent: ([0-9]+) \(([0-9]+) synthetic.*/\1/p' "$dir/sim.out")
    sent_requests=$(sed -nE 's/^stats reports sent: ([0-9]+) \(([0-9]+) synthetic.*/\2/p' "$dir/sim.out")
    sim_cpu=$(sed -nE 's/^simulator CPU: ([0-9.]+) s .* over ([0-9.]+) s/\1 \2/p' "$dir/sim.out")
    spawns=$(sed -nE 's/^orders: spawn ([0-9]+).*/\1/p' "$dir/sim.out")
    merged_requests=$(awk -F, '$2 == "Aggregated" || $2 == "\"Aggregated\"" {print $3; exit}' "$dir/locust_stats.csv" 2>/dev/null | tr -d '"')
    missing=$(grep -c "setting state to missing" "$dir/master.log" || true)
    healed=$(grep -c "self-healed with heartbeat" "$dir/master.log" || true)
    cpu_warnings=$(grep -c "CPU usage above" "$dir/master.log" || true)
    errors=$(grep -c "/ERROR/" "$dir/master.log" || true)
    spawn_s=$([[ -n $ramp && -n $spawned ]] && awk -v a="$ramp" -v b="$spawned" 'BEGIN { printf "%.1fs", b - a }' || echo "-")
    drain_s=$([[ -n $stop ]] && awk -v b="$stop" '{ last = $1 } END { printf "%.0fs", last - b }' "$dir/samples" || echo "-")
    rate=$(awk -v r="${reports:-0}" -v w="${sim_cpu#* }" 'BEGIN { if (w > 0) printf "%.0f", r / w; else print "?" }')
    rows+=("$(printf '%6d %7d %9s %8s %9s %18s %10s %9s %9s %8s %7s %6s %5s %6s %8s %8s %8s %7s' \
        "$n" "$users" "${accepted:-?}/$n" "${reports:-?}" "$rate" "${merged_requests:-?}/${sent_requests:-?}" \
        "$(awk -v x="$run_cpu" 'BEGIN { printf "%.1f%%", 100 * x }')" \
        "$(awk -v x="$busiest" 'BEGIN { printf "%.0f%%", 100 * x }')" \
        "$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$missing" "$healed" "$cpu_warnings" "$errors" "${spawns:-?}" "$spawn_s" "$drain_s" \
        "$(awk -v s="${sim_cpu% *}" -v w="${sim_cpu#* }" 'BEGIN { if (w > 0) printf "%.0f%%", 100 * s / w; else print "?" }')" \
        "$(awk -v x="$others" 'BEGIN { printf "%.0f%%", 100 * x }')")")
    echo "N=$n: master exit $master_status$killed, simulator exit $sim_status; master threads $threads; missing $missing, self-healed $healed, CPU warnings $cpu_warnings, ERROR lines $errors"
done

echo
printf '%6s %7s %9s %8s %9s %18s %10s %9s %9s %8s %7s %6s %5s %6s %8s %8s %8s %7s\n' \
    slaves users accepted reports reports/s "reqs in/out" "CPU/s run" busiest "HWM MB" missing healed cpuwarn errs spawns spawned "stop→exit" "sim CPU" others
for row in "${rows[@]}"; do echo "$row"; done
cat <<'EOF'

reports: stats reports the simulated slaves sent; reports/s: per wall second of the simulator's life; reqs in/out:
the Aggregated request count of the master's PREFIX_stats.csv / synthetic requests the slaves reported;
CPU/s run: the master's user+sys CPU seconds per wall second between "Sending spawn jobs" and "--run-time limit
reached" (100% = one core); busiest: its busiest 1-second sample; HWM MB: peak RSS; missing: "failed to send
heartbeat, setting state to missing"; healed: "self-healed with heartbeat"; cpuwarn: the master's own "CPU usage
above 90%" warnings; errs: ERROR log lines; spawns: spawn orders the slaves received; spawned: "Sending spawn jobs"
→ "All users spawned"; stop→exit: run-time limit to the master's exit; others: CPU other processes took.
EOF
