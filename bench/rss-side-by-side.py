#!/usr/bin/env python3
"""RSS of several standalone SwiftLocust runs side by side, against one nginx (a memory A/B, not `make soak`).

    python3 bench/rss-side-by-side.py SECONDS USERS NAME=ENV:BINARY [NAME=ENV:BINARY ...]

Each NAME=ENV:BINARY is one headless run of BINARY (a `locust`) with USERS users of TestTargets' `PacedUser`
(one `GET /` per second each, on its own keep-alive connection), spawned at 250/s, for SECONDS; ENV is
`-` (none) or comma-separated K=V added to the environment, e.g.

    python3 bench/rss-side-by-side.py 600 2500 \\
        glibc=-:/tmp/old/locust \\
        jemalloc=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2:/tmp/old/locust

All runs start together against one nginx (scripts/nginx-test.sh), so that a stall of the machine hits
them alike. VmRSS of every run is printed every 30 s; at the end, each run's RSS at 60 s and at its last
sample and the change between them, nginx's count against the sum of the runs' counts. PLUGIN names
another TestTargets build (default Plugins/TestTargets/.build/release/libTestTargets.so).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import clean_env, free_port, proc_status_kib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NGINX = ROOT / "scripts" / "nginx-test.sh"
INTERVAL = 30


def parse(spec: str) -> tuple[str, dict[str, str], str]:
    name, sep, rest = spec.partition("=")
    envs, sep2, binary = rest.rpartition(":")
    if not sep or not sep2 or not name or not binary:
        raise SystemExit(f"rss-side-by-side: {spec!r} is not NAME=ENV:BINARY")
    extra: dict[str, str] = {}
    if envs != "-":
        for pair in envs.split(","):
            key, eq, value = pair.partition("=")
            if not eq:
                raise SystemExit(f"rss-side-by-side: {pair!r} in {spec!r} is not K=V")
            extra[key] = value
    return name, clean_env(**extra), binary


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    seconds, users = int(sys.argv[1]), int(sys.argv[2])
    # A SIGTERM (or a SIGINT that a background job's shell ignores) still stops the runs and nginx below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    runs = [parse(spec) for spec in sys.argv[3:]]
    plugin = os.environ.get("PLUGIN", str(ROOT / "Plugins/TestTargets/.build/release/libTestTargets.so"))
    work = Path(tempfile.mkdtemp(prefix="rss-side-by-side-"))
    port = free_port()
    # nginx closes idle keep-alive connections once fewer than 1/16 of worker_connections are free ("not
    # enough, reusing connections"): the runs would see resets. Leave an eighth free, at least 500.
    connections = users * len(runs)
    nginx_env = dict(os.environ, NGINX_WORKER_CONNECTIONS=str(connections + max(500, connections // 8)))
    subprocess.run([str(NGINX), "start", str(work), str(port)], check=True, env=nginx_env, stdout=subprocess.DEVNULL)
    procs: list[tuple[str, subprocess.Popen]] = []
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name, _, _ in runs}
    try:
        for name, env, binary in runs:
            log = open(work / f"{name}.log", "w")
            procs.append((name, subprocess.Popen(
                [binary, "-f", plugin, "--headless", "-u", str(users), "-r", "250", "-t", f"{seconds}s",
                 "--host", f"http://127.0.0.1:{port}", "--only-summary", "PacedUser"],
                env=env, stdout=log, stderr=subprocess.STDOUT)))
        start = time.monotonic()
        print("t (s) " + " ".join(f"{name:>12}" for name, _ in procs) + "   (VmRSS, MiB)", flush=True)
        while any(p.poll() is None for _, p in procs):
            time.sleep(INTERVAL)
            elapsed = time.monotonic() - start
            row = []
            for name, p in procs:
                kib = proc_status_kib(p.pid, "VmRSS") if p.poll() is None else None
                if kib is not None:
                    samples[name].append((elapsed, kib))
                row.append(f"{kib / 1024:12.1f}" if kib is not None else f"{'-':>12}")
            print(f"{elapsed:5.0f} " + " ".join(row), flush=True)
    finally:
        for _, p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for _, p in procs:
            p.wait()
        subprocess.run([str(NGINX), "stop", str(work)], stdout=subprocess.DEVNULL)
    served = sum(1 for _ in open(work / "access.log"))
    counted = 0
    for name, p in procs:
        text = (work / f"{name}.log").read_text()
        match = re.findall(r"^\s*Aggregated\s+(\d+)\s", text, re.M)
        count = int(match[0]) if match else 0
        counted += count
        ramp_done = [kib for t, kib in samples[name] if t >= 60]
        if ramp_done:
            first, last = ramp_done[0], ramp_done[-1]
            change = 100.0 * (last - first) / first
            print(f"{name}: exit {p.returncode}, {count:,} requests, RSS {first / 1024:.1f} MiB at 60 s -> "
                  f"{last / 1024:.1f} MiB at the end ({change:+.1f} %), max {max(ramp_done) / 1024:.1f} MiB")
        else:
            print(f"{name}: exit {p.returncode}, {count:,} requests, no sample after 60 s")
    print(f"nginx logged {served:,} requests; the runs counted {counted:,} (failures included; "
          f"requests in flight at the stop not)")
    print(f"logs: {work}")
    return 0 if all(p.returncode == 0 for _, p in procs) else 1


if __name__ == "__main__":
    sys.exit(main())
