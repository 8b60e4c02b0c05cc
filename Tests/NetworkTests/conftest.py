"""Shared pieces of the network tests (Tests/NetworkTests): one topology of network namespaces for the
session (netns.py), nginx on its own host, and a time limit per test phase.

The binaries come from the environment, as for the other tests (`make network-test` sets them):
  LOCUST_BIN           the `locust` runner             (default .build/release/locust)
  LOCUST_TEST_PLUGIN   the TestTargets scenario plugin  (default Plugins/TestTargets/.build/release/libTestTargets.so)
  LOCUST_CHECKOUT      the repository                   (default: two folders above this file)

Without root, or without network namespaces, every test is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from netns import Process, Topology, unusable_reason

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "PytestSupport"))
from pytest_support import phase_time_limits, summary_figures  # noqa: E402

CHECKOUT = Path(os.environ.get("LOCUST_CHECKOUT") or Path(__file__).resolve().parents[2])
LOCUST_BIN = Path(os.environ.get("LOCUST_BIN") or CHECKOUT / ".build/release/locust")
TEST_PLUGIN = Path(
    os.environ.get("LOCUST_TEST_PLUGIN") or CHECKOUT / "Plugins/TestTargets/.build/release/libTestTargets.so"
)
NGINX_SCRIPT = CHECKOUT / "scripts/nginx-test.sh"

DEFAULT_CALL_LIMIT = 60.0
SETUP_LIMIT = 60.0
TEARDOWN_LIMIT = 60.0


pytest_runtest_setup, pytest_runtest_call, pytest_runtest_teardown, _add_time_limit_marker = phase_time_limits(
    DEFAULT_CALL_LIMIT, SETUP_LIMIT, TEARDOWN_LIMIT)


def pytest_configure(config):
    _add_time_limit_marker(config)


# Figures shown whatever the outcome (counts, times to notice): printed in the summary.
figures, pytest_terminal_summary = summary_figures("network test figures")


# ---------------------------------------------------------------------------------------------- the network


class Nginx:
    """nginx on the nginx host (scripts/nginx-test.sh's configuration, listening on the host's address,
    each access-log line starting with `$msec`)."""

    def __init__(self, topology: Topology, directory: Path):
        self.topology = topology
        self.directory = directory
        self.address = topology.address("nginx")
        self.url = f"http://{self.address}"
        subprocess.run(["bash", str(NGINX_SCRIPT), "config", str(directory), "80"], check=True)
        config = (directory / "nginx.conf").read_text()
        config = config.replace("listen 127.0.0.1:80;", f"listen {self.address}:80;")
        config = config.replace("log_format simple '", "log_format simple '$msec ")
        assert f"listen {self.address}:80;" in config and "'$msec " in config, config
        (directory / "nginx.conf").write_text(config)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = topology.start(
            "nginx", [nginx, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", str(directory / "error.log"),
                      "-g", "daemon off;"], name="nginx")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if topology.http_get("slave1", self.url + "/", timeout=1) is not None:
                return
            if not self.process.running():
                break
            time.sleep(0.1)
        raise RuntimeError(f"nginx did not answer on {self.url}: {self.process.describe()}\n"
                           f"{(directory / 'error.log').read_text() if (directory / 'error.log').exists() else ''}")

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    def lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []

    def count(self) -> int:
        return len(self.lines())

    def settled_count(self) -> int:
        """The access log's lines once it stopped growing for 300 ms (at most 5 s)."""
        last, stable_since = self.count(), time.monotonic()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.count()
            if now != last:
                last, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since >= 0.3:
                break
        return last

    def entries(self, skipping: int) -> list[tuple[float, str]]:
        """(wall time, client address) of each logged request after the first `skipping` lines."""
        out = []
        for line in self.lines()[skipping:]:
            parts = line.split(" ", 2)
            if len(parts) >= 2:
                out.append((float(parts[0]), parts[1].rsplit(":", 1)[0]))
        return out


@pytest.fixture(scope="session")
def network():
    reason = unusable_reason()
    if reason:
        pytest.skip(reason)
    if not LOCUST_BIN.is_file() or not TEST_PLUGIN.is_file():
        pytest.skip(f"build first: {LOCUST_BIN} or {TEST_PLUGIN} is missing (make build)")
    directory = Path(tempfile.mkdtemp(prefix="locust-netns-"))
    topology = Topology(directory)
    try:
        topology.up()
        nginx = Nginx(topology, directory / "nginx")
        yield topology, nginx
    finally:
        topology.down()
        left = topology.leftovers()
        shutil.rmtree(directory, ignore_errors=True)
        assert not left, f"namespaces left behind: {left}"


@pytest.fixture
def topology(network) -> Topology:
    topology, _ = network
    yield topology
    # Whatever the test did: links up, no loss, its processes stopped (nginx stays).
    for host in ("master", "slave1", "slave2", "slave3"):
        topology.restore(host)
        topology.clear_netem(host)
        topology.clear_nft(host)
    for process in [p for p in topology.processes if p.name != "nginx"]:
        process.stop()
        topology.processes.remove(process)


@pytest.fixture
def nginx(network) -> Nginx:
    return network[1]


@pytest.fixture
def workdir(tmp_path) -> Path:
    return tmp_path


# ---------------------------------------------------------------------------------------------- reading results


def csv_aggregated(path: Path) -> dict[str, str]:
    import csv

    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") == "Aggregated":
                return row
    raise AssertionError(f"no Aggregated row in {path}")


def interrupted(summary: str) -> int:
    """The summary's "N requests were in flight when the users were stopped" (0 when absent)."""
    match = re.search(r"^(\d+) requests? w(?:as|ere) in flight when the users were stopped", summary, re.M)
    return int(match.group(1)) if match else 0
