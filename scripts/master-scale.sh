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

# Each slave is one socket in the master and one in the simulator, plus a few dozen of their own.
largest=0
for n in "${COUNTS[@]}"; do ((n > largest)) && largest=$n; done
needed=$((largest + 256))
soft=$(ulimit -Sn)
hard=$(ulimit -Hn)
if [[ $soft != unlimited ]] && ((soft < needed)); then
    if [[ $hard == unlimited ]] || ((hard >= needed)); then
        ulimit -Sn "$needed"
    else
        echo "master-scale: $largest slaves need about $needed file descriptors, the hard limit is $hard" >&2
        exit 1
    fi
fi

if (($(nproc) >= 2)) && command -v taskset >/dev/null; then
    MASTER_PIN=(taskset -c 1)
    SIM_PIN=(taskset -c 0)
    pinning="master on core 1, simulator on core 0"
else
    MASTER_PIN=()
    SIM_PIN=()
    pinning="not pinned (fewer than 2 cores or no taskset)"
fi
TICKS=$(getconf CLK_TCK)
run_seconds=$(echo "$RUN_TIME" | sed -E 's/s$//')
[[ $run_seconds =~ ^[0-9]+$ ]] || { echo "master-scale: RUN_TIME must be whole seconds like 40s" >&2; exit 1; }

work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
master_pid=""
sim_pid=""
sampler_pid=""
cleanup() {
    for pid in $sampler_pid $sim_pid $master_pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    [[ -n ${KEEP:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# epoch seconds (with fraction) of a master log line's "[YYYY-MM-DD HH:MM:SS,mmm]" stamp
log_time() {
    local stamp
    stamp=$(grep -m1 -- "$2" "$1" | sed -E 's/^\[([0-9-]+ [0-9:]+),([0-9]+)\].*/\1.\2/') || true
    [[ -n $stamp ]] && date -d "$stamp" +%s.%N || echo ""
}

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
    # Sample the master once a second: wall time, utime, stime (ticks), VmRSS, VmHWM (kB), threads;
    # then the simulator's utime+stime and the whole machine's busy ticks (all cores), to tell how
    # much CPU other processes took meanwhile.
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
            # After "pid (comm) ", utime and stime are the 12th and 13th fields.
            echo "$now ${fields[11]} ${fields[12]} $rss $hwm $threads $sim $busy"
            sleep 1
        done
    ) >"$dir/samples" &
    sampler_pid=$!
    [[ ${#SIM_PIN[@]} -gt 0 ]] && taskset -pc 0 "$sampler_pid" >/dev/null 2>&1 || true
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
    sim_status=0
    wait "$sim_pid" || sim_status=$?
    sim_pid=""
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""

    start=$(awk 'NR == 1 {print $1}' "$dir/samples")
    ramp=$(log_time "$dir/master.log" "Sending spawn jobs")
    stop=$(log_time "$dir/master.log" "stopping test")
    [[ -n $ramp && -n $stop ]] || { echo "master-scale: N=$n: the master never started or never stopped the run; see $dir" >&2; }
    # CPU per second over the run phase (first sample after "Sending spawn jobs" .. last before "stopping test"),
    # the busiest single second in it, the connect phase's CPU, and the peak RSS.
    read -r run_cpu busiest connect_cpu hwm threads others <<<"$(awk -v ramp="${ramp:-0}" -v stop="${stop:-0}" -v ticks="$TICKS" '
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
    frame=$(sed -nE "s/.*slave 0's last stats payload [0-9]+ bytes, largest ([0-9]+) bytes.*/\1/p" "$dir/sim.out")
    sim_cpu=$(sed -nE 's/^simulator CPU: ([0-9.]+) s .* over ([0-9.]+) s/\1 \2/p' "$dir/sim.out")
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
        "$(awk -v x="$run_cpu" 'BEGIN { printf "%.1f%%", 100 * x }')" \
        "$(awk -v x="$busiest" 'BEGIN { printf "%.0f%%", 100 * x }')" \
        "${connect_cpu}s/${connect_s}s" "$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$missing" "$late" "${drain_s}s" "${frame:-?}" \
        "$(awk -v s="${sim_cpu% *}" -v w="${sim_cpu#* }" 'BEGIN { if (w > 0) printf "%.0f%%", 100 * s / w; else print "?" }')" \
        "$(awk -v x="$others" 'BEGIN { printf "%.0f%%", 100 * x }')")")
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
