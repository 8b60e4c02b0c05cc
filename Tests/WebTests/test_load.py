"""The API does not disturb a test: a paced run makes as many requests while 1,000 clients poll
`/stats/requests` as it makes alone.

`PacedUser` runs one task a second per user (constant pacing), so 300 users for 8 s make about
2,400 requests whatever the machine; nginx's log counts them. The second run has 1,000 keep-alive
HTTP/1.1 connections (asyncio, raw sockets) asking `GET /stats/requests` in a loop from the moment its
web server listens until it exits; every answer must be a 200 with valid JSON.
"""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import time
from dataclasses import dataclass

import pytest

from conftest import wait_for

USERS, RUN_TIME = 300, 8
CLIENTS = 1_000
TOLERANCE = 0.05

pytestmark = pytest.mark.time_limit(120)


def paced_run(launcher, nginx, name: str):
    since = nginx.offset()
    locust = launcher.start("PacedUser", "--host", nginx.url, "-u", str(USERS), "-r", str(USERS),
                            "-t", f"{RUN_TIME}s", "--autostart", "--autoquit", "0", name=name, ready=False)
    return locust, since


def run_seconds(locust) -> float | None:
    """From the runner's log: when the ramp began to when the run-time limit stopped the test."""
    stamps = {}
    for line in locust.stderr_path.read_text(errors="replace").splitlines():
        for key, marker in (("start", "Ramping to"), ("end", "run-time limit reached")):
            if marker in line and key not in stamps and line.startswith("["):
                stamps[key] = time.mktime(time.strptime(line[1:20], "%Y-%m-%d %H:%M:%S")) + int(line[21:24]) / 1000
    return stamps["end"] - stamps["start"] if len(stamps) == 2 else None


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Poller:
    """CLIENTS connections, each asking GET /stats/requests again as soon as it has its answer."""

    def __init__(self, port: int, locust):
        self.port = port
        self.locust = locust
        self.answers = 0
        self.bad: list[str] = []
        self.errors: list[tuple[float, str]] = []
        self.states: dict[str, int] = {}
        self.started = self.ended = self.last_answer = 0.0
        self.request = f"GET /stats/requests HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()

    async def client(self, done: asyncio.Event) -> None:
        while not done.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError as error:
                self.errors.append((time.monotonic(), f"connect: {error!r}"))
                await asyncio.sleep(0.05)
                continue
            try:
                while not done.is_set():
                    writer.write(self.request)
                    head = await reader.readuntil(b"\r\n\r\n")
                    lines = head.decode("latin-1").split("\r\n")
                    status = lines[0].split(" ")[1] if len(lines[0].split(" ")) > 1 else "?"
                    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
                    length = int(headers.get("content-length", "-1"))
                    if length < 0:
                        self.bad.append(f"no Content-Length: {lines[0]}")
                        break
                    body = await reader.readexactly(length)
                    if status != "200":
                        self.bad.append(f"status {status}")
                        continue
                    try:
                        state = json.loads(body)["state"]
                    except (ValueError, KeyError, TypeError) as error:
                        self.bad.append(f"not the stats JSON ({error!r}): {body[:80]!r}")
                        continue
                    self.answers += 1
                    self.last_answer = time.monotonic()
                    self.states[state] = self.states.get(state, 0) + 1
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError) as error:
                self.errors.append((time.monotonic(), repr(error)))
            finally:
                writer.close()

    async def run(self, limit: float) -> None:
        done = asyncio.Event()
        self.started = time.monotonic()
        tasks = [asyncio.create_task(self.client(done)) for _ in range(CLIENTS)]
        deadline = time.monotonic() + limit
        while self.locust.running() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        self.ended = time.monotonic()
        done.set()
        await asyncio.wait(tasks, timeout=10)
        for task in tasks:
            task.cancel()

    def errors_while_serving(self) -> list[str]:
        """Errors before the last answer (less 0.2 s): not the connections the server's shutdown closed."""
        return [text for at, text in self.errors if at < self.last_answer - 0.2]


@dataclass
class Runs:
    count_alone: int
    count_busy: int
    code_alone: int
    code_busy: int
    poller: Poller
    busy: object


@pytest.fixture(scope="module")
def runs(module_launcher, nginx, figures) -> Runs:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = CLIENTS * 2 + 1_000  # the clients' sockets here, and the server's (it inherits the limit)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.fail(f"the hard limit of open files is {hard}, {wanted} are needed")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))

    alone, since = paced_run(module_launcher, nginx, "paced-alone")
    code_alone = alone.wait_exit(RUN_TIME + 30)
    count_alone = nginx.settled_count(since, ["/"])

    busy, since = paced_run(module_launcher, nginx, "paced-polled")
    wait_for(lambda: listening(busy.web_port) or not busy.running(), 15, "the second run's web server never listened")
    poller = Poller(busy.web_port, busy)
    asyncio.run(asyncio.wait_for(poller.run(limit=RUN_TIME + 30), timeout=RUN_TIME + 45))
    code_busy = busy.wait_exit(15)
    count_busy = nginx.settled_count(since, ["/"])

    seconds = max(poller.ended - poller.started, 1e-9)
    change = (count_busy - count_alone) / count_alone if count_alone else float("inf")
    lasted = [run_seconds(alone), run_seconds(busy)]
    figures(f"test_load: {USERS} paced users for {RUN_TIME} s: {count_alone:,} requests alone, "
            f"{count_busy:,} with {CLIENTS:,} clients polling /stats/requests ({change:+.1%}); "
            "the runs lasted " + " and ".join(f"{s:.3f} s" if s else "?" for s in lasted) + " by their logs")
    figures(f"test_load: {poller.answers:,} API answers in {seconds:.1f} s ({poller.answers / seconds:,.0f}/s), "
            f"states {poller.states}, {len(poller.bad)} bad, {len(poller.errors)} connection errors "
            f"({len(poller.errors_while_serving())} while serving{', e.g. ' + poller.errors_while_serving()[0] if poller.errors_while_serving() else ''})")
    return Runs(count_alone, count_busy, code_alone, code_busy, poller, busy)


def test_api_polling_does_not_slow_a_paced_test(runs):
    assert runs.code_alone == 0, "the run alone failed"
    assert runs.count_alone >= USERS * (RUN_TIME - 2), f"the run alone made only {runs.count_alone} requests"
    poller = runs.poller
    assert not poller.bad, f"{len(poller.bad)} bad answers, e.g. {poller.bad[:3]}"
    serving_errors = poller.errors_while_serving()
    assert not serving_errors, f"{len(serving_errors)} connection errors while serving, e.g. {serving_errors[:3]}"
    assert poller.answers >= CLIENTS, f"only {poller.answers} answers"
    assert poller.states.get("running", 0) > 0, poller.states
    change = (runs.count_busy - runs.count_alone) / runs.count_alone
    assert abs(change) <= TOLERANCE, (
        f"{runs.count_busy} requests with the API polled, {runs.count_alone} alone: {change:+.1%}, "
        f"more than {TOLERANCE:.0%}")


def test_polled_run_exits_cleanly(runs):
    # --autoquit 0 while clients keep (re)connecting to the API: the process must still exit 0.
    assert runs.code_busy == 0, f"exit code {runs.code_busy}{runs.busy.log_tail()}"
