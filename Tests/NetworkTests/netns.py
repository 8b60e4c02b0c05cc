"""A small network of Linux network namespaces for the network tests.

    switch (netns sl-PID-sw, bridge br0)
      ├─ port p-master  ── eth0 of sl-PID-master  10.77.0.1   the master (coordinator :5557, web UI :8089)
      ├─ port p-nginx   ── eth0 of sl-PID-nginx   10.77.0.2   nginx on :80
      ├─ port p-slave1  ── eth0 of sl-PID-slave1  10.77.0.11
      ├─ port p-slave2  ── eth0 of sl-PID-slave2  10.77.0.12
      └─ port p-slave3  ── eth0 of sl-PID-slave3  10.77.0.13

Each host is a namespace with its own loopback and one veth whose other end is a port of the switch's
bridge. Nothing is created in the root namespace and no namespace has a default route: the hosts reach
each other and nothing else. A link is cut by setting its switch port down (the host sees its carrier
go: no FIN, no RST, packets just vanish, as with a pulled cable) and restored by setting it up. Loss and
delay go on a host's eth0 with `tc netem` (when the kernel has sch_netem) or, loss only, with an
nftables rule (`numgen random mod 100 < N drop`).

Processes run with `ip netns exec NS unshare --uts sh -c 'hostname H; exec "$@"'`: every `exec` keeps the
PID, so the PID we hold is the program's own and is what we signal. Each host gets its own host name,
so slaves' ids and the master's logs name them.

Run by hand:  python3 Tests/NetworkTests/netns.py up NAME   /   ... down NAME
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

SUBNET = "10.77.0"
HOSTS = {
    "master": (f"{SUBNET}.1", "p-master"),
    "nginx": (f"{SUBNET}.2", "p-nginx"),
    "slave1": (f"{SUBNET}.11", "p-slave1"),
    "slave2": (f"{SUBNET}.12", "p-slave2"),
    "slave3": (f"{SUBNET}.13", "p-slave3"),
}


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def unusable_reason() -> str | None:
    """Why this machine cannot build the topology (None when it can)."""
    if os.geteuid() != 0:
        return "the network tests need root (ip netns, veth pairs)"
    for tool in ("ip", "unshare", "hostname", "curl"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            return f"the network tests need {tool}"
    probe = f"sl-{os.getpid()}-probe"
    try:
        run("ip", "netns", "add", probe)
        run("ip", "-n", probe, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", probe, "link", "add", "probe-a", "type", "veth", "peer", "name", "probe-b")
    except RuntimeError as error:
        return f"network namespaces, bridges or veth pairs are not available here: {error}"
    finally:
        run("ip", "netns", "del", probe, check=False)
    return None


@dataclass
class Process:
    """A program running on one host, its output in files (read while it runs)."""

    name: str
    popen: subprocess.Popen
    stdout_path: Path
    stderr_path: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait_for(self, text: str, timeout: float, after: int = 0) -> float | None:
        """Waits until `text` is in stderr (past its first `after` characters); the monotonic time it was seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.stderr()[after:]:
                return time.monotonic()
            if not self.running():
                return time.monotonic() if text in self.stderr()[after:] else None
            time.sleep(0.05)
        return None

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def children(self) -> list[int]:
        """The PIDs of this process's descendants (`faketime` runs its program as a child), deepest first."""
        found: list[int] = []

        def walk(pid: int) -> None:
            try:
                text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
            except OSError:
                return
            for child in text.split():
                walk(int(child))
                found.append(int(child))

        walk(self.pid)
        return found

    def stop(self) -> None:
        """SIGTERM, then SIGKILL: by PID, this process's descendants first, then itself."""
        if not self.running():
            return
        for signum in (signal.SIGTERM, signal.SIGKILL):
            for pid in self.children() + [self.pid]:
                try:
                    os.kill(pid, signum)
                except ProcessLookupError:
                    pass
            if self.wait(5) is not None:
                return

    def describe(self, tail: int = 3000) -> str:
        return f"--- {self.name} (pid {self.pid}, exit {self.popen.poll()}) stderr:\n{self.stderr()[-tail:]}"


class Topology:
    """The namespaces above, named `sl-<pid>-<host>`, and what runs on them."""

    def __init__(self, directory: Path, prefix: str | None = None):
        self.prefix = prefix or f"sl-{os.getpid()}"
        self.directory = directory
        self.switch = f"{self.prefix}-sw"
        self.processes: list[Process] = []

    def ns(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def address(self, host: str) -> str:
        return HOSTS[host][0]

    def port(self, host: str) -> str:
        return HOSTS[host][1]

    # ------------------------------------------------------------------ building and removing

    def up(self) -> None:
        self.down()
        run("ip", "netns", "add", self.switch)
        run("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.switch, "link", "set", "br0", "up")
        for host, (address, port) in HOSTS.items():
            ns = self.ns(host)
            run("ip", "netns", "add", ns)
            # Made in the switch's namespace with its peer in the host's: nothing in the root namespace.
            run("ip", "-n", self.switch, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            run("ip", "-n", self.switch, "link", "set", port, "master", "br0")
            run("ip", "-n", self.switch, "link", "set", port, "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
            run("ip", "-n", ns, "link", "set", "eth0", "up")

    def down(self) -> None:
        """Stops every process started here (by PID), then deletes the namespaces (also a leftover one)."""
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()
        existing = run("ip", "netns", "list", check=False).stdout.split("\n")
        names = {line.split()[0] for line in existing if line.strip()}
        for ns in [self.switch] + [self.ns(host) for host in HOSTS]:
            if ns in names:
                run("ip", "netns", "del", ns, check=False)

    def leftovers(self) -> list[str]:
        """Namespaces of this topology still present."""
        existing = run("ip", "netns", "list", check=False).stdout.split("\n")
        return [line.split()[0] for line in existing if line.strip().startswith(self.prefix + "-")]

    # ------------------------------------------------------------------ processes

    def start(self, host: str, args: list[str], name: str | None = None, env: dict[str, str] | None = None,
              cwd: Path | None = None) -> Process:
        name = name or host
        out = self.directory / f"{name}.{len(self.processes)}.out"
        err = self.directory / f"{name}.{len(self.processes)}.err"
        command = ["ip", "netns", "exec", self.ns(host), "unshare", "--uts", "sh", "-c",
                   'hostname "$0" && exec "$@"', host] + args
        environment = dict(os.environ)
        environment.update(env or {})
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            popen = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                     cwd=cwd or self.directory, env=environment)
        process = Process(name, popen, out, err)
        self.processes.append(process)
        return process

    def exec(self, host: str, args: list[str], timeout: float = 10) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.ns(host)] + args, capture_output=True, text=True,
                              timeout=timeout)

    def http_get(self, host: str, url: str, timeout: float = 3) -> str | None:
        """GET from inside `host` (the root namespace has no route to the hosts); None on failure."""
        result = self.exec(host, ["curl", "-s", "-f", "--max-time", str(timeout), url], timeout=timeout + 5)
        return result.stdout if result.returncode == 0 else None

    # ------------------------------------------------------------------ faults

    def cut(self, host: str) -> None:
        run("ip", "-n", self.switch, "link", "set", self.port(host), "down")

    def restore(self, host: str) -> None:
        run("ip", "-n", self.switch, "link", "set", self.port(host), "up")

    def netem_available(self) -> str | None:
        """None when `tc qdisc ... netem` works here, else the reason."""
        probe = run("ip", "netns", "exec", self.switch, "tc", "qdisc", "add", "dev", "br0", "root", "netem",
                    "delay", "1ms", check=False)
        if probe.returncode != 0:
            return probe.stderr.strip() or f"tc exited {probe.returncode}"
        run("ip", "netns", "exec", self.switch, "tc", "qdisc", "del", "dev", "br0", "root", check=False)
        return None

    def netem(self, host: str, *spec: str) -> None:
        """netem on both directions of `host`'s link: its eth0 and its switch port."""
        run("ip", "netns", "exec", self.ns(host), "tc", "qdisc", "add", "dev", "eth0", "root", "netem", *spec)
        run("ip", "netns", "exec", self.switch, "tc", "qdisc", "add", "dev", self.port(host), "root", "netem", *spec)

    def clear_netem(self, host: str) -> None:
        run("ip", "netns", "exec", self.ns(host), "tc", "qdisc", "del", "dev", "eth0", "root", check=False)
        run("ip", "netns", "exec", self.switch, "tc", "qdisc", "del", "dev", self.port(host), "root", check=False)

    def nft_loss(self, host: str, percent: int) -> None:
        """Drops `percent` % of the packets `host` sends and of those it receives (nftables, in its namespace)."""
        rules = f"""
table inet sl_loss {{
    chain out {{ type filter hook output priority 0; policy accept; oifname "eth0" numgen random mod 100 < {percent} drop; }}
    chain in {{ type filter hook input priority 0; policy accept; iifname "eth0" numgen random mod 100 < {percent} drop; }}
}}
"""
        result = subprocess.run(["ip", "netns", "exec", self.ns(host), "nft", "-f", "-"], input=rules,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"nft: {result.stderr.strip()}")

    def nft_drops(self, host: str) -> str:
        return self.exec(host, ["nft", "list", "table", "inet", "sl_loss"]).stdout

    def clear_nft(self, host: str) -> None:
        self.exec(host, ["nft", "delete", "table", "inet", "sl_loss"])


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("up", "down"):
        print(f"usage: {sys.argv[0]} up|down PREFIX (namespaces PREFIX-sw, PREFIX-master, ...)", file=sys.stderr)
        sys.exit(2)
    topology = Topology(Path("."), prefix=sys.argv[2])
    if sys.argv[1] == "up":
        topology.up()
        for host in HOSTS:
            print(f"{topology.ns(host)}\t{topology.address(host)}")
    else:
        topology.down()
