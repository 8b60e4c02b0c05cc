# What scripts/master-scale.sh (SwiftLocust's master) and bench/master-scale/locust-master.sh (Locust's)
# share: the file-descriptor limit, the pinning, the work directory, the 1-s sampler of the master's
# /proc entries, waiting for the master with a deadline, the CPU summary of the run phase and the
# simulator's own figures. Sourced (not run) from the checkout's root, after the caller has set
# MS_NAME (its name in messages), RUN_TIME, MAX_WAIT and COUNTS.

# Raises the soft limit on open files to what the largest N needs: each slave is one socket in the
# master and one in the simulator, plus a few dozen of their own.
ms_raise_fd_limit() {
    local largest=0 n needed soft hard
    for n in "${COUNTS[@]}"; do ((n > largest)) && largest=$n; done
    needed=$((largest + 256))
    soft=$(ulimit -Sn)
    hard=$(ulimit -Hn)
    if [[ $soft != unlimited ]] && ((soft < needed)); then
        if [[ $hard == unlimited ]] || ((hard >= needed)); then
            ulimit -Sn "$needed"
        else
            echo "$MS_NAME: $largest slaves need about $needed file descriptors, the hard limit is $hard" >&2
            exit 1
        fi
    fi
}

# The master on core 1, the simulator and the sampler on core 0, when there are 2 cores and taskset.
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

# RUN_TIME as whole seconds.
ms_run_seconds() {
    run_seconds=$(echo "$RUN_TIME" | sed -E 's/s$//')
    [[ $run_seconds =~ ^[0-9]+$ ]] || { echo "$MS_NAME: RUN_TIME must be whole seconds like 40s" >&2; exit 1; }
}

# The work directory (KEEP, or a temporary one removed at exit) and the cleanup of the processes.
ms_work_dir() {
    work=${KEEP:-$(mktemp -d)}
    mkdir -p "$work"
    master_pid=""
    sim_pid=""
    sampler_pid=""
    trap ms_cleanup EXIT
    trap 'exit 143' TERM INT
}

ms_cleanup() {
    local pid
    for pid in $sampler_pid $sim_pid $master_pid; do kill -TERM "$pid" 2>/dev/null || true; done
    [[ -n ${KEEP:-} ]] || rm -rf "$work"
}

# Epoch seconds (with fraction) of the first line of log $1 matching $2, from its "[YYYY-MM-DD HH:MM:SS,mmm]"
# stamp (both masters write it); empty when no line matches.
log_time() {
    local stamp
    stamp=$(grep -m1 -- "$2" "$1" | sed -E 's/^\[([0-9-]+ [0-9:]+),([0-9]+)\].*/\1.\2/') || true
    [[ -n $stamp ]] && date -d "$stamp" +%s.%N || echo ""
}

# Samples the master ($master_pid) once a second into $1/samples: wall time, utime, stime (ticks), VmRSS,
# VmHWM (kB), threads; then the simulator's utime+stime (its PID from $1/sim.pid once written) and the
# whole machine's busy ticks (all cores), to tell how much CPU other processes took meanwhile.
ms_start_sampler() {
    local dir=$1
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
}

# Starts the simulator ("${sim_cmd[@]}") half a second after the master, logging to $1/sim.out.
ms_start_simulator() {
    local dir=$1
    # The simulator retries refused connections while the master starts.
    sleep 0.5
    "${sim_cmd[@]}" >"$dir/sim.out" 2>&1 </dev/null &
    sim_pid=$!
    echo "$sim_pid" >"$dir/sim.pid"
}

# Waits for the master to exit, at most MAX_WAIT seconds beyond the run time, then stops it (SIGTERM,
# SIGKILL 5 s later). Sets master_status and killed.
ms_wait_for_master() {
    local deadline=$((SECONDS + run_seconds + MAX_WAIT))
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
}

# Waits for the simulator (stopped with SIGTERM after $1 seconds, default 0 = no limit) and the sampler.
# Sets sim_status.
ms_wait_for_simulator() {
    local limit=${1:-0}
    if ((limit > 0)); then
        for _ in $(seq "$limit"); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 1; done
        kill -TERM "$sim_pid" 2>/dev/null || true
    fi
    sim_status=0
    wait "$sim_pid" || sim_status=$?
    sim_pid=""
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""
}

# The master's CPU per second over the run phase (first sample at or after $2, the ramp, to the last at
# or before $3, the stop), its busiest single second, the CPU it used before the ramp, its peak RSS and
# threads, and the other processes' CPU per second meanwhile: "run busiest connect hwm threads others".
ms_cpu_summary() {
    awk -v ramp="${2:-0}" -v stop="${3:-0}" -v ticks="$TICKS" '
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
        }' "$1/samples"
}

# The simulator's own figures from $1/sim.out: accepted, reports, sent_requests, sim_cpu ("CPU wall").
ms_simulator_results() {
    accepted=$(sed -nE 's/^slaves: [0-9]+, connected [0-9]+, accepted ([0-9]+).*/\1/p' "$1/sim.out")
    reports=$(sed -nE 's/^stats reports sent: ([0-9]+) \(([0-9]+) synthetic.*/\1/p' "$1/sim.out")
    sent_requests=$(sed -nE 's/^stats reports sent: ([0-9]+) \(([0-9]+) synthetic.*/\2/p' "$1/sim.out")
    sim_cpu=$(sed -nE 's/^simulator CPU: ([0-9.]+) s .* over ([0-9.]+) s/\1 \2/p' "$1/sim.out")
}

# A fraction as a percentage with $2 decimals (default 1).
ms_percent() { awk -v x="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f%%", d, 100 * x }'; }

# The simulator's CPU per wall second, as a percentage.
ms_simulator_percent() {
    awk -v s="${sim_cpu% *}" -v w="${sim_cpu#* }" 'BEGIN { if (w > 0) printf "%.0f%%", 100 * s / w; else print "?" }'
}
