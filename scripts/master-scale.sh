#!/usr/bin/env bash
# Master scale: a headless master (the real `locust --master`) against N simulated slaves
# (`locust-slave-sim`, one process), for N = 100, 500, 1000 by default. Measures the master's CPU
# (user+sys from /proc/PID/stat, per second of the run phase) and peak RSS (VmHWM), checks that every
# slave was accepted, that none was marked missing, and that the master's summary counts every
# synthetic request the slaves reported. Prints a table. Both speak Locust 2.x's coordinator wire (ZeroMQ
# ROUTER/DEALER, MessagePack frames); the simulated slaves send a stats delta every second.
#
#   scripts/master-scale.sh [N ...]
#
# Environment: LOCUST_BIN (default .build/release/locust), SIM_BIN (default the newer of
# .build/release/locust-slave-sim and .build-sim/release/locust-slave-sim), PLUGIN (default
# Plugins/TestTargets/.build/release/libTestTargets.so), RUN_TIME (default 40s), NAMES (default 50),
# USERS_PER_SLAVE (default 10), RPS_PER_USER (default 1), PORT (default 27557), MAX_WAIT (seconds a
# master may run beyond -t before it is stopped; default 600), KEEP (a directory for the logs and
# samples, kept; default a temporary directory, removed).
#
# The master is pinned to core 1 and the simulator (and the sampler) to core 0 with taskset when the
# machine has 2 cores or more, so that the master's figures are its own.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCUST_BIN=${LOCUST_BIN:-.build/release/locust}
PLUGIN=${PLUGIN:-Plugins/TestTargets/.build/release/libTestTargets.so}
RUN_TIME=${RUN_TIME:-40s}
NAMES=${NAMES:-50}
USERS_PER_SLAVE=${USERS_PER_SLAVE:-10}
RPS_PER_USER=${RPS_PER_USER:-1}
PORT=${PORT:-27557}
# Seconds a master may take beyond its run time (waiting for slaves, stopping, draining) before it
# is stopped with SIGTERM, then SIGKILL.
MAX_WAIT=${MAX_WAIT:-600}
COUNTS=("$@")
((${#COUNTS[@]})) || COUNTS=(100 500 1000)

if [[ -z ${SIM_BIN:-} ]]; then
    for candidate in .build/release/locust-slave-sim .build-sim/release/locust-slave-sim; do
        [[ -x $candidate ]] || continue
        if [[ -z ${SIM_BIN:-} || $candidate -nt $SIM_BIN ]]; then SIM_BIN=$candidate; fi
    done
fi
for file in "$LOCUST_BIN" "${SIM_BIN:-.build/release/locust-slave-sim}" "$PLUGIN"; do
    [[ -e $file ]] || {
        echo "master-scale: $file is missing: run 'swift build -c release' (locust, locust-slave-sim) and 'make build' (the plugin)" >&2
        exit 1
    }
done

MS_NAME=master-scale
source bench/master-scale/common.sh
ms_raise_fd_limit
ms_run_seconds
ms_work_dir

echo "master-scale: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), $pinning"
echo "master-scale: $LOCUST_BIN, $SIM_BIN, $PLUGIN; -t $RUN_TIME, $USERS_PER_SLAVE users and $NAMES request names per slave, $RPS_PER_USER req/s per user; ulimit -n $(ulimit -Sn); logs in $work"

rows=()
for n in "${COUNTS[@]}"; do
    dir="$work/n$n"
    mkdir -p "$dir"
    users=$((n * USERS_PER_SLAVE))
    port=$((PORT + n % 1000))
    master_cmd=("${MASTER_PIN[@]}" "$LOCUST_BIN" -f "$PLUGIN" --master --headless -u "$users" -r "$users" -t "$RUN_TIME"
        --expect-slaves "$n" --expect-slaves-max-wait 120s --master-bind-host 127.0.0.1 --master-bind-port "$port"
        --host http://127.0.0.1:9 --only-summary)
    sim_cmd=("${SIM_PIN[@]}" "$SIM_BIN" --plugin "$PLUGIN" --slaves "$n" --master-host 127.0.0.1 --master-port "$port"
        --names "$NAMES" --rps-per-user "$RPS_PER_USER" --duration $((run_seconds + MAX_WAIT))s)
    echo "${master_cmd[*]}" >"$dir/commands"
    echo "${sim_cmd[*]}" >>"$dir/commands"

    load_before=$(cut -d' ' -f1 /proc/loadavg)
    # taskset execs the program: $! is the master itself.
    "${master_cmd[@]}" >"$dir/master.out" 2>"$dir/master.log" </dev/null &
    master_pid=$!
    ms_start_sampler "$dir"
    ms_start_simulator "$dir"
    ms_wait_for_master
    ms_wait_for_simulator

    start=$(awk 'NR == 1 {print $1}' "$dir/samples")
    ramp=$(log_time "$dir/master.log" "Sending spawn jobs")
    stop=$(log_time "$dir/master.log" "stopping test")
    [[ -n $ramp && -n $stop ]] || { echo "master-scale: N=$n: the master never started or never stopped the run; see $dir" >&2; }
    # CPU per second over the run phase (first sample after "Sending spawn jobs" .. last before "stopping test"),
    # the busiest single second in it, the connect phase's CPU, and the peak RSS.
    read -r run_cpu busiest connect_cpu hwm threads others <<<"$(ms_cpu_summary "$dir" "$ramp" "$stop")"

    ms_simulator_results "$dir"
    frame=$(sed -nE "s/.*slave 0's last stats payload [0-9]+ bytes, largest ([0-9]+) bytes.*/\1/p" "$dir/sim.out")
    merged_requests=$(awk '$1 == "Aggregated" {print $2; exit}' "$dir/master.out")
    missing=$(grep -c "setting state to missing" "$dir/master.log" || true)
    back=$(grep -c " is back" "$dir/master.log" || true)
    late=$(grep -c "No 'client_stopped' from" "$dir/master.log" || true)
    # Slaves that left on a closed connection before the master's quit (the master logs no other end).
    closed=$(grep -c " left (disconnected)" "$dir/master.log" || true)
    connect_s=$(awk -v a="$start" -v b="${ramp:-0}" 'BEGIN { printf "%.1f", b - a }')
    # From "stopping test" to the master's exit (its last sample): the stop, the summary and the drain.
    drain_s=$(awk -v b="${stop:-0}" '{ last = $1 } END { printf "%.0f", last - b }' "$dir/samples")
    rows+=("$(printf '%6d %7d %9s %8s %16s %10s %9s %10s %9s %7s %7s %8s %8s %8s %7s' \
        "$n" "$users" "${accepted:-?}/$n" "${reports:-?}" "${merged_requests:-?}/${sent_requests:-?}" \
        "$(ms_percent "$run_cpu")" "$(ms_percent "$busiest" 0)" \
        "${connect_cpu}s/${connect_s}s" "$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$missing" "$late" "${drain_s}s" "${frame:-?}" \
        "$(ms_simulator_percent)" "$(ms_percent "$others" 0)")")
    echo "N=$n: master exit $master_status$killed, simulator exit $sim_status; load average before $load_before; master threads $threads; missing $missing, back $back, no-client_stopped warnings $late, disconnected slaves $closed"
done

echo
printf '%6s %7s %9s %8s %16s %10s %9s %10s %9s %7s %7s %8s %8s %8s %7s\n' \
    slaves users accepted reports "reqs in/out" "CPU/s run" "busiest" "CPU conn" "HWM MB" missing late "stop→exit" "stats B" "sim CPU" others
for row in "${rows[@]}"; do echo "$row"; done
cat <<'EOF'

slaves: simulated slaves; users: -u (ordered across them); accepted: slaves the master accepted;
reports: stats deltas the slaves sent; reqs in/out: requests in the master's final summary / synthetic
requests the slaves reported (equal: the merge lost nothing); CPU/s run: the master's user+sys CPU
seconds per wall second between "Sending spawn jobs" and "stopping test" (100% = one core); busiest: its busiest
1-second sample; CPU conn: CPU seconds / wall seconds from start until all slaves were connected;
HWM MB: peak RSS (VmHWM); missing: "setting state to missing" warnings; late: "No 'client_stopped'" warnings;
stop→exit: seconds from "stopping test" to the master's exit (stop, summary, draining its backlog);
stats B: slave 0's largest stats payload (MessagePack, without the ZMTP header); sim CPU: the simulator's own CPU per wall second;
others: CPU per wall second that other processes of the machine took during the run phase.
EOF
