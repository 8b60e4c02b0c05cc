"""A master, three slaves and nginx each on its own host (network namespaces on one bridge, netns.py),
the slaves reaching the master by its address only; then faults on the links: a slave's link cut and
restored, the master's link cut and restored, loss (and delay, where the kernel has netem), and a slave
whose wall clock is 180 s ahead.

What every test compares: the master's total (its CSV's Aggregated row) with nginx's access log, where
requests cut off by a stop ("N requests were in flight when the users were stopped") are the only
allowed difference.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import CHECKOUT, LOCUST_BIN, TEST_PLUGIN, Nginx, csv_aggregated, interrupted
from netns import Process, Topology

MASTER_PORT = 5557
WEB_PORT = 8089
SLAVES = ("slave1", "slave2", "slave3")
FAKETIME = "/usr/bin/faketime"


@dataclass
class Sample:
    at: float  # monotonic
    wall: float
    state: str
    user_count: int
    current_rps: float
    workers: dict[str, tuple[str, int]]  # hostname -> (state, users)


@dataclass
class Cluster:
    topology: Topology
    nginx: Nginx
    workdir: Path
    master: Process | None = None
    slaves: dict[str, Process] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)
    _sampling: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    @property
    def master_address(self) -> str:
        return self.topology.address("master")

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # LOCUST_* variables are options to locust: none of the test harness's may leak into it.
        env = {key: value for key, value in os.environ.items() if not key.startswith("LOCUST_")}
        env["HOME"] = str(self.workdir)
        env.update(extra or {})
        return env

    def start_master(self, users: int, run_time: str, slaves: int, classes=("PacedUser",), extra=(), autoquit: int = 0):
        args = [str(LOCUST_BIN), "-f", str(TEST_PLUGIN), "--master",
                "--master-bind-host", self.master_address, "--master-bind-port", str(MASTER_PORT),
                "--web-host", self.master_address, "--web-port", str(WEB_PORT),
                "--autostart", "--autoquit", str(autoquit), "-u", str(users), "-r", str(users * 10), "-t", run_time,
                "--expect-slaves", str(slaves), "--host", self.nginx.url, "--stop-timeout", "5",
                "--csv", str(self.workdir / "run"), *extra, *classes]
        self.master = self.topology.start("master", args, name="master", env=self.environment(), cwd=self.workdir)
        return self.master

    def start_slave(self, host: str, wrapper=(), env=None, extra=(), plugin: str = str(TEST_PLUGIN)) -> Process:
        args = [*wrapper, str(LOCUST_BIN), "-f", plugin, "--slave",
                "--master-host", self.master_address, "--master-port", str(MASTER_PORT), *extra]
        slave = self.topology.start(host, args, name=host, env=self.environment(env), cwd=self.workdir)
        self.slaves[host] = slave
        return slave

    def api(self, path: str):
        text = self.topology.http_get("master", f"http://{self.master_address}:{WEB_PORT}{path}", timeout=2)
        try:
            return json.loads(text) if text else None
        except json.JSONDecodeError:
            return None

    # A thread polls /stats/requests every 250 ms while a test runs.
    def start_sampling(self) -> None:
        def loop():
            while not self._sampling.is_set():
                data = self.api("/stats/requests")
                if data:
                    workers = {str(w.get("id", "")).split("_")[0]: (w.get("state"), int(w.get("user_count", 0)))
                               for w in data.get("workers", [])}
                    self.samples.append(Sample(time.monotonic(), time.time(), data.get("state", ""),
                                               int(data.get("user_count", 0)), float(data.get("current_rps", 0)),
                                               workers))
                self._sampling.wait(0.25)

        self._sampler = threading.Thread(target=loop, daemon=True)
        self._sampler.start()

    def stop_sampling(self) -> None:
        self._sampling.set()
        if self._sampler:
            self._sampler.join(10)

    def wait_until(self, predicate, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"{what} within {timeout:g} s\n{self.logs()}")

    def finish(self, timeout: float = 40) -> int | None:
        code = self.master.wait(timeout) if self.master else None
        self.stop_sampling()
        return code

    def slave_codes(self, timeout: float = 15) -> dict[str, int | None]:
        return {host: slave.wait(timeout) for host, slave in self.slaves.items()}

    def logs(self) -> str:
        parts = [self.master.describe(6000)] if self.master else []
        parts += [slave.describe(2500) for slave in self.slaves.values()]
        return "\n".join(parts)

    def counts(self, before: int) -> tuple[int, int, int]:
        """(counted by the master, cut off in flight, logged by nginx) since `before` log lines."""
        logged = self.nginx.settled_count() - before
        counted = int(csv_aggregated(self.workdir / "run_stats.csv")["Request Count"])
        return counted, interrupted(self.master.stdout()), logged


@pytest.fixture
def cluster(topology, nginx, workdir):
    cluster = Cluster(topology, nginx, workdir)
    yield cluster
    cluster.stop_sampling()


def by_host(topology: Topology) -> dict[str, str]:
    return {topology.address(host): host for host in SLAVES + ("master", "nginx")}


# ---------------------------------------------------------------------------------------------------- tests


@pytest.mark.time_limit(60)
def test_cluster_on_its_own_hosts_counts_what_nginx_served(cluster: Cluster, nginx: Nginx, topology: Topology, figures):
    before = nginx.count()
    started = time.monotonic()
    master = cluster.start_master(users=30, run_time="6s", slaves=3)
    for host in SLAVES:
        cluster.start_slave(host)
    code = cluster.finish()
    codes = cluster.slave_codes()
    assert code == 0, cluster.logs()
    assert codes == {host: 0 for host in SLAVES}, cluster.logs()
    counted, cut_off, logged = cluster.counts(before)
    figures(f"own hosts: master counted {counted} + {cut_off} cut off, nginx logged {logged} "
            f"({time.monotonic() - started:.1f} s)")
    assert counted + cut_off == logged, cluster.logs()
    assert counted >= 150, cluster.logs()
    # Every slave sent its requests from its own address, the master none.
    senders = {address for _, address in nginx.entries(before)}
    assert senders == {topology.address(host) for host in SLAVES}, senders
    # The master names each slave by its host name and address.
    for host in SLAVES:
        assert f"({host}, {topology.address(host)}:" in master.stderr(), master.stderr()



def tls_identity(name: str) -> list[str]:
    pki = CHECKOUT / "Tests/Fixtures/cluster-tls"
    return ["--cluster-tls-cert", str(pki / f"{name}.pem"), "--cluster-tls-key", str(pki / f"{name}.key"),
            "--cluster-tls-ca", str(pki / "ca.pem")]


@pytest.mark.time_limit(75)
def test_mutual_tls_cluster_on_its_own_hosts(cluster: Cluster, nginx: Nginx, topology: Topology, figures):
    """The coordinator over mutual TLS between hosts (the test master certificate names 10.77.0.1): slave1
    has the plugin file, slave2 and slave3 fetch it from the master (-f -, allowed by mutual TLS); slave3's
    link is cut for 6 s and its TLS tunnel comes back; the total equals nginx's count."""
    before = nginx.count()
    started = time.monotonic()
    master = cluster.start_master(users=30, run_time="18s", slaves=3, extra=tls_identity("master"))
    cluster.start_slave("slave1", extra=tls_identity("slave"))
    for host in ("slave2", "slave3"):
        cluster.start_slave(host, extra=tls_identity("slave"), plugin="-")
    assert master.wait_for("All users spawned", 25), cluster.logs()
    time.sleep(1.5)
    master_offset = len(master.stderr())
    cut_at = time.monotonic()
    topology.cut("slave3")
    missing = master.wait_for("setting state to missing", 8, after=master_offset)
    assert missing, f"slave3 was not marked missing within 8 s of its link going down\n{cluster.logs()}"
    time.sleep(max(0.0, cut_at + 6 - time.monotonic()))
    master_offset = len(master.stderr())
    restored_at = time.monotonic()
    topology.restore("slave3")
    back = master.wait_for("is back", 10, after=master_offset)
    assert back, f"slave3 did not come back over TLS within 10 s of its link coming up\n{cluster.logs()}"
    code = cluster.finish()
    codes = cluster.slave_codes()
    counted, cut_off, logged = cluster.counts(before)
    figures(f"mutual TLS on own hosts: slave3 back {back - restored_at:.1f} s after its link, master counted "
            f"{counted} + {cut_off} cut off, nginx logged {logged} ({time.monotonic() - started:.1f} s)")
    assert code == 0, cluster.logs()
    assert codes == {host: 0 for host in SLAVES}, cluster.logs()
    for host in ("slave2", "slave3"):
        assert "Got the master's plugin libTestTargets.so" in cluster.slaves[host].stderr(), cluster.logs()
    assert counted <= logged <= counted + cut_off, cluster.logs()
    assert counted >= 150, cluster.logs()
    assert {address for _, address in nginx.entries(before)} == {topology.address(host) for host in SLAVES}
    # Named by their own addresses, not the tunnels' Unix sockets; no handshake failed.
    for host in SLAVES:
        assert f"({host}, {topology.address(host)}:" in master.stderr(), master.stderr()
    assert "TLS handshake" not in master.stderr(), cluster.logs()

@pytest.mark.time_limit(75)
def test_slave_link_cut_for_10_s(cluster: Cluster, nginx: Nginx, topology: Topology, figures):
    """Slave3's link is down for 10 s: marked missing, its 10 users go to the other two (15 each), it comes
    back, gets its share again (10/10/10); the master never counts more than the 30 users."""
    before = nginx.count()
    master = cluster.start_master(users=30, run_time="22s", slaves=3)
    for host in SLAVES:
        cluster.start_slave(host)
    assert master.wait_for("All users spawned", 20), cluster.logs()
    cluster.start_sampling()
    time.sleep(1.5)
    offsets = {host: len(slave.stderr()) for host, slave in cluster.slaves.items()}
    master_offset = len(master.stderr())
    cut_at = time.monotonic()
    topology.cut("slave3")
    missing = master.wait_for("setting state to missing", 8, after=master_offset)
    assert missing, f"slave3 was not marked missing within 8 s of its link going down\n{cluster.logs()}"
    missing_after = missing - cut_at
    for host in ("slave1", "slave2"):
        assert cluster.slaves[host].wait_for("(15 total users)", 5, after=offsets[host]), \
            f"{host} did not take over slave3's users\n{cluster.logs()}"
    cluster.wait_until(lambda: cluster.samples and cluster.samples[-1].at > missing + 1.5
                       and cluster.samples[-1].user_count == 30, 5, "the master shows the 30 users on 2 slaves")
    during = cluster.samples[-1]
    assert during.workers.get("slave3", ("missing",))[0] == "missing", during
    time.sleep(max(0.0, cut_at + 10 - time.monotonic()))
    offsets = {host: len(slave.stderr()) for host, slave in cluster.slaves.items()}
    master_offset = len(master.stderr())
    restored_at = time.monotonic()
    topology.restore("slave3")
    back = master.wait_for("is back", 10, after=master_offset)
    assert back, f"slave3 did not come back within 10 s of its link coming up\n{cluster.logs()}"
    back_after = back - restored_at
    for host in SLAVES:
        assert cluster.slaves[host].wait_for("(10 total users)", 8, after=offsets[host]), \
            f"{host} did not get its share of 10 back\n{cluster.logs()}"
    settled = cluster.wait_until(
        lambda: next((s for s in reversed(cluster.samples) if s.at > back + 1 and s.user_count == 30
                      and sorted(u for _, u in s.workers.values()) == [10, 10, 10]), None),
        8, "the master shows 10/10/10 users")
    code = cluster.finish()
    codes = cluster.slave_codes()
    counted, cut_off, logged = cluster.counts(before)
    peak = max(s.user_count for s in cluster.samples)
    over = [s for s in cluster.samples if s.user_count > 30]
    figures(f"slave link cut 10 s: missing after {missing_after:.1f} s, back {back_after:.1f} s after the link, "
            f"users at most {peak} (30 asked), master counted {counted} + {cut_off} cut off, nginx logged {logged}")
    assert code == 0, cluster.logs()
    assert codes == {host: 0 for host in SLAVES}, cluster.logs()
    # Missing after 3 s of silence, counted from the last heartbeat heard (0-1 s before the cut).
    assert 2 <= missing_after <= 5, f"missing after {missing_after:.1f} s (3 missed heartbeats)"
    assert not over, f"users counted twice: {[(round(s.at - restored_at, 1), s.user_count, s.workers) for s in over]}"
    # Requests the cut slave had sent into its dead link may reach nginx after the stop cut them off.
    assert counted <= logged <= counted + cut_off, f"{cluster.logs()}"
    assert settled.workers.keys() == set(SLAVES), settled
    # The cut slave noticed the silence too and stopped its users; its reports held up by the cut are
    # late, not skewed: they keep their times.
    assert "No word from the master for" in cluster.slaves["slave3"].stderr(), cluster.logs()
    assert "clock is" not in master.stderr(), cluster.logs()


@pytest.mark.time_limit(75)
def test_master_link_cut(cluster: Cluster, nginx: Nginx, topology: Topology, figures):
    """The master's link is down for 8 s: every slave notices the silence and stops its users within 2 s
    of noticing; the master, its last slave missing, stops the test (as Locust's does); once the link is
    back the slaves are back, their statistics reach the master, and everything ends cleanly."""
    before = nginx.count()
    # --autoquit 12: the master stays up across the cut, so that the slaves come back to it.
    master = cluster.start_master(users=30, run_time="20s", slaves=3, autoquit=12)
    for host in SLAVES:
        cluster.start_slave(host)
    assert master.wait_for("All users spawned", 20), cluster.logs()
    time.sleep(1.5)
    offsets = {host: len(slave.stderr()) for host, slave in cluster.slaves.items()}
    master_offset = len(master.stderr())
    cut_at, cut_wall = time.monotonic(), time.time()
    topology.cut("master")
    noticed: dict[str, float] = {}
    for host, slave in cluster.slaves.items():
        seen = slave.wait_for("No word from the master", max(0.1, 8 - (time.monotonic() - cut_at)), after=offsets[host])
        if seen:
            noticed[host] = seen - cut_at
    time.sleep(max(0.0, cut_at + 8 - time.monotonic()))
    restore_wall = time.time()
    offsets = {host: len(slave.stderr()) for host, slave in cluster.slaves.items()}
    # What each slave sent to nginx while the master was out of reach.
    during = [(wall - cut_wall, address) for wall, address in nginx.entries(before) if cut_wall <= wall <= restore_wall]
    restored_at = time.monotonic()
    topology.restore("master")
    backs = cluster.wait_until(
        lambda: (lambda n: n if n >= 3 else None)(master.stderr()[master_offset:].count("is back")), 10,
        "the 3 slaves are back")
    back_after = time.monotonic() - restored_at
    ended = "stopping test" in master.stderr()[master_offset:]
    if ended:
        assert "The last slave went missing, stopping test" in master.stderr()[master_offset:], cluster.logs()
    if not ended:
        # The test went on: each slave gets its share again.
        for host in SLAVES:
            assert cluster.slaves[host].wait_for("(10 total users)", 8, after=offsets[host]), \
                f"{host} did not start its 10 users again\n{cluster.logs()}"
    code = cluster.finish(timeout=40)
    codes = cluster.slave_codes()
    counted, cut_off, logged = cluster.counts(before)
    hosts = by_host(topology)
    last_request = {hosts[a]: max(t for t, b in during if b == a) for a in {a for _, a in during}}
    figures(f"master link cut 8 s: slaves noticed after {', '.join(f'{h} {t:.1f} s' for h, t in sorted(noticed.items())) or 'never'}; "
            f"their last requests {', '.join(f'{h} {t:.1f} s' for h, t in sorted(last_request.items()))} after the cut; "
            f"test {'stopped by the master (last slave missing)' if ended else 'resumed'}; "
            f"{backs} back {back_after:.1f} s after the link; master counted {counted} + {cut_off} cut off, nginx logged {logged}")
    assert set(noticed) == set(SLAVES), f"slaves that noticed the master's silence: {noticed}\n{cluster.logs()}"
    for host, seconds in noticed.items():
        assert seconds <= 5, f"{host} noticed after {seconds:.1f} s"
        assert last_request.get(host, 0) <= seconds + 2, \
            f"{host} sent requests {last_request.get(host):.1f} s after the cut, {seconds:.1f} s after it noticed"
    assert code == 0, cluster.logs()
    assert codes == {host: 0 for host in SLAVES}, cluster.logs()
    assert counted + cut_off == logged, cluster.logs()
    assert "clock is" not in master.stderr(), f"reports held up by the cut taken for clock skew\n{cluster.logs()}"


def run_with_lossy_link(cluster: Cluster, nginx: Nginx, figures, label: str, fault) -> None:
    before = nginx.count()
    master = cluster.start_master(users=30, run_time="10s", slaves=3)
    for host in SLAVES:
        cluster.start_slave(host)
    assert master.wait_for("All users spawned", 20), cluster.logs()
    fault()
    code = cluster.finish()
    codes = cluster.slave_codes()
    counted, cut_off, logged = cluster.counts(before)
    figures(f"{label}: master counted {counted} + {cut_off} cut off, nginx logged {logged}; "
            f"'missing' lines: {master.stderr().count('setting state to missing')}")
    assert "setting state to missing" not in master.stderr(), cluster.logs()
    assert code == 0, cluster.logs()
    assert codes == {host: 0 for host in SLAVES}, cluster.logs()
    assert counted + cut_off == logged, cluster.logs()


@pytest.mark.time_limit(60)
def test_delay_and_loss_on_a_slave_link(cluster: Cluster, nginx: Nginx, topology: Topology, figures):
    """200 ms added each way and 5 % loss on slave1's link (tc netem): no false 'missing', exact counts."""
    reason = topology.netem_available()
    if reason:
        figures(f"netem: skipped, tc qdisc netem is not available here ({reason}: no sch_netem in this kernel)")
        pytest.skip(f"tc qdisc netem is not available here ({reason}): the kernel lacks sch_netem")
    run_with_lossy_link(cluster, nginx, figures, "netem 200 ms + 5 % loss on slave1",
                        lambda: topology.netem("slave1", "delay", "200ms", "loss", "5%"))


@pytest.mark.time_limit(60)
def test_loss_on_a_slave_link_nftables(cluster: Cluster, nginx: Nginx, topology: Topology, figures):
    """5 % of slave1's packets dropped each way (nftables: works without sch_netem): no false 'missing'."""
    if topology.exec("slave1", ["nft", "--version"]).returncode != 0:
        pytest.skip("nft (nftables) is not available")
    run_with_lossy_link(cluster, nginx, figures, "nftables 5 % loss each way on slave1",
                        lambda: topology.nft_loss("slave1", 5))
    drops = topology.nft_drops("slave1")
    assert "drop" in drops, drops


@pytest.mark.time_limit(60)
def test_clock_skew_on_its_own_host(cluster: Cluster, nginx: Nginx, topology: Topology, figures):
    """Slave2's wall clock 180 s ahead (libfaketime, monotonic clock untouched): the count, the summary's
    req/s, the current rate and the chart history stay those of a 20 req/s test (Locust #2300)."""
    if not Path(FAKETIME).is_file():
        pytest.skip(f"{FAKETIME} is missing: make deps installs faketime")
    before = nginx.count()
    master = cluster.start_master(users=20, run_time="12s", slaves=2, autoquit=3)
    cluster.start_slave("slave1")
    # The faketime program (libfaketime preloaded by hand loses a Swift program's arguments); it runs
    # the slave as its child, which teardown signals first.
    cluster.start_slave("slave2", wrapper=(FAKETIME, "-f", "+180s"), env={"FAKETIME_DONT_FAKE_MONOTONIC": "1"})
    assert master.wait_for("All users spawned", 20), cluster.logs()
    spawned_wall = time.time()
    cluster.start_sampling()
    cluster.wait_until(lambda: cluster.samples and cluster.samples[-1].state in ("stopped", "ready"), 20,
                       "the test ends")
    history = cluster.api("/stats/history")
    code = cluster.finish()
    codes = cluster.slave_codes()
    counted, cut_off, logged = cluster.counts(before)
    rps = float(csv_aggregated(cluster.workdir / "run_stats.csv")["Requests/s"])
    # Locust's current rate is the mean of the seconds from the test's start (at most 12 s back) to 2 s
    # ago: 0 for the first ~3 s, and early on one second more or less moves it by a fifth; so read
    # it from the 8th second on.
    steady = [s.current_rps for s in cluster.samples if spawned_wall + 8 <= s.wall <= spawned_wall + 11.5]
    points = (history or {}).get("points", [])
    late_points = [p for p in points if p["time"] > time.time() + 2]
    steady_points = [p["current_rps"] for p in points if spawned_wall + 8 <= p["time"] <= spawned_wall + 11.5]
    figures(f"clock skew +180 s on slave2: summary {rps:.1f} req/s, current rate {min(steady, default=0):.1f}-"
            f"{max(steady, default=0):.1f}, history {min(steady_points, default=0):.1f}-{max(steady_points, default=0):.1f} "
            f"(20 asked); master counted {counted} + {cut_off} cut off, nginx logged {logged}")
    assert code == 0, cluster.logs()
    assert codes == {"slave1": 0, "slave2": 0}, cluster.logs()
    assert "s clock is 180 s ahead of this master's" in master.stderr(), cluster.logs()
    assert counted + cut_off == logged, cluster.logs()
    assert 15 < rps < 30, f"{rps} req/s for a 20 req/s test"
    assert steady and all(15 < value < 26 for value in steady), \
        f"current_rps while running: {[(round(s.wall - spawned_wall, 2), s.current_rps) for s in cluster.samples]}"
    assert points and not late_points, f"history points from the future: {late_points[:3]}"
    assert steady_points and all(15 < value < 26 for value in steady_points), f"history's current_rps: {steady_points}"
