"""Mixed clusters with stock Python Locust: SwiftLocust slaves under a Locust master, a Locust worker under
a SwiftLocust master; everything on 127.0.0.1 against the session's nginx, whose access log counts what
was really served.

Locust versions: the coordinator speaks Locust 2.x's master/worker wire (ZeroMQ ROUTER/DEALER, msgpack
`(type, data, node_id)` triples; ../shared/notes/locust-protocol.md).
  - tested here: Locust 2.47.0 (pinned in requirements.txt, run from .venv-test/ by `make test-deps`);
  - expected to work, not tested: Locust 2.10 to 2.46: the wire is unchanged since 2.10, which added the
    master's `ack` (a SwiftLocust slave counts itself accepted on it, as a 2.10+ Locust worker does);
  - not expected to work: Locust 2.0 to 2.9 (no `ack`), 1.x and 0.x (other messages, other sockets).

The Locust master dispatches users by the class names of ITS locustfile, so interop/locustfile.py has
Python twins of the plugin's SessionUser (GET /, 20 ms wait) and FailingUser (GET /fail, a 500, 10 ms
wait), named alike. A Python worker under our master gets every plugin class name (see
interop/plugin_classes.py and the last test).

Every process is started on ports from the OS and stopped by its PID when the test ends (the `launcher`
fixture), and every wait is bounded.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CHECKOUT, Locust, free_port, wait_for

INTEROP = Path(__file__).resolve().parent / "interop"
LOCUSTFILE = INTEROP / "locustfile.py"
PLUGIN_CLASSES_LOCUSTFILE = INTEROP / "plugin_classes.py"


def _python_locust() -> Path:
    """The `locust` of the venv running these tests (.venv-test/bin/locust), or $LOCUST_PYTHON_BIN."""
    if os.environ.get("LOCUST_PYTHON_BIN"):
        return Path(os.environ["LOCUST_PYTHON_BIN"])
    beside = Path(sys.executable).with_name("locust")
    return beside if beside.is_file() else CHECKOUT / ".venv-test/bin/locust"


PYTHON_LOCUST = _python_locust()

pytestmark = pytest.mark.time_limit(90)


@pytest.fixture(scope="module", autouse=True)
def python_locust_present():
    if not PYTHON_LOCUST.is_file():
        pytest.fail(f"no Python Locust at {PYTHON_LOCUST}: run `make test-deps` (requirements.txt pins locust==2.47.0)")
    version = subprocess.run([str(PYTHON_LOCUST), "--version"], capture_output=True, text=True, timeout=30)
    assert "2.47.0" in version.stdout + version.stderr, f"expected Locust 2.47.0: {version.stdout}{version.stderr}"


# ---------------------------------------------------------------------------------------------- processes


@dataclass
class PythonLocust(Locust):
    """A stock Python `locust` process; the same helpers (API calls, logs, stop by PID) as ours."""

    def start(self, env: dict[str, str] | None = None) -> "PythonLocust":
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [str(PYTHON_LOCUST), *self.args], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}, cwd=self.directory,
            )
        return self


def start_python(launcher, name: str, *args: str, web: bool = False) -> PythonLocust:
    """`locust ARGS` from the venv, stopped (by PID) with the launcher's other processes."""
    port = free_port() if web else None
    command = list(args) + (["--web-host", "127.0.0.1", "--web-port", str(port)] if web else [])
    process = PythonLocust(args=command, directory=launcher.directory, name=f"{name}-{len(launcher.processes)}",
                           web_port=port)
    launcher.processes.append(process)
    process.start()
    return process


def start_slave(launcher, master_port: int) -> Locust:
    """A SwiftLocust slave of the TestTargets plugin."""
    return launcher.start("--slave", "--master-host", "127.0.0.1", "--master-port", str(master_port),
                          name="slave", web=False)


def log_text(process: Locust) -> str:
    text = ""
    for path in (process.stderr_path, process.stdout_path):
        try:
            text += path.read_text(errors="replace")
        except FileNotFoundError:
            pass
    return text


def wait_log(process: Locust, pattern: str, timeout: float) -> re.Match:
    """Waits until `pattern` (a regular expression) shows up in a process's output."""
    return wait_for(lambda: re.search(pattern, log_text(process)), timeout,
                    lambda: f"{process.name} never logged {pattern!r}{process.log_tail()}")


def slave_id(slave: Locust) -> str:
    return wait_log(slave, r"Connected to the master as (\S+)", 15).group(1)


def spawned_users(process: Locust) -> tuple[dict[str, int], int] | None:
    """The last `All users spawned: {...} (N total users)` line: the counts and N."""
    found = re.findall(r"All users spawned: (\{.*?\}) \((\d+) total users\)", log_text(process))
    if not found:
        return None
    counts, total = found[-1]
    return json.loads(counts), int(total)


def everything_about(*processes: Locust) -> str:
    return "".join(process.log_tail(30) for process in processes)


# ---------------------------------------------------------------------------------------------- CSV and nginx


def csv_rows(path: Path) -> list[dict[str, str]]:
    assert path.is_file(), f"no {path}"
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def stats_row(rows: list[dict[str, str]], method: str, name: str) -> dict[str, str]:
    row = next((r for r in rows if r["Type"] == method and r["Name"] == name), None)
    assert row is not None, f"no {method} {name} row in {[(r['Type'], r['Name']) for r in rows]}"
    return row


def count(row: dict[str, str], column: str = "Request Count") -> int:
    return int(row[column])


def served_by(nginx, since: int) -> dict[str, int]:
    """nginx's access log after `since`, by path, and by who asked (`X-User: python`: a Python user)."""
    totals = {"all": 0, "/": 0, "/fail": 0, "python": 0, "swift": 0, "python /fail": 0, "swift /fail": 0}
    with open(nginx.access_log, "rb") as log:
        log.seek(since)
        for line in log:
            if not line.endswith(b"\n"):
                break
            parts = line.decode("latin-1").split('"')
            request = parts[1].split() if len(parts) > 2 else []
            path = request[1] if len(request) >= 2 else "?"
            user = parts[3] if len(parts) > 4 else "-"
            totals["all"] += 1
            if path in totals:
                totals[path] += 1
            side = "python" if user == "python" else "swift"
            totals[side] += 1
            totals[f"{side} {path}"] = totals.get(f"{side} {path}", 0) + 1
    return totals


# ---------------------------------------------------------------------------------------------- 1. Locust master, headless


@pytest.mark.time_limit(60)
def test_locust_master_counts_what_swiftlocust_slaves_served(launcher, nginx, figures):
    users = 6
    bind_port = free_port()
    prefix = launcher.directory / "lm"
    since = nginx.offset()
    master = start_python(
        launcher, "locust-master", "-f", str(LOCUSTFILE), "--master", "--headless", "-u", str(users), "-r", str(users),
        "-t", "6s", "--expect-workers", "2", "--expect-workers-max-wait", "30", "--master-bind-host", "127.0.0.1",
        "--master-bind-port", str(bind_port), "-H", nginx.url, "--csv", str(prefix), "--only-summary")
    slaves = [start_slave(launcher, bind_port) for _ in range(2)]

    master_code = master.wait_exit(45)
    slave_codes = [slave.wait_exit(15) for slave in slaves]
    served = nginx.settled_count(since)
    by_path = served_by(nginx, since)
    rows = csv_rows(Path(f"{prefix}_stats.csv"))
    counted = count(stats_row(rows, "", "Aggregated"))
    index, fail = stats_row(rows, "GET", "/"), stats_row(rows, "GET", "/fail")
    figures(f"interop 1 (Locust 2.47 master, 2 SwiftLocust slaves, {users} users, 6 s): nginx served {served:,}, "
            f"the master counted {counted:,} (GET / {count(index):,} of {by_path['/']:,} served, "
            f"GET /fail {count(fail):,} of {by_path['/fail']:,})")

    logs = everything_about(master, *slaves)
    # FailingUser's 500s are failures, so Locust exits with its --exit-code-on-error (1).
    assert master_code == 1, f"the Locust master exited {master_code}{logs}"
    assert slave_codes == [0, 0], f"the slaves exited {slave_codes} after the master's quit{logs}"
    for slave in slaves:
        assert "The master told this slave to quit" in log_text(slave), slave.log_tail()

    # The Locust master stops a test by sending `quit` at once (stop_timeout 0: users are stopped where they
    # are, as Locust workers kill theirs): a request nginx already answered (and logged) but whose user is
    # cancelled before it records the response is served and never counted, at most one per user. Nothing
    # may be counted that nginx did not serve.
    assert counted > 500, f"only {counted} requests in 6 s{logs}"
    assert 0 <= served - counted <= users, f"nginx served {served}, the Locust master counted {counted}{logs}"
    assert 0 <= by_path["/"] - count(index) <= users and 0 <= by_path["/fail"] - count(fail) <= users, (
        f"per path: served {by_path}, counted GET / {count(index)}, GET /fail {count(fail)}")

    # Our rows and failures, by method and name, in Locust's CSV files and its summary.
    assert count(index, "Failure Count") == 0, index
    assert count(fail, "Failure Count") == count(fail) > 0, fail
    failures = csv_rows(Path(f"{prefix}_failures.csv"))
    failure = next((r for r in failures if r["Method"] == "GET" and r["Name"] == "/fail"), None)
    assert failure is not None, f"no GET /fail row in the failures CSV: {failures}"
    assert "500" in failure["Error"], failure
    assert int(failure["Occurrences"]) == count(fail), (failure, fail)
    assert not [r for r in failures if r["Name"] != "/fail"], failures
    summary = log_text(master)
    assert re.search(r"^GET\s+/\s+" + re.escape(index["Request Count"]) + r"\s", summary, re.M), summary[-3000:]
    assert re.search(r"^GET\s+/fail\s+" + re.escape(fail["Request Count"]) + r"\s", summary, re.M), summary[-3000:]
    assert re.search(r"GET /fail: HTTPError: 500", summary), "no failure in Locust's error report" + summary[-3000:]

    # Locust's dispatcher gave 3 + 3 users; each slave ran what it was sent.
    spawned = spawned_users(master)
    assert spawned is not None, master.log_tail()
    assert {k: v for k, v in spawned[0].items() if v} == {"FailingUser": 3, "SessionUser": 3}, spawned
    per_slave = [spawned_users(slave) for slave in slaves]
    assert all(per_slave) and sum(total for _, total in per_slave) == users, per_slave


# ---------------------------------------------------------------------------------------------- 2. Locust master, web UI


def _wait_workers(master: Locust, description: str, condition, timeout: float = 15) -> dict:
    """Polls GET /stats/requests (Locust caches it for 2 s) until `condition(stats, workers)` holds."""
    def check():
        stats = master.stats()
        workers = {worker["id"]: worker for worker in stats["workers"]}
        return stats if condition(stats, workers) else None

    return wait_for(check, timeout, lambda: f"{description}: now {master.stats()}{master.log_tail()}", interval=0.25)


def _counts(workers: dict[str, dict], ids: list[str]) -> list[int]:
    return [workers[i]["user_count"] if i in workers else None for i in ids]


@pytest.mark.time_limit(90)
def test_locust_web_master_drives_swiftlocust_slaves(launcher, nginx, figures):
    bind_port = free_port()
    master = start_python(
        launcher, "locust-web", "-f", str(LOCUSTFILE), "--master", "--master-bind-host", "127.0.0.1",
        "--master-bind-port", str(bind_port), "-H", nginx.url, "SessionUser", web=True)
    master.wait_ready()
    slaves = [start_slave(launcher, bind_port) for _ in range(2)]
    ids = [slave_id(slave) for slave in slaves]
    _wait_workers(master, "both slaves ready", lambda s, w: sorted(w) == sorted(ids)
                  and all(x["state"] == "ready" for x in w.values()) and s["state"] == "ready")

    # A first test: 2 users, one on each slave.
    since = nginx.offset()
    master.swarm(user_count=2, spawn_rate=2, host=nginx.url)
    _wait_workers(master, "2 users running, 1 per slave", lambda s, w: s["state"] == "running"
                  and _counts(w, ids) == [1, 1] and all(w[i]["state"] == "running" for i in ids))
    wait_for(lambda: nginx.count(since) >= 50, 10, lambda: f"nginx served only {nginx.count(since)}")
    response = master.post("/stop")
    assert response.status_code == 200 and response.json()["success"], response.text
    _wait_workers(master, "stopped, both slaves back and idle", lambda s, w: s["state"] == "stopped"
                  and sorted(w) == sorted(ids) and _counts(w, ids) == [0, 0])
    first = served_by(nginx, since)["/"]

    # A second test with other counts, changed while it runs: 4 users (2 + 2), then 6 (3 + 3).
    master.swarm(user_count=4, spawn_rate=4, host=nginx.url)
    _wait_workers(master, "4 users running, 2 per slave", lambda s, w: s["state"] == "running"
                  and s["user_count"] == 4 and _counts(w, ids) == [2, 2])
    master.swarm(user_count=6, spawn_rate=6, host=nginx.url)
    _wait_workers(master, "6 users running, 3 per slave", lambda s, w: s["state"] == "running"
                  and s["user_count"] == 6 and _counts(w, ids) == [3, 3])
    for slave in slaves:
        assert spawned_users(slave) == ({"SessionUser": 3}, 3), slave.log_tail()

    # SIGKILL one slave: Locust marks it missing when 3 heartbeats (1 s apart) are overdue; the other runs on.
    killed, survivor = slaves[0], slaves[1]
    killed_at = time.monotonic()
    killed.process.send_signal(signal.SIGKILL)
    killed.process.wait(timeout=5)
    wait_log(master, re.escape(f"Worker {ids[0]} failed to send heartbeat, setting state to missing"), 8)
    noticed_after = time.monotonic() - killed_at
    _wait_workers(master, "the killed slave missing (or gone) in the API", lambda s, w: (
        ids[0] not in w or w[ids[0]]["state"] == "missing"), timeout=5)
    seen_in_api_after = time.monotonic() - killed_at
    stats = _wait_workers(master, "the survivor still running its 3 users", lambda s, w: s["state"] == "running"
                          and w.get(ids[1], {}).get("state") == "running" and w[ids[1]]["user_count"] == 3)
    assert survivor.running(), survivor.log_tail()
    before = served_by(nginx, since)["swift"]
    time.sleep(1.5)
    after = served_by(nginx, since)["swift"]
    # 3 users asking every ~20 ms: about 150 requests a second from the survivor alone.
    assert after - before >= 50, f"the surviving slave served only {after - before} requests in 1.5 s"
    figures(f"interop 2 (Locust 2.47 web master, 2 SwiftLocust slaves): first test (2 users) {first:,} requests; "
            f"SIGKILLed slave marked missing after {noticed_after:.1f} s (in the API after {seen_in_api_after:.1f} s), "
            f"survivor served {after - before} requests in the next 1.5 s; workers then {stats['workers']}")
    assert noticed_after <= 6, f"Locust marked the killed slave missing only after {noticed_after:.1f} s"

    response = master.post("/stop")
    assert response.status_code == 200 and response.json()["success"], response.text
    _wait_workers(master, "stopped", lambda s, w: s["state"] == "stopped" and w.get(ids[1], {}).get("user_count") == 0)

    # Ctrl-C on the master (Locust 2.47 has no /quit): it sends `quit`; our slave exits 0 within seconds.
    quit_at = time.monotonic()
    master.process.send_signal(signal.SIGINT)
    master_code = master.wait_exit(20)
    survivor_code = survivor.wait_exit(10)
    exited_after = time.monotonic() - quit_at
    logs = everything_about(master, survivor)
    assert "The master told this slave to quit" in log_text(survivor), logs
    assert survivor_code == 0, f"the surviving slave exited {survivor_code}{logs}"
    assert exited_after < 8, f"the slave took {exited_after:.1f} s to exit after the master's quit{logs}"
    assert master_code == 0, f"the Locust master exited {master_code}{logs}"


@pytest.mark.time_limit(60)
def test_a_class_edited_in_a_locust_web_ui_reaches_a_swiftlocust_slave(launcher, nginx, figures):
    """Locust's UI edits a class with POST /user, and its master sends `update_user_class` to every worker
    (Locust 2.47 Environment.update_user_class). Our slave takes the class's host for its next users, says
    in one line what it cannot apply (the task list of a compiled class), and stays connected: a test
    started afterwards without a host of its own runs against the edited host."""
    bind_port = free_port()
    master = start_python(
        launcher, "locust-web", "-f", str(LOCUSTFILE), "--master", "--master-bind-host", "127.0.0.1",
        "--master-bind-port", str(bind_port), "SessionUser", web=True)
    master.wait_ready()
    slave = start_slave(launcher, bind_port)
    ident = slave_id(slave)
    _wait_workers(master, "the slave ready", lambda s, w: list(w) == [ident] and w[ident]["state"] == "ready")

    edit = {"host": nginx.url, "weight": 2, "fixed_count": 0, "tasks": ["index", "other"],
            "user_class_name": "SessionUser"}
    response = master.post("/user", data=json.dumps(edit), headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    line = wait_log(slave, r"The master edited user class SessionUser: .*", 10).group(0)
    figures(f"interop 2b (Locust 2.47 web master edits SessionUser): our slave logged: {line}")
    assert f"host {nginx.url} for the users started from now on" in line, line
    assert "weight 2 and fixed_count 0: the master deals users by them" in line, line
    assert "not applied: tasks [index, other]" in line, line

    since = nginx.offset()
    master.swarm(user_count=1, spawn_rate=1)
    _wait_workers(master, "1 user running", lambda s, w: s["state"] == "running" and _counts(w, [ident]) == [1])
    wait_for(lambda: served_by(nginx, since)["swift"] >= 20, 10,
             lambda: f"nginx served our slave only {served_by(nginx, since)}{slave.log_tail()}")
    assert "Ignoring a message from the master" not in log_text(slave), slave.log_tail()
    response = master.post("/stop")
    assert response.status_code == 200 and response.json()["success"], response.text


# ---------------------------------------------------------------------------------------------- 3. SwiftLocust master


RUN_TIME_3 = 7


def _swift_master(launcher, nginx, bind_port: int, prefix: Path, users: int) -> Locust:
    # --stop-timeout 1: at the end every user finishes the request it is making (a Locust worker applies the
    # spawn message's stop_timeout too) instead of being killed in it, so that nothing is served and left
    # uncounted: exact totals. (A Locust worker then sleeps stop_timeout in its `stop` handler before it
    # handles `quit` and sends its final report: 1 s, not more, keeps that short.)
    # -t 7s, not 6 s: a Locust worker reports every 3 s (WORKER_REPORT_INTERVAL) from the moment it
    # connects, which is when this master starts the test; a run time that is a multiple of 3 s would end
    # just after a periodic report and hide a lost final one.
    return launcher.start(
        "--master", "--headless", "-u", str(users), "-r", str(users), "-t", f"{RUN_TIME_3}s", "--expect-slaves", "2",
        "--expect-slaves-max-wait", "30s", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(bind_port),
        "--host", nginx.url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "1",
        "SessionUser", "FailingUser", name="master", web=False)


def _mixed_run(launcher, nginx, locustfile: Path, users: int):
    bind_port = free_port()
    prefix = launcher.directory / "om"
    since = nginx.offset()
    master = _swift_master(launcher, nginx, bind_port, prefix, users)
    worker = start_python(launcher, "locust-worker", "-f", str(locustfile), "--worker", "--master-host", "127.0.0.1",
                          "--master-port", str(bind_port))
    slave = start_slave(launcher, bind_port)
    master_code = master.wait_exit(45)
    worker_code = worker.wait_exit(15)
    slave_code = slave.wait_exit(15)
    nginx.settled_count(since)
    return master, worker, slave, (master_code, worker_code, slave_code), served_by(nginx, since), prefix


def _fail_by_side(prefix: Path, served: dict[str, int]) -> str:
    """Counted vs served GET /fail per side, told apart by the error text (a diagnostic only: Locust's
    requests say `HTTPError('500 Server Error: ...')`, ours `HTTPError: 500 Internal Server Error`)."""
    python = swift = 0
    for row in csv_rows(Path(f"{prefix}_failures.csv")):
        if row["Name"] == "/fail":
            if row["Error"].startswith("HTTPError('500 Server Error"):
                python += int(row["Occurrences"])
            else:
                swift += int(row["Occurrences"])
    return (f"GET /fail counted/served: Python {python}/{served['python /fail']}, "
            f"Swift {swift}/{served['swift /fail']}")


@pytest.mark.time_limit(60)
def test_swiftlocust_master_with_a_locust_worker_and_a_slave(launcher, nginx, figures):
    users = 12
    master, worker, slave, codes, served, prefix = _mixed_run(launcher, nginx, PLUGIN_CLASSES_LOCUSTFILE, users)
    rows = csv_rows(Path(f"{prefix}_stats.csv"))
    counted = count(stats_row(rows, "", "Aggregated"))
    index, fail = stats_row(rows, "GET", "/"), stats_row(rows, "GET", "/fail")
    figures(f"interop 3 (SwiftLocust master, 1 Locust 2.47 worker + 1 SwiftLocust slave, {users} users, {RUN_TIME_3} s): "
            f"nginx served {served['all']:,} ({served['python']:,} asked by Python, {served['swift']:,} by Swift), "
            f"the master counted {counted:,}; {_fail_by_side(prefix, served)}")
    logs = everything_about(master, worker, slave)

    master_log = log_text(master)
    worker_id = re.search(r"Locust worker (\S+) \(.*\) connected", master_log)
    slave_seen = re.search(r"Slave (\S+) \(.*\) connected", master_log)
    assert worker_id, f"our master never logged the Python worker's arrival{logs}"
    assert slave_seen and slave_seen.group(1) == slave_id(slave), f"our master never logged our slave's arrival{logs}"
    assert "Traceback" not in log_text(worker), f"the Python worker failed{logs}"

    assert codes[0] == 1, f"the master exited {codes[0]} (FailingUser's failures: 1 expected){logs}"
    assert codes[2] == 0, f"our slave exited {codes[2]}{logs}"
    assert "Got quit message from master" in log_text(worker), logs
    assert codes[1] == 0, f"the Python worker exited {codes[1]}{logs}"

    # Both sides made requests, and the master counted exactly what nginx served, per path too: with
    # --stop-timeout no request is cut short, and a master must take each worker's last report (a Locust
    # worker sends none with `client_stopped`: only every 3 s and when it handles `quit`).
    assert served["python"] > 200 and served["swift"] > 200, f"served {served}{logs}"
    assert counted == served["all"], (
        f"nginx served {served['all']}, our master counted {counted} ({_fail_by_side(prefix, served)}){logs}")
    assert count(index) == served["/"] and count(fail) == served["/fail"], (index, fail, served)
    assert count(fail, "Failure Count") == count(fail) and count(index, "Failure Count") == 0, (index, fail)

    # Users by weight (1:1) over the cluster, half of them on each side.
    assert spawned_users(master) == ({"SessionUser": 6, "FailingUser": 6}, users), master.log_tail()
    ours = spawned_users(slave)
    assert ours is not None and ours[1] == users // 2, f"our slave ran {ours}; the Python worker the rest{logs}"


@pytest.mark.time_limit(60)
def test_locust_worker_needs_only_the_chosen_classes(launcher, nginx, figures):
    """A Locust worker whose locustfile has the chosen classes only, as under a Locust master run with
    `SessionUser FailingUser`: it must get its share and run it. (A Locust master sends only the chosen
    classes in `spawn`; a Locust 2.47 worker raises KeyError on any name it has no class for.)"""
    users = 12
    master, worker, slave, codes, served, prefix = _mixed_run(launcher, nginx, LOCUSTFILE, users)
    counted = count(stats_row(csv_rows(Path(f"{prefix}_stats.csv")), "", "Aggregated"))
    figures(f"interop 3b (as 3, the worker's locustfile with the 2 chosen classes only): nginx served "
            f"{served['all']:,} ({served['python']:,} by Python), the master counted {counted:,}; "
            f"{_fail_by_side(prefix, served)}")
    logs = everything_about(master, worker, slave)
    assert "KeyError" not in log_text(worker), f"the Python worker could not spawn what it was sent{logs}"
    assert served["python"] > 200, f"the Python worker made {served['python']} requests{logs}"
    assert spawned_users(master) == ({"SessionUser": 6, "FailingUser": 6}, users), logs
    assert counted == served["all"], f"nginx served {served['all']}, our master counted {counted}{logs}"
    assert codes == (1, 0, 0), f"exit codes (master, worker, slave) {codes}{logs}"


@pytest.mark.time_limit(60)
def test_swiftlocust_master_paces_a_locust_worker(launcher, nginx, figures):
    """A Locust worker starts each `spawn` order's users at once, so our master paces it as Locust's does,
    with an order per step (issue 12): 4 users at 1/s climb 1, 2, 3, 4 over the master's per-second
    history instead of jumping to 4."""
    users = 4
    bind_port = free_port()
    prefix = launcher.directory / "ramp"
    master = launcher.start(
        "--master", "--headless", "-u", str(users), "-r", "1", "-t", "7s", "--expect-slaves", "1",
        "--expect-slaves-max-wait", "30s", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(bind_port),
        "--host", nginx.url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "1", "SessionUser",
        name="master", web=False)
    worker = start_python(launcher, "locust-worker", "-f", str(LOCUSTFILE), "--worker", "--master-host", "127.0.0.1",
                          "--master-port", str(bind_port))
    codes = (master.wait_exit(45), worker.wait_exit(15))
    logs = everything_about(master, worker)
    history = [row for row in csv_rows(Path(f"{prefix}_stats_history.csv")) if row["Name"] == "Aggregated"]
    counts = [int(row["User Count"]) for row in history]
    figures(f"interop 4 (SwiftLocust master, 1 Locust 2.47 worker, {users} users at 1/s): user count second by "
            f"second {counts}")
    assert codes == (0, 0), f"exit codes (master, worker) {codes}{logs}"
    assert "Traceback" not in log_text(worker), f"the Python worker failed{logs}"
    assert max(counts, default=0) == users, f"never {users} users: {counts}{logs}"
    ramp = counts[:counts.index(users)]
    rising = [count for count in ramp if count > 0]
    # One order a second: at least two seconds with 1 to 3 users, never a step down on the way up.
    assert len(rising) >= 2 and all(0 < count < users for count in rising), f"the count jumped: {counts}{logs}"
    assert rising == sorted(rising), f"the count went down during the ramp: {counts}"
    assert spawned_users(master) == ({"SessionUser": users}, users), logs
