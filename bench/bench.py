#!/usr/bin/env python3
"""SwiftLocust's benchmark suite (`make bench`, `make bench-smoke`).

Runs on 127.0.0.1 against Debian's nginx (one worker, access log off, generated config in a temp
directory, started and stopped by PID, pinned to core 1); every load generator is pinned to core 0.

  1. throughput and CPU per request: 50 connections/users, no wait, ~100 B and 64 KiB responses:
     wrk, bench/curl_floor.c (bare libcurl multi), Locust 2.47 FastHttpUser and HttpUser, this tool
     standalone, this tool as one master + one slave;
  2. many paced users (1 request per second each): achieved req/s (counted by nginx's stub_status)
     against the paced rate, peak RSS (VmHWM) and memory per user;
  3. hatching 10,000 users at 1,000/s: time from `Ramping to` until `All users spawned`;
  4. latency truth: 5 users/connections against locust-demo-target's /slow?ms=50, beside wrk --latency.

    python3 bench/bench.py            # full: 3 repetitions, writes docs/BENCHMARKS.md and docs/benchmarks.png
    python3 bench/bench.py --smoke    # 1 repetition, short runs; fails only when a tool breaks
    python3 bench/bench.py --from-json bench/last-results.json   # only rewrite the report and chart

A full run also saves every run's raw figures to bench/last-results.json. In docs/BENCHMARKS.md only the
part between the generated-part markers is rewritten; other sections there are kept.

Speed targets are reported, never enforced: the exit status is non-zero only when a tool failed to run,
reported failed requests, or produced output that could not be parsed.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("BENCH_BIN", ROOT / ".build" / "release"))
LOCUST_BIN = BIN / "locust"
DEMO_BIN = BIN / "locust-demo-target"
PLUGIN_DIR = ROOT / "Plugins" / "Bench"
PLUGIN = Path(os.environ.get("BENCH_PLUGIN", PLUGIN_DIR / ".build" / "release" / "libBench.so"))
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
FLOOR_SRC = ROOT / "bench" / "curl_floor.c"
DOC = ROOT / "docs" / "BENCHMARKS.md"
CHART = ROOT / "docs" / "benchmarks.png"
MASTER_SCALE_HEADING = "## Master scale: simulated slaves"
LOCUST_PY_VERSION = "2.47.0"

GEN_CORE = 0      # load generators
SERVER_CORE = 1   # nginx, locust-demo-target
CLK_TCK = os.sysconf("SC_CLK_TCK")
SMALL_BODY = 100  # bytes of GET /
BIG_BODY = 65536  # bytes of GET /64k

TOOLS = [  # key, label (section 1, in this order)
    ("wrk", "wrk 4.1 -t1 -c50"),
    ("floor", "bare libcurl multi (curl_floor.c)"),
    ("locust_fast", "Locust 2.47 FastHttpUser"),
    ("locust_http", "Locust 2.47 HttpUser"),
    ("ours", "SwiftLocust standalone"),
    ("cluster", "SwiftLocust master + 1 slave"),
]
SIZES = [("small", "~100 B", "/"), ("big", "64 KiB", "/64k")]
# Section 1 runs the generators of each repetition in this order: the bare libcurl program and SwiftLocust
# back to back, so that their ratio compares runs made within seconds of each other (CPU per request of
# the same binary drifts by 10-30 % over minutes on this shared machine), then the others.
RUN_ORDER = ["floor", "ours", "cluster", "wrk", "locust_fast", "locust_http"]
# Repetitions of the floor/SwiftLocust pair (at least this many, more than the other generators get):
# the target ratio is the median of the per-pair ratios.
PAIR_REPS = 5


class BenchError(Exception):
    """A tool broke: it failed to start, exited with an error, failed requests or printed nonsense."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict:
    """The environment without LOCUST_* settings that would change a run, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")}
    env.update(extra)
    return env


def core_busy() -> dict:
    """Seconds each core spent so far (/proc/stat): `N` busy (all but idle and iowait), `tN` in tasks
    (user + nice + system: what processes are charged; interrupts and softirqs excluded)."""
    busy = {}
    with open("/proc/stat") as f:
        for line in f:
            m = re.match(r"cpu(\d+)\s+(.*)", line)
            if m:
                v = [int(x) for x in m.group(2).split()]
                busy[int(m.group(1))] = (sum(v[:8]) - v[3] - v[4]) / CLK_TCK
                busy[f"t{m.group(1)}"] = (v[0] + v[1] + v[2]) / CLK_TCK
    return busy


def task_seconds(a: dict, b: dict) -> float:
    """Busy time of all cores between two core_busy() samples (softirqs included: on loopback the kernel
    charges much of a process's network work to it as system time, while /proc/stat counts it as softirq)."""
    return sum(b[k] - a[k] for k in b if isinstance(k, int))


def proc_cpu(pid: int) -> float:
    """user + sys seconds of a running process (all its threads), from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime + stime + the reaped children's (wait4's rusage counts those too)
        return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return float("nan")


def proc_status_kib(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Proc:
    """A process this script started (pinned with taskset), its output in files, reaped with wait4."""

    def __init__(self, name: str, argv: list[str], workdir: Path, core: int | None, env: dict | None = None):
        self.name = name
        self.argv = argv
        self.out_path = workdir / f"{name}.out"
        self.err_path = workdir / f"{name}.err"
        full = (["taskset", "-c", str(core)] if core is not None else []) + argv
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.popen = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                          env=env or clean_env(), cwd=workdir)
        self.pid = self.popen.pid
        self.started = time.monotonic()
        self.returncode: int | None = None
        self.cpu: float | None = None        # user + sys over the whole life, from wait4
        self.maxrss_kib: int | None = None   # peak RSS from wait4

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
                self.popen.returncode = self.returncode
                self.cpu = usage.ru_utime + usage.ru_stime
                self.maxrss_kib = usage.ru_maxrss
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise BenchError(f"{self.name} did not exit within {timeout:.0f} s\n{self.tail()}")
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def stop(self, sig: int = signal.SIGTERM, grace: float = 20) -> int:
        """Signals the process by its PID, waits, and kills it if it is still there after `grace` s."""
        if self.poll() is None:
            os.kill(self.pid, sig)
            deadline = time.monotonic() + grace
            while self.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            if self.poll() is None:
                os.kill(self.pid, signal.SIGKILL)
                self.wait(10)
                raise BenchError(f"{self.name} ignored signal {sig} for {grace:.0f} s and was killed\n{self.tail()}")
        return self.returncode  # type: ignore[return-value]

    def kill_quietly(self) -> None:
        try:
            if self.poll() is None:
                os.kill(self.pid, signal.SIGKILL)
                self.wait(10)
        except (OSError, BenchError):
            pass

    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    def tail(self, lines: int = 15) -> str:
        text = (self.stdout() + self.stderr()).strip().splitlines()
        return "\n".join(f"    {self.name}| {line}" for line in text[-lines:])

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        """Waits until stdout or stderr holds `pattern`; fails if the process exits first."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.stderr()) or rx.search(self.stdout())
            if m:
                return m
            if self.poll() is not None:
                raise BenchError(f"{self.name} exited ({self.returncode}) before printing /{pattern}/\n{self.tail()}")
            if time.monotonic() > deadline:
                raise BenchError(f"{self.name} did not print /{pattern}/ within {timeout:.0f} s\n{self.tail()}")
            time.sleep(0.01)

    def command(self) -> str:
        return shlex.join(["taskset", "-c", "N"] + self.argv) if self.argv else ""


def wait_listening(port: int, proc: Proc, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{proc.name} exited ({proc.returncode}) before listening\n{proc.tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{proc.name} is not listening on 127.0.0.1:{port} after {timeout:.0f} s\n{proc.tail()}")


class WidePortRange:
    """Widens net.ipv4.ip_local_port_range to 1024-65535 for sections 2 and 3, and restores it afterwards.

    Every SwiftLocust (and Locust) user keeps its own connection; Linux hands out the even half of the
    local port range first and scans all of it for every connect once that half is used up, so 15,000
    connections to one host stall the generator with the default 32768-60999 (k6's and Locust's docs
    give the same advice). Needs root; otherwise the range stays as it is and the report says so."""

    PATH = Path("/proc/sys/net/ipv4/ip_local_port_range")
    WIDE = "1024 65535"

    def __init__(self) -> None:
        self.before: str | None = None
        self.description = "unchanged"

    def __enter__(self) -> "WidePortRange":
        try:
            current = " ".join(self.PATH.read_text().split())
        except OSError:
            self.description = "unknown (no /proc)"
            return self
        if current == self.WIDE:
            self.description = f"{current} (already)"
            return self
        try:
            self.PATH.write_text(self.WIDE + "\n")
            self.before = current
            self.description = f"{self.WIDE} during sections 2-3 (was {current}, restored)"
            log(f"net.ipv4.ip_local_port_range {current} -> {self.WIDE} for sections 2-3 (one connection per user)")
        except OSError as e:
            self.description = f"{current} (could not widen it: {e.strerror})"
            log(f"warning: could not widen net.ipv4.ip_local_port_range ({e.strerror}): 15,000 users may stall")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.before is not None:
            try:
                self.PATH.write_text(self.before + "\n")
            except OSError as e:
                log(f"warning: could not restore net.ipv4.ip_local_port_range to {self.before}: {e.strerror}")


class Nginx:
    """Debian's nginx from a generated config in a temp dir: one worker, access log off, core SERVER_CORE."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "nginx"
        (self.dir / "www").mkdir(parents=True)
        (self.dir / "tmp").mkdir()
        (self.dir / "www" / "64k").write_bytes(bytes((i * 31 + 7) % 251 for i in range(BIG_BODY)))
        self.port = free_port()
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        body = "swiftlocust bench target " + "0" * (SMALL_BODY - 26)  # + "\n" = 100 bytes
        user = "user root root;" if os.getuid() == 0 else ""
        temps = "".join(f"    {k}_temp_path {self.dir}/tmp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf = f"""# Generated by bench/bench.py.
{user}
worker_processes 1;
worker_rlimit_nofile 20000;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{
    worker_connections 19500;
    use epoll;
}}
http {{
    access_log off;
{temps}    keepalive_requests 100000000;
    keepalive_timeout 300s;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=16 inactive=600s;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{self.port} backlog=4096;
        root {self.dir}/www;
        location = / {{ default_type text/plain; return 200 "{body}\\n"; }}
        location = /64k {{ }}
        location = /nginx_status {{ stub_status; }}
    }}
}}
"""
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(conf)
        self.proc = Proc("nginx", [self.binary, "-p", str(self.dir), "-c", str(self.conf), "-e", str(self.dir / "error.log"),
                                   "-g", "daemon off;"], workdir, SERVER_CORE)
        wait_listening(self.port, self.proc)
        self.url = f"http://127.0.0.1:{self.port}"
        # Check both bodies once.
        for path, size in (("/", SMALL_BODY), ("/64k", BIG_BODY)):
            status, data = self.get(path)
            if status != 200 or len(data) != size:
                raise BenchError(f"nginx answered {path} with {status} and {len(data)} bytes (want 200, {size})")

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path, headers={"Connection": "close"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def counters(self) -> tuple[int, int]:
        """nginx's accepted connections and requests (stub_status); the query itself counts in both."""
        status, data = self.get("/nginx_status")
        m = re.search(rb"\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n", data)
        if status != 200 or not m:
            raise BenchError(f"cannot read nginx's stub_status: {status} {data[:200]!r}")
        return int(m.group(1)), int(m.group(3))

    def requests(self) -> int:
        return self.counters()[1]

    def worker_pids(self) -> list[int]:
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def cpu(self) -> float:
        return sum(proc_cpu(p) for p in self.worker_pids())

    def stop(self) -> None:
        self.proc.stop(signal.SIGTERM, grace=10)


def median(values: list[float]) -> float:
    values = [v for v in values if v == v]
    return statistics.median(values) if values else float("nan")


def parse_duration_s(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise BenchError(f"cannot parse duration {text!r}")
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def read_stats_csv(prefix: Path) -> dict:
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        raise BenchError(f"{path.name} was not written")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    agg = [r for r in rows if r.get("Name") == "Aggregated"]
    if not agg:
        raise BenchError(f"{path.name} has no Aggregated row: {rows!r}")
    return agg[-1]


def fnum(row: dict, key: str) -> float:
    try:
        return float(row[key])
    except (KeyError, ValueError):
        raise BenchError(f"stats column {key!r} is missing or not a number: {row.get(key)!r}")


LOG_TIME = r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\]"


def log_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f")


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.smoke = args.smoke
        self.work = workdir
        self.reps = args.reps or (1 if self.smoke else 3)
        self.pair_reps = self.reps if self.smoke else max(self.reps, PAIR_REPS)
        self.duration = args.duration or (3 if self.smoke else 8)
        self.many = [1000] if self.smoke else [1000, 10000, 15000]
        self.many_settle = 2.0
        self.many_window = 5.0 if self.smoke else 28.0
        self.many_rate = 5000
        self.hatch_users, self.hatch_rate = (2000, 1000) if self.smoke else (10000, 1000)
        self.latency_duration = 3 if self.smoke else 10
        self.results: dict = {"throughput": [], "many": [], "baseline": [], "hatch": [], "latency": []}
        self.commands: dict[str, str] = {}
        self.broken: list[str] = []
        self.counter = 0
        self.quiet_budget = 0.0 if self.smoke else float(args.quiet_budget)
        self.quiet_waited = 0.0

    # -- helpers -------------------------------------------------------------------------------------
    def run_id(self, name: str) -> str:
        self.counter += 1
        return f"{self.counter:03d}-{name}"

    def remember(self, key: str, proc: Proc, replacements: dict[str, str]) -> None:
        if key in self.commands:
            return
        text = shlex.join(["taskset", "-c", str(GEN_CORE)] + proc.argv)
        for old, new in list(replacements.items()) + list(getattr(self, "port_names", {}).items()):
            text = text.replace(old, new)
        self.commands[key] = text

    def placeholders(self, url: str) -> dict[str, str]:
        return {url: "http://127.0.0.1:PORT", str(self.work) + "/": "$TMP/", str(ROOT) + "/": "",
                sys.executable: "python3", str(self.floor_bin): "$TMP/curl_floor"}

    def wait_quiet(self) -> None:
        """Waits (within a budget for the whole run) until other processes leave the cores alone: the
        machine is shared with other work, and a concurrent build would skew every figure."""
        if self.quiet_budget <= 0:
            return
        waited = 0.0
        while True:
            a = core_busy()
            time.sleep(0.5)
            other = task_seconds(a, core_busy()) / 0.5
            if other < 0.15 or self.quiet_budget <= 0:
                break
            if waited == 0:
                log(f"  waiting for other load to go ({other * 100:.0f} % of a core busy)")
            time.sleep(2)
            waited += 2.5
            self.quiet_budget -= 2.5
        self.quiet_waited += waited

    # -- setup ---------------------------------------------------------------------------------------
    def setup(self) -> None:
        for path, how in ((LOCUST_BIN, "swift build -c release"), (DEMO_BIN, "swift build -c release"),
                          (PLUGIN, "swift build -c release --package-path Plugins/Bench")):
            if not path.exists():
                raise BenchError(f"{path} is missing: run `{how}` (or `make build`)")
        for tool in ("wrk", "taskset", "cc"):
            if not shutil.which(tool):
                raise BenchError(f"{tool} is missing: run `make deps` (wrk) or install it")
        if os.cpu_count() is None or len(os.sched_getaffinity(0)) < 2:
            raise BenchError("needs 2 cores: the generator is pinned to core 0 and the server to core 1")
        self.floor_bin = self.work / "curl_floor"
        r = subprocess.run(["cc", "-O2", "-Wall", "-o", str(self.floor_bin), str(FLOOR_SRC), "-lcurl"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise BenchError(f"cannot compile bench/curl_floor.c:\n{r.stdout}{r.stderr}")
        self.ensure_python_packages()
        nofile = __import__("resource").getrlimit(__import__("resource").RLIMIT_NOFILE)
        self.nofile = nofile
        if nofile[0] < max(self.many) + 1000:
            try:
                resource = __import__("resource")
                resource.setrlimit(resource.RLIMIT_NOFILE, (min(nofile[1], 20000), nofile[1]))
            except (ValueError, OSError):
                pass

    def ensure_python_packages(self) -> None:
        def version(module: str) -> str | None:
            r = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__version__)"],
                               capture_output=True, text=True)
            return r.stdout.strip() if r.returncode == 0 else None

        wanted = []
        if version("locust") != LOCUST_PY_VERSION:
            wanted.append(f"locust=={LOCUST_PY_VERSION}")
        if version("matplotlib") is None:
            wanted.append("matplotlib")
        if wanted:
            log(f"pip install {' '.join(wanted)}")
            r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *wanted])
            if r.returncode != 0:
                raise BenchError(f"pip install {' '.join(wanted)} failed")
        if version("locust") != LOCUST_PY_VERSION:
            raise BenchError(f"Locust {LOCUST_PY_VERSION} is not importable by {sys.executable}")

    def versions(self) -> dict:
        def first_line(argv: list[str]) -> str:
            try:
                r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                text = (r.stdout + r.stderr).strip().splitlines()
                return text[0].strip() if text else "?"
            except (OSError, subprocess.TimeoutExpired):
                return "?"

        cpu = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kib = int(f.readline().split()[1])
        return {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "memory": f"{mem_kib / 1048576:.0f} GiB",
            "kernel": platform.release(),
            "os": first_line(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
            "swift": first_line(["swift", "--version"]),
            "nginx": first_line([shutil.which("nginx") or "/usr/sbin/nginx", "-v"]),
            "wrk": first_line(["wrk", "-v"]).split(" Copyright")[0],
            "curl": first_line(["curl", "--version"]),
            "locust_py": first_line([sys.executable, "-m", "locust", "--version"]),
            "python": platform.python_version(),
            "swiftlocust": first_line([str(LOCUST_BIN), "--version"]),
            "ulimit_n": self.nofile[0],
            "loadavg_before": open("/proc/loadavg").read().split()[:3],
        }

    # -- section 1: throughput and CPU per request -------------------------------------------------------
    def run_generator(self, tool: str, size: str, path: str, nginx: Nginx) -> dict:
        url = nginx.url
        d = self.duration
        rid = self.run_id(f"{tool}-{size}")
        env = clean_env(LOCUST_ENGINE_THREADS="1")
        procs: list[Proc] = []
        prefix = self.work / rid
        busy0, ngx0, (acc0, req0) = core_busy(), nginx.cpu(), nginx.counters()
        startup_cpu = 0.0
        try:
            if tool == "wrk":
                p = Proc(rid, ["wrk", "-t1", "-c50", f"-d{d}s", url + path], self.work, GEN_CORE)
                procs = [p]
            elif tool == "floor":
                p = Proc(rid, [str(self.floor_bin), url + path, "50", str(d)], self.work, GEN_CORE)
                procs = [p]
            elif tool in ("locust_fast", "locust_http"):
                cls = ("Fast" if tool == "locust_fast" else "Http") + ("Small" if size == "small" else "Big")
                p = Proc(rid, [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", url, "--headless",
                               "-u", "50", "-r", "50", "-t", f"{d}s", "--only-summary", "--csv", str(prefix), cls],
                         self.work, GEN_CORE)
                procs = [p]
                p.wait_for(r"Ramping to", 60)
                startup_cpu = proc_cpu(p.pid)
            elif tool == "ours":
                cls = "NoWaitUser" if size == "small" else "BigUser"
                p = Proc(rid, [str(LOCUST_BIN), "-f", str(PLUGIN), "--host", url, "--headless", "-u", "50", "-r", "50",
                               "-t", f"{d}s", "--only-summary", "--csv", str(prefix), cls], self.work, GEN_CORE, env)
                procs = [p]
                p.wait_for(r"Ramping to", 30)
                startup_cpu = proc_cpu(p.pid)
            elif tool == "cluster":
                cls = "NoWaitUser" if size == "small" else "BigUser"
                port = free_port()
                p = Proc(rid + "-master", [str(LOCUST_BIN), "-f", str(PLUGIN), "--master", "--expect-slaves", "1",
                                           "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                                           "--host", url, "--headless", "-u", "50", "-r", "50", "-t", f"{d}s",
                                           "--only-summary", "--csv", str(prefix), cls], self.work, GEN_CORE, env)
                procs = [p]
                wait_listening(port, p)
                self.port_names = getattr(self, "port_names", {})
                self.port_names[str(port)] = "MASTER_PORT"
                s = Proc(rid + "-slave", [str(LOCUST_BIN), "-f", str(PLUGIN), "--slave", "--master-host", "127.0.0.1",
                                          "--master-port", str(port)], self.work, GEN_CORE, env)
                procs.append(s)
                p.wait_for(r"Sending spawn jobs", 60)
                startup_cpu = proc_cpu(p.pid) + proc_cpu(s.pid)
            else:
                raise ValueError(tool)
            p = procs[0]
            rc = p.wait(d + 60)
            for extra in procs[1:]:
                extra.wait(30)
        except BaseException:
            for q in procs:
                q.kill_quietly()
            raise
        busy1, ngx1, (acc1, req1) = core_busy(), nginx.cpu(), nginx.counters()
        cpu = sum(q.cpu or 0.0 for q in procs)
        wall = time.monotonic() - procs[0].started
        row = {"tool": tool, "size": size, "rc": rc, "cpu_total": cpu, "startup_cpu": startup_cpu, "wall": wall,
               "nginx_requests": req1 - req0 - 1, "nginx_cpu": ngx1 - ngx0, "connections": acc1 - acc0 - 1,
               "core0_busy": busy1[GEN_CORE] - busy0[GEN_CORE], "core1_busy": busy1[SERVER_CORE] - busy0[SERVER_CORE],
               "maxrss_kib": max(q.maxrss_kib or 0 for q in procs)}
        out = p.stdout()
        if tool == "wrk":
            m = re.search(r"(\d+) requests in ([\d.]+\w+),", out)
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
            if rc != 0 or not m or not rps:
                raise BenchError(f"wrk failed ({rc})\n{p.tail()}")
            if "Non-2xx" in out or "Socket errors" in out:
                raise BenchError(f"wrk saw errors\n{p.tail()}")
            row.update(requests=int(m.group(1)), rps=float(rps.group(1)), failures=0)
        elif tool == "floor":
            m = re.search(r"requests (\d+) errors (\d+) seconds ([\d.]+) rps ([\d.]+)", out)
            if rc != 0 or not m:
                raise BenchError(f"curl_floor failed ({rc})\n{p.tail()}")
            row.update(requests=int(m.group(1)), rps=float(m.group(4)), failures=int(m.group(2)))
        else:
            stats = read_stats_csv(prefix)
            row.update(requests=int(fnum(stats, "Request Count")), failures=int(fnum(stats, "Failure Count")),
                       rps=fnum(stats, "Requests/s"), p50_ms=fnum(stats, "50%"), p99_ms=fnum(stats, "99%"))
            if rc != 0 or row["failures"] > 0:
                raise BenchError(f"{tool} exited {rc} with {row['failures']} failures\n{p.tail()}")
            if tool == "cluster" and procs[1].returncode != 0:
                raise BenchError(f"the slave exited {procs[1].returncode}\n{procs[1].tail()}")
        if row["requests"] <= 0:
            raise BenchError(f"{tool} made no request\n{p.tail()}")
        row["cpu_run"] = cpu - startup_cpu
        row["cpu_per_req_us"] = row["cpu_run"] / row["requests"] * 1e6
        row["cpu_total_per_req_us"] = cpu / row["requests"] * 1e6
        # Task time on both cores not spent in the generator or nginx: other processes sharing the machine
        # (in % of one core; tick-sampled, and softirq work the kernel does not charge to a process lands here: up to about 15 % on a quiet machine).
        row["other_pct"] = (task_seconds(busy0, busy1) - cpu - row["nginx_cpu"]) / wall * 100
        self.remember(f"{tool}-{size}", p, self.placeholders(url))
        if tool == "cluster":
            self.remember(f"{tool}-{size}-slave", procs[1], self.placeholders(url))
        return row

    def section_throughput(self, nginx: Nginx) -> None:
        log(f"1. throughput and CPU per request: {len(TOOLS)} generators x {len(SIZES)} bodies x {self.reps} "
            f"repetitions of {self.duration} s, the bare libcurl program and SwiftLocust {self.pair_reps} times")
        labels = dict(TOOLS)
        for rep in range(self.pair_reps):
            for size, _, path in SIZES:
                for tool in RUN_ORDER if rep < self.reps else ["floor", "ours"]:
                    label = labels[tool]
                    self.wait_quiet()
                    row = self.run_generator(tool, size, path, nginx)
                    if row["other_pct"] > 25 and not self.smoke:
                        log(f"  rep {rep + 1} {size} {label}: {row['other_pct']:.0f} % of a core went to other "
                            "processes: running it again")
                        self.wait_quiet()
                        row = self.run_generator(tool, size, path, nginx)
                    row["rep"] = rep
                    self.results["throughput"].append(row)
                    log(f"  rep {rep + 1} {size:5} {label:36} {row['rps']:9.0f} req/s  "
                        f"{row['cpu_per_req_us']:7.1f} us CPU/req  (nginx {row['nginx_cpu'] / row['wall'] * 100:3.0f} % "
                        f"of core 1, other load {row['other_pct']:.0f} % of a core)")
                    time.sleep(0.5)

    # -- section 2: many paced users ---------------------------------------------------------------------
    def run_paced(self, users: int, settle: float, window: float, nginx: Nginx) -> dict:
        self.wait_quiet()
        rid = self.run_id(f"paced-{users}")
        prefix = self.work / rid
        rate = self.many_rate
        accepts0 = nginx.counters()[0]
        p = Proc(rid, [str(LOCUST_BIN), "-f", str(PLUGIN), "--host", nginx.url, "--headless", "-u", str(users),
                       "-r", str(rate), "-t", "600s", "--only-summary", "--csv", str(prefix), "PacedUser"],
                 self.work, GEN_CORE, clean_env(LOCUST_ENGINE_THREADS="1"))
        try:
            p.wait_for(r"All users spawned", users / rate + 60)
            spawned_at = time.monotonic()
            time.sleep(settle)
            busy1, req1, t1, cpu1, ngx1 = core_busy(), nginx.requests(), time.monotonic(), proc_cpu(p.pid), nginx.cpu()
            time.sleep(window)
            busy2, req2, t2, cpu2, ngx2 = core_busy(), nginx.requests(), time.monotonic(), proc_cpu(p.pid), nginx.cpu()
            accepts2 = nginx.counters()[0]
            hwm = proc_status_kib(p.pid, "VmHWM")
            rss = proc_status_kib(p.pid, "VmRSS")
            rc = p.stop(signal.SIGTERM, grace=30)
        except BaseException:
            p.kill_quietly()
            raise
        stats = read_stats_csv(prefix)
        failures = int(fnum(stats, "Failure Count"))
        if rc != 0 or failures:
            raise BenchError(f"paced run with {users} users exited {rc} with {failures} failures\n{p.tail()}")
        achieved = (req2 - req1 - 1) / (t2 - t1)
        if achieved <= 0:
            raise BenchError(f"paced run with {users} users made no request in its window\n{p.tail()}")
        self.remember(f"paced-{users}", p, self.placeholders(nginx.url))
        return {"users": users, "connections": accepts2 - accepts0 - 3, "achieved_rps": achieved, "ratio": achieved / users, "vm_hwm_kib": hwm, "vm_rss_kib": rss,
                "cpu_pct": (cpu2 - cpu1) / (t2 - t1) * 100, "window_s": t2 - t1,
                "other_pct": (task_seconds(busy1, busy2) - (cpu2 - cpu1) - (ngx2 - ngx1)) / (t2 - t1) * 100,
                "ramp_to_window_s": t1 - p.started, "spawned_after_s": spawned_at - p.started,
                "requests_reported": int(fnum(stats, "Request Count")), "p50_ms": fnum(stats, "50%"),
                "p99_ms": fnum(stats, "99%")}

    def section_many(self, nginx: Nginx) -> None:
        log(f"2. many paced users: {self.many} users at 1 req/s each, {self.many_window:.0f} s window after "
            f"{self.many_settle:.0f} s, {self.reps} repetitions; baseline: 1 user")
        for rep in range(self.reps):
            base = self.run_paced(1, 1.0, 2.0, nginx)
            base["rep"] = rep
            self.results["baseline"].append(base)
            log(f"  rep {rep + 1} baseline 1 user: VmHWM {base['vm_hwm_kib'] / 1024:.1f} MiB")
            for users in self.many:
                row = self.run_paced(users, self.many_settle, self.many_window, nginx)
                row["rep"] = rep
                row["kib_per_user"] = (row["vm_hwm_kib"] - base["vm_hwm_kib"]) / users
                self.results["many"].append(row)
                log(f"  rep {rep + 1} {users:6} users: {row['achieved_rps']:8.1f} req/s ({row['ratio'] * 100:5.1f} % of paced), "
                    f"VmHWM {row['vm_hwm_kib'] / 1024:6.1f} MiB, {row['kib_per_user']:5.1f} KiB/user, "
                    f"generator CPU {row['cpu_pct']:.0f} %, {row['connections']} connections, other load {row['other_pct']:.0f} % of a core")
                time.sleep(1)

    # -- section 3: hatching -------------------------------------------------------------------------------
    def section_hatch(self, nginx: Nginx) -> None:
        users, rate = self.hatch_users, self.hatch_rate
        log(f"3. hatching {users} users at {rate}/s, {self.reps} repetitions")
        for rep in range(self.reps):
            self.wait_quiet()
            rid = self.run_id(f"hatch-{users}")
            p = Proc(rid, [str(LOCUST_BIN), "-f", str(PLUGIN), "--host", nginx.url, "--headless", "-u", str(users),
                           "-r", str(rate), "-t", "600s", "--only-summary", "PacedUser"],
                     self.work, GEN_CORE, clean_env(LOCUST_ENGINE_THREADS="1"))
            try:
                start = p.wait_for(LOG_TIME + r"[^\n]*Ramping to", 30)
                done = p.wait_for(LOG_TIME + r"[^\n]*All users spawned", users / rate * 3 + 30)
                spawned_wall = time.monotonic() - p.started
                time.sleep(1)
                rc = p.stop(signal.SIGTERM, grace=30)
            except BaseException:
                p.kill_quietly()
                raise
            if rc != 0:
                raise BenchError(f"hatch run exited {rc}\n{p.tail()}")
            seconds = (log_time(done.group(1)) - log_time(start.group(1))).total_seconds()
            ideal = users / rate
            self.results["hatch"].append({"rep": rep, "users": users, "rate": rate, "seconds": seconds, "ideal": ideal,
                                          "ratio": seconds / ideal, "process_start_to_spawned_s": spawned_wall})
            self.remember("hatch", p, self.placeholders(nginx.url))
            log(f"  rep {rep + 1}: all {users} users running after {seconds:.3f} s (ideal {ideal:.0f} s, "
                f"{(seconds / ideal - 1) * 100:+.1f} %)")
            time.sleep(1)

    # -- section 4: latency truth ------------------------------------------------------------------------
    def section_latency(self) -> None:
        d = self.latency_duration
        log(f"4. latency: 5 users / 5 connections on /slow?ms=50 for {d} s, {self.reps} repetitions")
        demo = Proc("demo-target", [str(DEMO_BIN), "--host", "127.0.0.1", "--port", "0"], self.work, SERVER_CORE)
        try:
            m = demo.wait_for(r"demo target listening on http://([\d.]+):(\d+)", 20)
            url = f"http://{m.group(1)}:{m.group(2)}"
            for rep in range(self.reps):
                self.wait_quiet()
                rid = self.run_id("latency-wrk")
                w = Proc(rid, ["wrk", "-t1", "-c5", f"-d{d}s", "--latency", url + "/slow?ms=50"], self.work, GEN_CORE)
                if w.wait(d + 30) != 0:
                    raise BenchError(f"wrk --latency failed\n{w.tail()}")
                out = w.stdout()
                lat = re.search(r"Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", out)
                p50 = re.search(r"50%\s+([\d.]+\w+)", out)
                p99 = re.search(r"99%\s+([\d.]+\w+)", out)
                reqs = re.search(r"(\d+) requests in", out)
                if not (lat and p50 and p99 and reqs) or "Non-2xx" in out or "Socket errors" in out:
                    raise BenchError(f"cannot read wrk's latency output\n{w.tail()}")
                self.remember("latency-wrk", w, {url: "http://127.0.0.1:PORT"})
                time.sleep(0.5)
                rid = self.run_id("latency-ours")
                prefix = self.work / rid
                o = Proc(rid, [str(LOCUST_BIN), "-f", str(PLUGIN), "--host", url, "--headless", "-u", "5", "-r", "5",
                               "-t", f"{d}s", "--only-summary", "--csv", str(prefix), "SlowUser"],
                         self.work, GEN_CORE, clean_env(LOCUST_ENGINE_THREADS="1"))
                rc = o.wait(d + 60)
                stats = read_stats_csv(prefix)
                if rc != 0 or int(fnum(stats, "Failure Count")) or int(fnum(stats, "Request Count")) == 0:
                    raise BenchError(f"SlowUser run exited {rc}\n{o.tail()}")
                self.remember("latency-ours", o, self.placeholders(url))
                row = {"rep": rep,
                       "wrk_avg_ms": parse_duration_s(lat.group(1)) * 1e3, "wrk_p50_ms": parse_duration_s(p50.group(1)) * 1e3,
                       "wrk_p99_ms": parse_duration_s(p99.group(1)) * 1e3, "wrk_requests": int(reqs.group(1)),
                       "ours_avg_ms": fnum(stats, "Average Response Time"), "ours_p50_ms": fnum(stats, "50%"),
                       "ours_median_ms": fnum(stats, "Median Response Time"), "ours_p99_ms": fnum(stats, "99%"),
                       "ours_requests": int(fnum(stats, "Request Count"))}
                if not 49 <= row["ours_p50_ms"] <= 1000 or not 49 <= row["wrk_p50_ms"] <= 1000:
                    raise BenchError(f"the 50 ms delay is not in the medians: {row}")
                self.results["latency"].append(row)
                log(f"  rep {rep + 1}: wrk median {row['wrk_p50_ms']:.2f} ms p99 {row['wrk_p99_ms']:.2f} ms avg "
                    f"{row['wrk_avg_ms']:.2f} ms | ours median {row['ours_p50_ms']:.0f} ms p99 {row['ours_p99_ms']:.0f} ms "
                    f"avg {row['ours_avg_ms']:.2f} ms")
                time.sleep(0.5)
        finally:
            try:
                demo.stop(signal.SIGTERM, grace=10)
            except BenchError as e:
                log(str(e))

    # -- all -----------------------------------------------------------------------------------------------
    def run(self) -> None:
        self.setup()
        self.results["machine"] = self.versions()
        started = time.monotonic()
        nginx = Nginx(self.work)
        log(f"nginx {nginx.url} (pid {nginx.proc.pid}, core {SERVER_CORE}); generators on core {GEN_CORE}; "
            f"work dir {self.work}")
        try:
            if "throughput" in self.args.sections:
                self.section_throughput(nginx)
            with WidePortRange() as ports:
                self.results["machine"]["port_range"] = ports.description
                if "many" in self.args.sections:
                    self.section_many(nginx)
                if "hatch" in self.args.sections:
                    self.section_hatch(nginx)
        finally:
            nginx.stop()
        if "latency" in self.args.sections:
            self.section_latency()
        self.results["elapsed_s"] = time.monotonic() - started
        self.results["quiet_waited_s"] = self.quiet_waited
        self.results["commands"] = self.commands
        self.results["mode"] = "smoke" if self.smoke else "full"
        self.results["reps"] = self.reps
        self.results["pair_reps"] = self.pair_reps
        self.results["duration_s"] = self.duration
        self.results["many_window_s"] = self.many_window


# -- summaries and the report ---------------------------------------------------------------------------
def paired_ratios(rows: list[dict], size: str) -> list[float]:
    """SwiftLocust's CPU per request over the bare libcurl program's, for each repetition that ran both
    (back to back), in repetition order."""
    by_rep: dict[int, dict[str, float]] = {}
    for r in rows:
        if r["size"] == size and r["tool"] in ("floor", "ours"):
            by_rep.setdefault(r["rep"], {})[r["tool"]] = r["cpu_per_req_us"]
    return [v["ours"] / v["floor"] for _, v in sorted(by_rep.items()) if "ours" in v and "floor" in v]


def summarize(results: dict) -> dict:
    s: dict = {"throughput": {}, "many": {}, "ratios": {}}
    for tool, _ in TOOLS:
        for size, _, _ in SIZES:
            rows = [r for r in results["throughput"] if r["tool"] == tool and r["size"] == size]
            if rows:
                s["throughput"][f"{tool}/{size}"] = {
                    "rps": median([r["rps"] for r in rows]),
                    "cpu_us": median([r["cpu_per_req_us"] for r in rows]),
                    "cpu_total_us": median([r["cpu_total_per_req_us"] for r in rows]),
                    "startup_cpu": median([r["startup_cpu"] for r in rows]),
                    "p50": median([r.get("p50_ms", float("nan")) for r in rows]),
                    "p99": median([r.get("p99_ms", float("nan")) for r in rows]),
                    "nginx_pct": median([r["nginx_cpu"] / r["wall"] * 100 for r in rows]),
                    "other_pct": max(0.0, max(r["other_pct"] for r in rows)),
                    "runs_rps": [r["rps"] for r in rows], "runs_cpu": [r["cpu_per_req_us"] for r in rows],
                }
    t = s["throughput"]
    for size, _, _ in SIZES:
        if f"ours/{size}" in t and f"floor/{size}" in t:
            ours = t[f"ours/{size}"]["cpu_us"]
            pairs = paired_ratios(results["throughput"], size)
            s["ratios"][size] = {
                "ours_vs_floor_paired": median(pairs), "pairs": pairs,
                "ours_vs_floor": ours / t[f"floor/{size}"]["cpu_us"],
                "ours_vs_wrk": ours / t[f"wrk/{size}"]["cpu_us"] if f"wrk/{size}" in t else float("nan"),
                "cluster_vs_ours": t[f"cluster/{size}"]["cpu_us"] / ours if f"cluster/{size}" in t else float("nan"),
                "locust_fast_vs_ours": t[f"locust_fast/{size}"]["cpu_us"] / ours if f"locust_fast/{size}" in t else float("nan"),
                "locust_http_vs_ours": t[f"locust_http/{size}"]["cpu_us"] / ours if f"locust_http/{size}" in t else float("nan"),
            }
    for users in sorted({r["users"] for r in results["many"]}):
        rows = [r for r in results["many"] if r["users"] == users]
        s["many"][users] = {k: median([r[k] for r in rows]) for k in
                            ("achieved_rps", "ratio", "vm_hwm_kib", "kib_per_user", "cpu_pct", "other_pct", "p50_ms", "p99_ms",
                             "connections")}
        s["many"][users]["runs_connections"] = [r["connections"] for r in rows]
        s["many"][users]["runs_ratio"] = [r["ratio"] for r in rows]
    if results["baseline"]:
        s["baseline_kib"] = median([r["vm_hwm_kib"] for r in results["baseline"]])
    if results["hatch"]:
        h = results["hatch"]
        s["hatch"] = {"seconds": median([r["seconds"] for r in h]), "ideal": h[0]["ideal"], "users": h[0]["users"],
                      "rate": h[0]["rate"], "runs": [r["seconds"] for r in h]}
    if results["latency"]:
        L = results["latency"]
        s["latency"] = {k: median([r[k] for r in L]) for k in L[0] if k != "rep"}
    return s


def fmt(v: float, digits: int = 1) -> str:
    return "-" if v != v else f"{v:,.{digits}f}"


def print_summary(s: dict) -> None:
    print()
    print("== 1. 50 connections/users, no wait: medians (CPU per request counted from the start of the ramp) ==")
    print(f"{'generator':38} {'body':7} {'req/s':>9} {'CPU us/req':>11} {'p50/p99 ms':>11} {'nginx core':>10}")
    for tool, label in TOOLS:
        for size, size_label, _ in SIZES:
            r = s["throughput"].get(f"{tool}/{size}")
            if r:
                lat = "" if r["p50"] != r["p50"] else f"{r['p50']:.0f}/{r['p99']:.0f}"
                print(f"{label:38} {size_label:7} {r['rps']:9,.0f} {r['cpu_us']:11.1f} {lat:>11} {r['nginx_pct']:9.0f}%")
    for size, size_label, _ in SIZES:
        r = s["ratios"].get(size)
        if r:
            print(f"{size_label}: ours / bare libcurl CPU per request = {r['ours_vs_floor_paired']:.2f} median of "
                  f"{len(r['pairs'])} back-to-back pairs ({' / '.join(f'{v:.2f}' for v in r['pairs'])}; target <= 1.15), "
                  f"{r['ours_vs_floor']:.2f} from the medians; "
                  f"ours / wrk = {r['ours_vs_wrk']:.2f}; master+slave / ours = {r['cluster_vs_ours']:.2f}; "
                  f"Locust FastHttpUser / ours = {r['locust_fast_vs_ours']:.1f}; HttpUser / ours = {r['locust_http_vs_ours']:.1f}")
    if s["many"]:
        print()
        print("== 2. paced users (1 req/s each): medians ==")
        print(f"baseline (1 user) VmHWM {s.get('baseline_kib', float('nan')) / 1024:.1f} MiB")
        for users, r in s["many"].items():
            print(f"{users:6} users: {r['achieved_rps']:9.1f} req/s = {r['ratio'] * 100:5.1f} % of paced (target >= 99 %), "
                  f"VmHWM {r['vm_hwm_kib'] / 1024:6.1f} MiB, {r['kib_per_user']:5.1f} KiB/user (target <= 10), "
                  f"generator CPU {r['cpu_pct']:.0f} %")
    if "hatch" in s:
        h = s["hatch"]
        print()
        print(f"== 3. hatching {h['users']} users at {h['rate']}/s: {h['seconds']:.2f} s median (ideal {h['ideal']:.0f} s, "
              f"{(h['seconds'] / h['ideal'] - 1) * 100:+.1f} %; target within 5 %) ==")
    if "latency" in s:
        L = s["latency"]
        print()
        print(f"== 4. latency, /slow?ms=50, 5 connections: wrk median {L['wrk_p50_ms']:.2f} ms p99 {L['wrk_p99_ms']:.2f} ms "
              f"avg {L['wrk_avg_ms']:.2f} ms; ours median {L['ours_p50_ms']:.0f} ms p99 {L['ours_p99_ms']:.0f} ms avg "
              f"{L['ours_avg_ms']:.2f} ms; median difference {L['ours_p50_ms'] - L['wrk_p50_ms']:+.2f} ms, "
              f"average difference {L['ours_avg_ms'] - L['wrk_avg_ms']:+.2f} ms ==")


def chart(s: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [label for tool, label in TOOLS if any(f"{tool}/{size}" in s["throughput"] for size, _, _ in SIZES)]
    tools = [tool for tool, label in TOOLS if label in labels]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
    height = 0.38
    colors = {"small": "#4c72b0", "big": "#dd8452"}
    for ax, key, title, log_scale in ((axes[0], "cpu_us", "generator CPU per request (µs, log scale; lower is better)", True),
                                      (axes[1], "rps", "requests per second (higher is better)", False)):
        for i, (size, size_label, _) in enumerate(SIZES):
            values = [s["throughput"].get(f"{tool}/{size}", {}).get(key, float("nan")) for tool in tools]
            ys = [y + (i - 0.5) * height for y in range(len(tools))]
            bars = ax.barh(ys, values, height=height, label=size_label, color=colors[size])
            for bar, v in zip(bars, values):
                if v == v:
                    ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                            f" {v:,.1f}" if key == "cpu_us" else f" {v:,.0f}", va="center", fontsize=8)
        ax.set_yticks(range(len(tools)))
        ax.set_yticklabels(labels if ax is axes[0] else [""] * len(tools))
        ax.invert_yaxis()
        ax.set_title(title, fontsize=10)
        if log_scale:
            ax.set_xscale("log")
            ax.set_xlim(left=5, right=max(v.get("cpu_us", 1) for v in s["throughput"].values()) * 4)
        else:
            ax.set_xlim(right=max(v.get("rps", 1) for v in s["throughput"].values()) * 1.25)
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("50 connections/users, no wait, nginx on 127.0.0.1 (core 1), generator pinned to core 0; medians",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def flags(s: dict) -> list[str]:
    """What missed a target, in words."""
    out = []
    for size, size_label, _ in SIZES:
        r = s["ratios"].get(size)
        if r and r["ours_vs_floor_paired"] > 1.15:
            out.append(f"CPU per request ({size_label}) is {r['ours_vs_floor_paired']:.2f} x the bare libcurl program's "
                       f"(median of {len(r['pairs'])} back-to-back pairs; target <= 1.15).")
    for size, size_label, _ in SIZES:
        r = s["ratios"].get(size)
        if r and r["locust_fast_vs_ours"] < 10:
            out.append(f"Locust FastHttpUser costs only {r['locust_fast_vs_ours']:.1f} x our CPU per request ({size_label}; "
                       "the issue expects more than 10 x).")
    for users, r in s["many"].items():
        if r["ratio"] < 0.99 or min(r["runs_ratio"]) < 0.99:
            out.append(f"{users} paced users reached {r['ratio'] * 100:.1f} % of the paced rate (median; runs: "
                       f"{' / '.join(f'{v * 100:.1f}' for v in r['runs_ratio'])} %; target >= 99 %).")
        if r["kib_per_user"] > 10:
            out.append(f"{users} users cost {r['kib_per_user']:.1f} KiB of RSS per user (target <= 10 KiB).")
    if "hatch" in s:
        h = s["hatch"]
        if abs(h["seconds"] / h["ideal"] - 1) > 0.05:
            out.append(f"hatching {h['users']} users at {h['rate']}/s took {h['seconds']:.2f} s (ideal {h['ideal']:.0f} s, target within 5 %).")
    if "latency" in s:
        L = s["latency"]
        # The CSV's percentiles are whole milliseconds (Locust's rounding): allow 0.5 ms of rounding there,
        # and hold the average (printed with decimals) to the 0.1 ms target.
        if abs(L["ours_p50_ms"] - L["wrk_p50_ms"]) > 0.6:
            out.append(f"reported median {L['ours_p50_ms']:.0f} ms vs wrk's {L['wrk_p50_ms']:.2f} ms: "
                       f"{abs(L['ours_p50_ms'] - L['wrk_p50_ms']):.2f} ms apart (target 0.1 ms, plus 0.5 ms of whole-ms rounding).")
        if abs(L["ours_avg_ms"] - L["wrk_avg_ms"]) > 0.1:
            out.append(f"reported average {L['ours_avg_ms']:.2f} ms vs wrk's {L['wrk_avg_ms']:.2f} ms: "
                       f"{abs(L['ours_avg_ms'] - L['wrk_avg_ms']):.2f} ms apart (target 0.1 ms).")
    return out


def write_doc(results: dict, s: dict, doc: Path, chart_path: Path) -> None:
    m = results["machine"]
    c = results["commands"]
    lines = []
    add = lines.append
    add("# Benchmarks")
    add("")
    add("Produced by `make bench` (`bench/bench.py`; `make bench-smoke` is the short version CI runs, which fails only when "
        "a tool breaks). Every figure below is the median of "
        f"{results['reps']} repetitions ({results.get('pair_reps', results['reps'])} for the bare libcurl program and "
        f"SwiftLocust in section 1) from one run of `make bench` on {m['date']} that took {results['elapsed_s'] / 60:.1f} min; "
        "every run's raw figures are in `bench/last-results.json` (`python3 bench/bench.py --from-json "
        "bench/last-results.json` rewrites this part and the chart from them).")
    add("")
    add("## Machine and versions")
    add("")
    add("| what | value |")
    add("|---|---|")
    for key, label in (("nproc", "cores (`nproc`)"), ("cpu", "CPU"), ("memory", "memory"), ("kernel", "kernel"), ("os", "OS"),
                       ("swift", "Swift"), ("swiftlocust", "SwiftLocust (`locust -V`)"), ("nginx", "nginx"), ("wrk", "wrk"),
                       ("curl", "curl / libcurl"), ("locust_py", "Locust (PyPI)"), ("python", "Python"),
                       ("ulimit_n", "`ulimit -n`"), ("port_range", "`net.ipv4.ip_local_port_range`"),
                       ("loadavg_before", "load average before the run")):
        value = m.get(key, "?")
        add(f"| {label} | {' '.join(value) if isinstance(value, list) else value} |")
    add("")
    add("## Setup")
    add("")
    add("- Server: Debian's nginx, generated config in a temp dir (`worker_processes 1`, `access_log off`, keep-alive up to "
        "100M requests, `sendfile on`), started by PID as `taskset -c 1 nginx -p $TMP/nginx -c $TMP/nginx/nginx.conf "
        "-g 'daemon off;'`, on 127.0.0.1. `GET /` answers 100 bytes (`return 200`), `GET /64k` a 65,536-byte static file; "
        "`/nginx_status` (stub_status) counts requests for section 2.")
    add("- Every load generator is pinned to core 0 (`taskset -c 0`), the server to core 1. SwiftLocust runs with "
        "`LOCUST_ENGINE_THREADS=1`, since it has one core.")
    add("- CPU per request = user + sys seconds of the generator's processes (from `wait4`, like `/usr/bin/time`; for "
        "master + slave both processes), counted from the `Ramping to` log line (that is, without interpreter or "
        "plugin start-up, sampled from `/proc/PID/stat`) to exit, divided by the requests the tool reports (Locust and "
        "SwiftLocust: `Request Count` of the `Aggregated` row of `PREFIX_stats.csv`; wrk and curl_floor: their own "
        "count). Requests/s is the tool's own figure (`Requests/s` of the CSV, wrk's `Requests/sec`).")
    add(f"- Section 1 runs {results['duration_s']} s per run; section 2 measures a {results['many_window_s']:.0f} s window that "
        "starts 2 s after `All users spawned` (spawn rate 5,000/s), counting requests at nginx (stub_status) and reading "
        "`VmHWM` from `/proc/PID/status` at its end; memory per user = (VmHWM − VmHWM of a 1-user run) / users. "
        "Every user keeps its own keep-alive connection (as in Locust), so sections 2 and 3 widen "
        "`net.ipv4.ip_local_port_range` to `1024 65535` and restore it afterwards: with the default `32768 60999`, "
        "Linux scans the whole range for every connect past about 14,000 connections to one host.")
    add("")
    add("## Results")
    add("")
    add("### 1. Throughput and CPU per request: 50 connections/users, no wait")
    add("")
    add("| generator | body | req/s | CPU per request | p50 / p99 ms | runs: req/s | runs: µs/req | other load (max) |")
    add("|---|---|---:|---:|---|---|---|---:|")
    for tool, label in TOOLS:
        for size, size_label, _ in SIZES:
            r = s["throughput"].get(f"{tool}/{size}")
            if r:
                lat = "-" if r["p50"] != r["p50"] else f"{r['p50']:.0f} / {r['p99']:.0f}"
                add(f"| {label} | {size_label} | {r['rps']:,.0f} | {r['cpu_us']:.1f} µs | {lat} | "
                    f"{' / '.join(f'{v:,.0f}' for v in r['runs_rps'])} | {' / '.join(f'{v:.1f}' for v in r['runs_cpu'])} | "
                    f"{r['other_pct']:.0f} % |")
    add("")
    add("| ratio of CPU per request | ~100 B | 64 KiB | target |")
    add("|---|---:|---:|---|")
    for key, label, target in (("ours_vs_floor_paired", "SwiftLocust ÷ bare libcurl: median of the back-to-back pairs", "≤ 1.15"),
                               ("ours_vs_floor", "SwiftLocust ÷ bare libcurl: ratio of the medians", ""),
                               ("ours_vs_wrk", "SwiftLocust ÷ wrk", ""),
                               ("cluster_vs_ours", "master + slave ÷ standalone", ""),
                               ("locust_fast_vs_ours", "Locust FastHttpUser ÷ SwiftLocust", "> 10"),
                               ("locust_http_vs_ours", "Locust HttpUser ÷ SwiftLocust", "")):
        vals = [s["ratios"].get(size, {}).get(key, float("nan")) for size, _, _ in SIZES]
        add(f"| {label} | {fmt(vals[0], 2)} | {fmt(vals[1], 2)} | {target} |")
    add("")
    pair_text = "; ".join(f"{size_label}: {' / '.join(f'{v:.2f}' for v in s['ratios'][size]['pairs'])}"
                          for size, size_label, _ in SIZES if size in s["ratios"])
    if "pair_reps" in results:
        add(f"The bare libcurl program and SwiftLocust ran back to back {results['pair_reps']} times per body, before "
            "the other generators of a repetition: the CPU per request of one binary drifts by 10-30 % over minutes on "
            "this shared machine (a virtual machine whose neighbours do not show as load), and a pair measured within "
            f"seconds shares the drift. SwiftLocust ÷ bare libcurl per pair, in run order: {pair_text}.")
    else:
        add(f"SwiftLocust ÷ bare libcurl per repetition (these results predate back-to-back pairs): {pair_text}.")
    add("")
    add("Other load: busy time of both cores (softirqs included) not charged to the generator or nginx, in % of one "
        "core, over the run: the machine is shared with other work, and the script waits for a quiet machine before "
        f"each run (it waited {results.get('quiet_waited_s', 0):.0f} s in all this time) and runs a measurement of "
        "section 1 again once when more than 25 % of a core went elsewhere. On a quiet machine it is 0-15 % "
        "(softirq work on loopback that the kernel charges to no process).")
    add("")
    nginx_small = s["throughput"].get("wrk/small", {}).get("nginx_pct", float("nan"))
    add(f"nginx's worker used {nginx_small:.0f} % of core 1 under wrk (100 B): the server saturates first, so requests/s "
        "mostly shows the server, and CPU per request is the figure that compares generators.")
    add("")
    add("![CPU per request and requests/s by generator](benchmarks.png)")
    add("")
    if s["many"]:
        add("### 2. Many users, each paced at 1 request/s (`constantPacing(1)`)")
        add("")
        add(f"Baseline (1 user): VmHWM {s.get('baseline_kib', float('nan')) / 1024:.1f} MiB.")
        add("")
        add("| users | paced req/s | achieved req/s (nginx) | % of paced | runs: % | peak RSS (VmHWM) | memory per user | generator CPU | p50 / p99 ms | runs: TCP connections opened |")
        add("|---:|---:|---:|---:|---|---:|---:|---:|---|---|")
        for users, r in s["many"].items():
            add(f"| {users:,} | {users:,} | {r['achieved_rps']:,.1f} | {r['ratio'] * 100:.1f} % | "
                f"{' / '.join(f'{v * 100:.1f}' for v in r['runs_ratio'])} | {r['vm_hwm_kib'] / 1024:.1f} MiB | "
                f"{r['kib_per_user']:.1f} KiB | {r['cpu_pct']:.0f} % | {r['p50_ms']:.0f} / {r['p99_ms']:.0f} | "
                f"{' / '.join(f'{v:,}' for v in r['runs_connections'])} |")
        add("")
        add("Targets: ≥ 99 % of the paced rate, ≤ 10 KiB per user. (Locust 2.47 FastHttpUser on this machine kind: "
            "20 % of the paced rate with 10,000 users, 31 KiB per user.)")
        add("")
    if "hatch" in s:
        h = s["hatch"]
        add(f"### 3. Hatching {h['users']:,} users at {h['rate']:,}/s")
        add("")
        add(f"From the `Ramping to` log line to `All users spawned`: **{h['seconds']:.2f} s** (runs: "
            f"{' / '.join(f'{v:.2f}' for v in h['runs'])}), ideal {h['ideal']:.0f} s "
            f"({(h['seconds'] / h['ideal'] - 1) * 100:+.1f} %; target within 5 %).")
        add("")
    if "latency" in s:
        L = s["latency"]
        add("### 4. Latency truth: `/slow?ms=50` of locust-demo-target, 5 connections / 5 users, no wait")
        add("")
        add("| | median | p99 | average |")
        add("|---|---:|---:|---:|")
        add(f"| wrk --latency | {L['wrk_p50_ms']:.2f} ms | {L['wrk_p99_ms']:.2f} ms | {L['wrk_avg_ms']:.2f} ms |")
        add(f"| SwiftLocust (CSV) | {L['ours_p50_ms']:.0f} ms | {L['ours_p99_ms']:.0f} ms | {L['ours_avg_ms']:.2f} ms |")
        add(f"| difference | {L['ours_p50_ms'] - L['wrk_p50_ms']:+.2f} ms | {L['ours_p99_ms'] - L['wrk_p99_ms']:+.2f} ms | "
            f"{L['ours_avg_ms'] - L['wrk_avg_ms']:+.2f} ms |")
        add("")
        add("SwiftLocust's CSV prints percentiles in whole milliseconds, as Locust does, so the median can only be "
            "compared to ±0.5 ms; the average (printed with decimals) is the finer comparison.")
        add("")
    found = flags(s)
    add("### Targets missed in this run")
    add("")
    if found:
        for f_ in found:
            add(f"- {f_}")
    else:
        add("- none")
    add("")
    add("## Exact commands")
    add("")
    add("`$TMP` is the run's temp dir, `PORT` nginx's (or the demo target's) port; `make bench` runs them all.")
    add("")
    add("```")
    for key, text in c.items():
        add(f"# {key}")
        add(text)
    add("```")
    add("")
    body = GENERATED_START + "\n" + "\n".join(lines) + GENERATED_END + "\n"
    doc.write_text(merge_doc(doc.read_text() if doc.exists() else "", body))


GENERATED_START = "<!-- generated by bench/bench.py: edits between these markers are overwritten -->"
GENERATED_END = "<!-- end of the part generated by bench/bench.py -->"


def merge_doc(old: str, generated: str) -> str:
    """Replaces the generated part of the document and keeps everything else: hand-written sections
    after it, and the master-scale section another script writes."""
    i, j = old.find(GENERATED_START), old.find(GENERATED_END)
    if i >= 0 and j > i:
        return old[:i] + generated + "\n" + old[j + len(GENERATED_END):].lstrip("\n")
    k = old.find(MASTER_SCALE_HEADING)
    if k >= 0:
        return generated + "\n" + old[k:]
    return generated + ("\n" + old if old.strip() else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="1 repetition, short runs (about 1-2 minutes)")
    parser.add_argument("--reps", type=int, help="repetitions (default 3, smoke 1)")
    parser.add_argument("--duration", type=int, help="seconds per throughput run (default 8, smoke 3)")
    parser.add_argument("--sections", default="throughput,many,hatch,latency",
                        help="comma-separated subset of throughput,many,hatch,latency")
    parser.add_argument("--doc", type=Path, help="write the report here (full mode default: docs/BENCHMARKS.md)")
    parser.add_argument("--chart", type=Path, help="write the chart here (full mode default: docs/benchmarks.png)")
    parser.add_argument("--json", type=Path, help="write raw results here (full mode default: bench/last-results.json)")
    parser.add_argument("--from-json", type=Path, help="only rewrite the report and chart from saved raw results")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, CSV files)")
    parser.add_argument("--quiet-budget", type=float, default=180,
                        help="seconds a full run may wait in all for other processes to leave the cores (default 180)")
    args = parser.parse_args()
    args.sections = set(args.sections.split(","))

    def interrupted(signum, frame):
        raise KeyboardInterrupt  # so that every started process is stopped on the way out

    signal.signal(signal.SIGTERM, interrupted)
    if args.from_json:
        data = json.loads(args.from_json.read_text())
        results = data["results"]
        s = summarize(results)
        print_summary(s)
        chart(s, args.chart or CHART)
        write_doc(results, s, args.doc or DOC, args.chart or CHART)
        log(f"report: {args.doc or DOC}, chart: {args.chart or CHART}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="swiftlocust-bench-"))
    bench = Bench(args, work)
    status = 0
    try:
        bench.run()
        s = summarize(bench.results)
        print_summary(s)
        found = flags(s)
        print()
        print("targets missed:" if found else "targets missed: none")
        for f_ in found:
            print(f"  - {f_}")
        doc = args.doc or (None if args.smoke else DOC)
        chart_path = args.chart or (work / "benchmarks.png" if args.smoke else CHART)
        if "throughput" in args.sections:
            chart(s, chart_path)
            log(f"chart: {chart_path}")
        if doc:
            write_doc(bench.results, s, doc, chart_path)
            log(f"report: {doc}")
        elif args.smoke:
            write_doc(bench.results, s, work / "BENCHMARKS.md", chart_path)  # exercise the writer
        json_path = args.json or (work / "results.json" if args.smoke else ROOT / "bench" / "last-results.json")
        json_path.write_text(json.dumps({"results": bench.results, "summary": s}, indent=1, default=str))
        log(f"raw results: {json_path}")
        print(f"bench: all tools ran ({bench.results['elapsed_s']:.0f} s)")
    except BenchError as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        status = 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        status = 130
    finally:
        if not args.keep and status == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"bench: logs kept in {work}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
