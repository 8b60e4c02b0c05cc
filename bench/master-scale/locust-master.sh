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

MS_NAME=locust-master
source bench/master-scale/common.sh
ms_raise_fd_limit
ms_run_seconds
ms_work_dir

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
    ms_start_sampler "$dir"
    # Python's start (imports) takes a second or two.
    ms_start_simulator "$dir"
    ms_wait_for_master
    # A Locust master that quits sends `quit`: the simulator ends with it; if it does not, stop it.
    ms_wait_for_simulator 30

    start=$(awk 'NR == 1 {print $1}' "$dir/samples")
    ramp=$(log_time "$dir/master.log" "Sending spawn jobs")
    spawned=$(log_time "$dir/master.log" "All users spawned")
    stop=$(log_time "$dir/master.log" "run-time limit reached")
    [[ -n $ramp && -n $stop ]] || echo "locust-master: N=$n: the master never started or never stopped the run; see $dir" >&2
    read -r run_cpu busiest connect_cpu hwm threads others <<<"$(ms_cpu_summary "$dir" "$ramp" "$stop")"

    ms_simulator_results "$dir"
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
        "$(ms_percent "$run_cpu")" "$(ms_percent "$busiest" 0)" \
        "$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$missing" "$healed" "$cpu_warnings" "$errors" "${spawns:-?}" "$spawn_s" "$drain_s" \
        "$(ms_simulator_percent)" "$(ms_percent "$others" 0)")")
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
