#!/usr/bin/env python3
"""Steady-state figures from the logs that scripts/master-scale.sh and bench/master-scale/locust-master.sh keep.

    python3 bench/master-scale/steady.py KEEP_DIR [SKIP_SECONDS]

For each KEEP_DIR/nN/: the master's CPU (user+sys per wall second, 100 % = one core) over the steady part of
the run phase, from SKIP_SECONDS (default 10) after "Sending spawn jobs" to 1 s before the stop line
("stopping test" for SwiftLocust's master, "--run-time limit reached" for Locust's), with the median and the
largest 1-second sample in it; the machine's CPU that went to other processes over the same span ("others");
stats reports per second (the simulator's reports over its wall time); peak RSS.
"""

import os
import re
import statistics
import sys
from datetime import datetime

TICKS = os.sysconf("SC_CLK_TCK")
STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d+)\]")


def log_time(path, needle):
    with open(path, errors="replace") as log:
        for line in log:
            if needle in line:
                match = STAMP.match(line)
                if match:
                    return datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").timestamp() + int(match.group(2)) / 1000
    return None


def main():
    keep = sys.argv[1]
    skip = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    print(f"{'slaves':>6} {'steady s':>8} {'CPU mean':>8} {'median 1s':>9} {'max 1s':>7} {'others':>7} {'reports/s':>9} {'HWM MB':>7}")
    dirs = sorted((d for d in os.listdir(keep) if re.fullmatch(r"n\d+", d)), key=lambda d: int(d[1:]))
    for name in dirs:
        d = os.path.join(keep, name)
        log = os.path.join(d, "master.log")
        ramp = log_time(log, "Sending spawn jobs")
        stop = log_time(log, "stopping test") or log_time(log, "run-time limit reached")
        rows = []
        with open(os.path.join(d, "samples")) as samples:
            for line in samples:
                f = line.split()
                if len(f) < 8:
                    continue
                rows.append((float(f[0]), (int(f[1]) + int(f[2])) / TICKS, int(f[4]), int(f[6]) / TICKS, int(f[7]) / TICKS))
        hwm = max(r[2] for r in rows) / 1024
        if ramp is None or stop is None:
            print(f"{name[1:]:>6} (no run phase in the log)")
            continue
        span = [r for r in rows if ramp + skip <= r[0] <= stop - 1]
        if len(span) < 3:
            print(f"{name[1:]:>6} (run phase too short)")
            continue
        wall = span[-1][0] - span[0][0]
        cpu = (span[-1][1] - span[0][1]) / wall
        per_second = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(span, span[1:])]
        others = ((span[-1][4] - span[0][4]) - (span[-1][1] - span[0][1]) - (span[-1][3] - span[0][3])) / wall
        reports = rate = None
        with open(os.path.join(d, "sim.out"), errors="replace") as out:
            text = out.read()
        m = re.search(r"^stats reports sent: (\d+)", text, re.M)
        w = re.search(r"^simulator CPU: .* over ([0-9.]+) s", text, re.M)
        if m and w:
            reports = int(m.group(1))
            rate = reports / float(w.group(1))
        print(
            f"{name[1:]:>6} {wall:8.0f} {100 * cpu:7.1f}% {100 * statistics.median(per_second):8.1f}% {100 * max(per_second):6.0f}%"
            f" {100 * others:6.0f}% {rate if rate is None else round(rate):>9} {hwm:7.1f}"
        )


if __name__ == "__main__":
    main()
