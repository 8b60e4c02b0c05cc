"""Shared pieces of the web UI and HTTP API tests.

The binaries come from the environment, as for the Swift integration tests (`make web-test` sets them):
  LOCUST_BIN           the `locust` runner             (default .build/release/locust)
  LOCUST_TEST_PLUGIN   the TestTargets scenario plugin  (default Plugins/TestTargets/.build/release/libTestTargets.so)
  LOCUST_CHECKOUT      the repository                   (default: two folders above this file)

One nginx (scripts/nginx-test.sh) serves the whole session; `locust` processes are started on free
ports, awaited by polling their API, and stopped by their PID in teardown. Every test phase has a time
limit (SIGALRM): `@pytest.mark.time_limit(seconds)` raises a test's own.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
import requests
import urllib3  # noqa: F401 - its warning class is named in pytest_configure

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "PytestSupport"))
from pytest_support import phase_time_limits, summary_figures  # noqa: E402

CHECKOUT = Path(os.environ.get("LOCUST_CHECKOUT") or Path(__file__).resolve().parents[2])
LOCUST_BIN = Path(os.environ.get("LOCUST_BIN") or CHECKOUT / ".build/release/locust")
TEST_PLUGIN = Path(
    os.environ.get("LOCUST_TEST_PLUGIN") or CHECKOUT / "Plugins/TestTargets/.build/release/libTestTargets.so"
)
NGINX_SCRIPT = CHECKOUT / "scripts/nginx-test.sh"
FIXTURES = Path(os.environ.get("LOCUST_WEB_FIXTURES") or CHECKOUT.parent / "shared/fixtures/locust-2.47-web")

DEFAULT_CALL_LIMIT = 90.0
SETUP_LIMIT = 60.0
TEARDOWN_LIMIT = 60.0


pytest_runtest_setup, pytest_runtest_call, pytest_runtest_teardown, _add_time_limit_marker = phase_time_limits(
    DEFAULT_CALL_LIMIT, SETUP_LIMIT, TEARDOWN_LIMIT)


def pytest_configure(config):
    _add_time_limit_marker(config)
    config.addinivalue_line("filterwarnings", "ignore::urllib3.exceptions.InsecureRequestWarning")


# Figures a test wants shown whatever the outcome (test_load.py's counts): printed in the summary.
figures, pytest_terminal_summary = summary_figures("web test figures")


# ---------------------------------------------------------------------------------------------- helpers


def wait_for(condition: Callable[[], Any], timeout: float, message: str | Callable[[], str], interval: float = 0.05):
    """Polls `condition` until it returns something truthy (returned), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except (requests.RequestException, OSError, ValueError, KeyError) as error:
            last_error = error
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            if last_error is not None:
                text += f" (last error: {last_error!r})"
            pytest.fail(f"after {timeout:g} s: {text}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


def require_fixtures() -> None:
    if not (FIXTURES / "stats_requests_running.json").is_file():
        pytest.fail(f"Locust's captured answers are missing: {FIXTURES} (set LOCUST_WEB_FIXTURES)")


def template_args(html: str) -> dict:
    """The `window.templateArgs` object the page embeds."""
    marker = "window.templateArgs = "
    start = html.find(marker)
    assert start >= 0, "the page has no window.templateArgs"
    value, _ = json.JSONDecoder().raw_decode(html, start + len(marker))
    assert isinstance(value, dict), f"window.templateArgs is {type(value).__name__}, not an object"
    return value


# ---------------------------------------------------------------------------------------------- nginx


class Nginx:
    """The session's nginx: `/` is a 200 with 100 bytes, `/fail` a 500, one access-log line per request."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = 0
        self.pid = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    def start(self) -> None:
        problems = []
        for _ in range(3):
            port = free_port()
            result = subprocess.run(
                ["bash", str(NGINX_SCRIPT), "start", str(self.directory), str(port)],
                capture_output=True, text=True, timeout=30,
            )
            if result.returncode == 0 and result.stdout.strip().isdigit():
                self.port, self.pid = port, int(result.stdout.strip())
                return
            problems.append(f"port {port}: {result.stderr.strip()}")
        pytest.fail("nginx did not start: " + "; ".join(problems))

    def stop(self) -> None:
        if self.pid:
            subprocess.run(["bash", str(NGINX_SCRIPT), "stop", str(self.directory)], capture_output=True, timeout=30)
            self.pid = 0

    def offset(self) -> int:
        """Where the access log ends now: count from here with `count`."""
        try:
            return self.access_log.stat().st_size
        except FileNotFoundError:
            return 0

    def count(self, since: int = 0, paths: Iterable[str] | None = None) -> int:
        """Requests logged after byte `since`, only those for `paths` when given."""
        wanted = set(paths) if paths is not None else None
        total = 0
        with open(self.access_log, "rb") as log:
            log.seek(since)
            for line in log:
                if not line.endswith(b"\n"):
                    break  # a line being written
                if wanted is None:
                    total += 1
                    continue
                parts = line.split(b'"')
                request = parts[1].split() if len(parts) > 2 else []
                if len(request) >= 2 and request[1].decode("latin-1") in wanted:
                    total += 1
        return total

    def settled_count(self, since: int = 0, paths: Iterable[str] | None = None, quiet: float = 0.3) -> int:
        """`count` once the log has not grown for `quiet` seconds (at most 5 s): nginx logs a request when
        it ends, which can be just after the client saw its answer."""
        deadline = time.monotonic() + 5
        size = self.offset()
        stable_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.offset()
            if now != size:
                size, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since >= quiet:
                break
        return self.count(since, paths)


@pytest.fixture(scope="session")
def nginx(tmp_path_factory) -> Iterable[Nginx]:
    if not NGINX_SCRIPT.is_file():
        pytest.fail(f"no {NGINX_SCRIPT}: set LOCUST_CHECKOUT to the repository")
    server = Nginx(tmp_path_factory.mktemp("nginx"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------- locust


@dataclass
class Locust:
    """One `locust` process, stopped by its PID when its launcher's scope ends."""

    args: list[str]
    directory: Path
    name: str
    web_port: int | None = None
    scheme: str = "http"
    base_path: str = ""
    auth: tuple[str, str] | None = None
    process: subprocess.Popen | None = None
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.web_port}{self.base_path}"

    @property
    def stdout_path(self) -> Path:
        return self.directory / f"{self.name}.stdout"

    @property
    def stderr_path(self) -> Path:
        return self.directory / f"{self.name}.stderr"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, env: dict[str, str] | None = None) -> "Locust":
        if self.auth:
            self.session.auth = self.auth
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [str(LOCUST_BIN), *self.args], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env={**os.environ, **(env or {})}, cwd=self.directory,
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        """The end of its output (and the start too, where a crash report begins)."""
        text = ""
        for path in (self.stdout_path, self.stderr_path):
            try:
                content = path.read_text(errors="replace").splitlines()
            except FileNotFoundError:
                continue
            if not content:
                continue
            if len(content) > 2 * lines:
                text += f"\n--- {path.name}, first {lines} of {len(content)} lines\n" + "\n".join(content[:lines])
                text += f"\n--- {path.name}, last {lines} lines\n" + "\n".join(content[-lines:])
            else:
                text += f"\n--- {path.name}\n" + "\n".join(content)
        return text

    def wait_ready(self, timeout: float = 15) -> "Locust":
        """Waits until the API answers `GET /stats/requests` with 200."""
        def ready():
            if not self.running():
                pytest.fail(
                    f"{self.name} exited with code {self.process.returncode} before serving its API;"
                    f" args {self.args}{self.log_tail()}")
            try:
                return self.get("/stats/requests", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(ready, timeout, lambda: f"{self.name} did not answer on {self.url}{self.log_tail()}")
        return self

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.name} still runs after {timeout:g} s{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM by PID, then SIGKILL after 10 s."""
        self.session.close()
        if not self.running():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    # The API, relative to the base path.
    # (`verify` per call: a session's own verify=False loses to REQUESTS_CA_BUNDLE in the environment.)
    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        kwargs.setdefault("verify", False)
        return self.session.get(self.url + path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 15)
        kwargs.setdefault("verify", False)
        return self.session.post(self.url + path, data=data, **kwargs)

    def stats(self) -> dict:
        response = self.get("/stats/requests")
        assert response.status_code == 200, f"GET /stats/requests: {response.status_code} {response.text[:300]}"
        return response.json()

    def state(self) -> str:
        return self.stats()["state"]

    def swarm(self, expect_success: bool = True, **fields) -> dict:
        response = self.post("/swarm", data=fields)
        body = response.json()
        if expect_success:
            assert response.status_code == 200 and body.get("success") is True, (
                f"POST /swarm {fields}: {response.status_code} {response.text}{self.log_tail()}")
        return body

    def wait_state(self, *states: str, timeout: float = 15) -> dict:
        return wait_for(
            lambda: (lambda s: s if s["state"] in states else None)(self.stats()), timeout,
            lambda: f"{self.name} never reached state {states}: now {self.state()!r}{self.log_tail()}")

    def wait_requests(self, name: str, at_least: int = 1, timeout: float = 15) -> dict:
        """Waits until the stats row `name` counts at least `at_least` requests."""
        def enough():
            stats = self.stats()
            row = next((r for r in stats["stats"] if r["name"] == name), None)
            return stats if row and row["num_requests"] >= at_least else None

        return wait_for(enough, timeout, f"{self.name}: row {name!r} never reached {at_least} requests")

    def stop_test(self) -> None:
        response = self.post("/stop")
        assert response.status_code == 200, f"POST /stop: {response.status_code} {response.text}"
        self.wait_state("stopped", "ready")


class Launcher:
    """Starts `locust` processes for one scope and stops every one of them (by PID) when it ends."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.processes: list[Locust] = []

    def _new(self, name: str, args: list[str], **kwargs) -> Locust:
        base = f"{name}-{len(self.processes)}"
        process = Locust(args=args, directory=self.directory, name=base, **kwargs)
        self.processes.append(process)
        return process

    def start(self, *args: str, name: str = "locust", web: bool = True, ready: bool = True,
              scheme: str = "http", base_path: str = "", auth: tuple[str, str] | None = None,
              plugin: bool = True, env: dict[str, str] | None = None) -> Locust:
        """`locust -f TestTargets ARGS --web-host 127.0.0.1 --web-port FREE` (a web UI unless `web=False`)."""
        command = (["-f", str(TEST_PLUGIN)] if plugin else []) + list(args)
        port = None
        if web:
            port = free_port()
            command += ["--web-host", "127.0.0.1", "--web-port", str(port)]
        process = self._new(name, command, web_port=port, scheme=scheme, base_path=base_path, auth=auth)
        process.start(env=env)
        if web and ready:
            process.wait_ready()
        return process

    def cluster(self, slaves: int, *args: str, classes: Iterable[str] = (), host: str | None = None) -> "Cluster":
        """A master with a web UI and `slaves` slaves, all connected."""
        bind_port = free_port()
        host_args = ["--host", host] if host else []
        master = self.start("--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(bind_port),
                            *host_args, *args, *classes, name="master")
        workers = [
            self.start("--slave", "--master-host", "127.0.0.1", "--master-port", str(bind_port), *classes,
                       name="slave", web=False)
            for _ in range(slaves)
        ]
        wait_for(lambda: master.stats().get("worker_count") == slaves, 20,
                 lambda: f"the master never saw {slaves} slaves{master.log_tail()}"
                 + "".join(worker.log_tail(10) for worker in workers))
        return Cluster(master=master, slaves=workers)

    def stop_all(self) -> None:
        # Slaves first would make the master log their departure; the master first is the usual order.
        for process in self.processes:
            process.stop()


@dataclass
class Cluster:
    master: Locust
    slaves: list[Locust]

    def slave_ids(self) -> set[str]:
        return {worker["id"] for worker in self.master.stats()["workers"]}


@pytest.fixture
def launcher(tmp_path) -> Iterable[Launcher]:
    starter = Launcher(tmp_path)
    try:
        yield starter
    finally:
        starter.stop_all()


@pytest.fixture(scope="module")
def module_launcher(tmp_path_factory, request) -> Iterable[Launcher]:
    starter = Launcher(tmp_path_factory.mktemp(re.sub(r"\W+", "_", request.module.__name__)))
    try:
        yield starter
    finally:
        starter.stop_all()


@pytest.fixture(scope="session", autouse=True)
def binaries_present():
    missing = [str(path) for path in (LOCUST_BIN, TEST_PLUGIN) if not path.is_file()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `make build` (or set LOCUST_BIN, LOCUST_TEST_PLUGIN)")


# ---------------------------------------------------------------------------------------------- threads


class Background:
    """A call run in a thread, its result or exception taken with `result()`."""

    def __init__(self, function: Callable[[], Any]):
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function,), daemon=True)
        self._thread.start()

    def _run(self, function):
        try:
            self._value = function()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            self._error = error

    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self, timeout: float) -> Any:
        self._thread.join(timeout)
        if self._thread.is_alive():
            pytest.fail(f"a background call did not finish within {timeout:g} s")
        if self._error is not None:
            raise self._error
        return self._value
