"""The container image and the deployment files (issue 14, section 3).

- The image builds (scripts/image.sh, buildah with the vfs driver, a cached debootstrap root), with the
  TestTargets plugin baked in, and its configuration is what Kubernetes and Locust's operator expect.
- A master and two slaves run from the image's filesystem (`buildah run --isolation chroot`, host
  network) against nginx on 127.0.0.1: the master with the plugin from the ConfigMap that
  scripts/image-plugin-configmap.sh makes (as deploy/kubernetes/ runs it), one slave with the baked
  plugin (byte for byte the same file) and Locust's spelling
  (`--worker --master-host`, as Locust's operator passes it), one fetching the plugin from the master
  (`--slave -f -`, with the cluster token from the environment); the total equals nginx's count.
- deploy/kubernetes/ validates against Kubernetes' schemas offline (kubernetes-validate, strict), with a
  plugin ConfigMap made by scripts/image-plugin-configmap.sh; deploy/docker-compose.yml is parsed by
  Docker Compose itself (`docker-compose config`, Debian's Compose 1.29; no engine runs here, so it is not
  started) and checked for shape.

The environment (`make image-test` sets it):
  LOCUST_BIN            the runner; libLocustAPI.so beside it (default .build/release/locust)
  LOCUST_TEST_PLUGIN    TestTargets (default Plugins/TestTargets/.build/release/libTestTargets.so)
  LOCUST_IMAGE_CACHE    where the debootstrap root is cached (default /var/cache/swiftlocust/image)
Needs root, buildah and debootstrap (`make image-deps`).
"""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

CHECKOUT = Path(__file__).resolve().parents[2]
LOCUST_BIN = Path(os.environ.get("LOCUST_BIN") or CHECKOUT / ".build/release/locust")
TEST_PLUGIN = Path(
    os.environ.get("LOCUST_TEST_PLUGIN") or CHECKOUT / "Plugins/TestTargets/.build/release/libTestTargets.so")
IMAGE_CACHE = os.environ.get("LOCUST_IMAGE_CACHE") or "/var/cache/swiftlocust/image"
TAG = f"localhost/swiftlocust-test-{os.getpid()}:latest"
BUILDAH = ["buildah", "--storage-driver", os.environ.get("BUILDAH_STORAGE_DRIVER", "vfs")]
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]  # the oldest and newest that kubernetes-validate bundles and we claim

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)


# ------------------------------------------------------------------------------------------------ the image


@pytest.fixture(scope="module")
def image(figure) -> str:
    if os.geteuid() != 0:
        pytest.fail("the image tests need root (buildah with the vfs driver, debootstrap)")
    for tool in ("buildah", "debootstrap"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: make image-deps")
    for path in (LOCUST_BIN, LOCUST_BIN.parent / "libLocustAPI.so", TEST_PLUGIN):
        if not path.is_file():
            pytest.fail(f"no {path}: make build")
    start = time.monotonic()
    result = run([str(CHECKOUT / "scripts/image.sh"), "--bin", str(LOCUST_BIN.parent), "--plugin", str(TEST_PLUGIN),
                  "--tag", TAG, "--cache", IMAGE_CACHE], timeout=900)
    assert result.returncode == 0, f"scripts/image.sh failed:\n{result.stdout}\n{result.stderr}"
    figure(f"image built in {time.monotonic() - start:.1f} s: {result.stdout.strip().splitlines()[-1]}")
    try:
        yield TAG
    finally:
        run([*BUILDAH, "rmi", "--force", TAG])


def inspect(image: str) -> dict:
    result = run([*BUILDAH, "inspect", "--type", "image", image])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_image_configuration(image, figure):
    info = inspect(image)
    config = info["OCIv1"]["config"]
    assert config["Entrypoint"] == ["locust"], config
    assert config["User"] == "1000:1000", config
    assert config["WorkingDir"] == "/home/locust", config
    assert set(config["ExposedPorts"]) == {"8089/tcp", "5557/tcp"}, config
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["LOCUST_LOCUSTFILE"] == "/opt/swiftlocust/plugins/libTestTargets.so", env
    assert config["Labels"]["io.swiftlocust.plugin"] == "libTestTargets.so"


class Container:
    """A buildah working container of the image, removed (unmounted first) when the test ends."""

    def __init__(self, image: str, name: str):
        result = run([*BUILDAH, "from", "--name", name, image], timeout=300)
        assert result.returncode == 0, f"buildah from: {result.stderr}"
        self.name = result.stdout.strip().splitlines()[-1]

    def command(self, args: list[str], env: dict[str, str] | None = None, volumes: list[str] | None = None) -> list[str]:
        prefix = [*BUILDAH, "run", "--isolation", "chroot", "--network", "host"]
        for key, value in (env or {}).items():
            prefix += ["--env", f"{key}={value}"]
        for volume in volumes or []:
            prefix += ["--volume", volume]
        return [*prefix, self.name, "--", *args]

    def remove(self) -> None:
        run([*BUILDAH, "umount", self.name])
        run([*BUILDAH, "rm", self.name])


@pytest.fixture
def container(image):
    made: list[Container] = []

    def make(name: str) -> Container:
        box = Container(image, f"swiftlocust-test-{os.getpid()}-{name}")
        made.append(box)
        return box

    try:
        yield make
    finally:
        for box in made:
            box.remove()


def test_libraries_resolve_inside_the_image(container):
    box = container("ldd")
    for path in ("/usr/local/bin/locust", "/opt/swiftlocust/plugins/libTestTargets.so"):
        result = run(box.command(["ldd", path]))
        assert result.returncode == 0 and "not found" not in result.stdout, f"ldd {path}:\n{result.stdout}{result.stderr}"
        # Nothing comes from the host's toolchain: every library is the image's own.
        assert "/opt/swift" not in result.stdout, result.stdout
    result = run(box.command(["locust", "--version"]))
    assert result.returncode == 0, result.stderr
    result = run(box.command(["locust", "--list"]))  # the baked plugin, through LOCUST_LOCUSTFILE
    assert result.returncode == 0 and "CountingUser" in result.stdout, f"{result.stdout}{result.stderr}"
    # The runner preloads the image's jemalloc (ldd does not list it): its statistics at exit prove it.
    result = run(box.command(["locust", "--version"], env={"MALLOC_CONF": "stats_print:true"}))
    assert result.returncode == 0 and "Begin jemalloc statistics" in result.stderr, f"not on jemalloc:\n{result.stderr[-2000:]}"


# ------------------------------------------------------------------------------------------------ nginx


class Nginx:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = 0

    def start(self) -> None:
        for _ in range(3):
            port = free_port()
            result = run(["bash", str(CHECKOUT / "scripts/nginx-test.sh"), "start", str(self.directory), str(port)], timeout=30)
            if result.returncode == 0:
                self.port = port
                return
        pytest.fail(f"nginx did not start: {result.stderr}")

    def stop(self) -> None:
        run(["bash", str(CHECKOUT / "scripts/nginx-test.sh"), "stop", str(self.directory)], timeout=30)

    def settled_count(self) -> int:
        log = self.directory / "access.log"
        size, stable = -1, time.monotonic()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            now = log.stat().st_size if log.exists() else 0
            if now != size:
                size, stable = now, time.monotonic()
            elif time.monotonic() - stable > 0.3:
                break
            time.sleep(0.05)
        return sum(1 for line in log.read_bytes().splitlines(keepends=True) if line.endswith(b"\n")) if log.exists() else 0


@pytest.fixture
def nginx(tmp_path):
    server = Nginx(tmp_path / "nginx")
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Started:
    """A `buildah run` in its own process group, stopped by that group's id when the test ends."""

    def __init__(self, args: list[str], log: Path):
        self.log = log
        self.out = open(log, "wb")
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                if self.wait(grace) is not None:
                    break
        self.out.close()


def test_master_and_two_slaves_from_the_image_count_what_nginx_served(container, nginx, tmp_path, figure):
    start = time.monotonic()
    master_box, slave_box, fetching_box = container("master"), container("slave"), container("fetching")
    figure(f"three working containers made in {time.monotonic() - start:.1f} s")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)  # the image runs as uid 1000
    port = free_port()
    token = secrets.token_hex(16)
    host = f"http://127.0.0.1:{nginx.port}"
    processes: list[Started] = []
    try:
        # The master as deploy/kubernetes/ runs it: the plugin from the ConfigMap that
        # scripts/image-plugin-configmap.sh makes (its binaryData, mounted read-only at /plugin);
        # headless, waiting for two slaves.
        made = run([str(CHECKOUT / "scripts/image-plugin-configmap.sh"), str(TEST_PLUGIN)])
        assert made.returncode == 0, made.stderr
        plugin_dir = tmp_path / "plugin"
        plugin_dir.mkdir()
        (plugin_dir / "plugin.so").write_bytes(base64.b64decode(yaml.safe_load(made.stdout)["binaryData"]["plugin.so"]))
        master = Started(master_box.command(
            ["locust", "-f", "/plugin/plugin.so", "--master", "--headless", "-u", "6", "-r", "6", "-t", "8s", "--expect-slaves", "2",
             "--expect-slaves-max-wait", "60s", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
             "--stop-timeout", "5", "--host", host, "--csv", "/out/run", "--only-summary", "CountingUser", "PacedUser"],
            env={"LOCUST_CLUSTER_TOKEN": token}, volumes=[f"{out}:/out", f"{plugin_dir}:/plugin:ro"]), tmp_path / "master.log")
        processes.append(master)
        # Locust's spelling, as its Kubernetes operator starts workers (`--worker --master-host SVC` and
        # the arguments it gives the master too); the plugin baked in.
        processes.append(Started(slave_box.command(
            ["locust", "--worker", "--master-host", "127.0.0.1", "--master-port", str(port), "--host", host],
            env={"LOCUST_CLUSTER_TOKEN": token}), tmp_path / "slave.log"))
        # The plugin from the master: -f -, allowed because the coordinator is authenticated.
        processes.append(Started(fetching_box.command(
            ["locust", "--slave", "-f", "-", "--master-host", "127.0.0.1", "--master-port", str(port)],
            env={"LOCUST_CLUSTER_TOKEN": token}), tmp_path / "fetching.log"))

        code = master.wait(timeout=120)
        logs = "\n".join(f"--- {p.log.name}\n{p.text()[-3000:]}" for p in processes)
        assert code == 0, f"the master exited with {code}\n{logs}"
        for slave in processes[1:]:
            assert slave.wait(timeout=30) is not None, f"{slave.log.name} still runs after the master quit\n{logs}"
        logged = nginx.settled_count()
        with open(out / "run_stats.csv", newline="") as table:
            aggregated = next(row for row in csv.DictReader(table) if row["Name"] == "Aggregated")
        counted = int(aggregated["Request Count"])
        summary = master.text()
        cut = re.search(r"(\d+) requests? (?:was|were) in flight when the users were stopped", summary)
        cut_off = int(cut.group(1)) if cut else 0
        fetched = processes[2].text()
        figure(f"cluster from the image: master counted {counted} (+{cut_off} cut off), nginx logged {logged},"
               f" failures {aggregated['Failure Count']}; run in {time.monotonic() - start:.1f} s")
        assert counted > 100, f"too few requests for a meaningful count: {counted}\n{logs}"
        assert counted + cut_off == logged, f"the master counted {counted} (+{cut_off} cut off), nginx logged {logged}\n{logs}"
        assert aggregated["Failure Count"] == "0", logs
        assert "Got the master's plugin plugin.so" in fetched, f"the -f - slave did not fetch the plugin:\n{fetched}"
    finally:
        for process in processes:
            process.stop()


# ------------------------------------------------------------------------------------------------ manifests


DEPLOY = CHECKOUT / "deploy"
MANIFESTS = sorted((DEPLOY / "kubernetes").rglob("*.yaml"))


def validate(paths: list[Path], version: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", "-k", version, *map(str, paths)], timeout=120)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_validate_against_kubernetes_schemas(version, tmp_path):
    assert MANIFESTS, "no manifests under deploy/kubernetes"
    configmap = tmp_path / "plugin-configmap.yaml"
    made = run([str(CHECKOUT / "scripts/image-plugin-configmap.sh"), str(TEST_PLUGIN)])
    assert made.returncode == 0, made.stderr
    configmap.write_text(made.stdout)
    result = validate([*MANIFESTS, configmap], version)
    assert result.returncode == 0, f"kubernetes-validate -k {version}:\n{result.stdout}{result.stderr}"
    # And it does fail on a mistake (strict: an unknown field), so the pass above means something.
    broken = tmp_path / "broken.yaml"
    broken.write_text((DEPLOY / "kubernetes/slaves.yaml").read_text().replace("replicas: 2", "replica: 2"))
    assert validate([broken], version).returncode != 0, "kubernetes-validate accepted an unknown field"


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def containers_of(doc: dict) -> list[dict]:
    return doc["spec"]["template"]["spec"]["containers"]


def test_manifests_fit_together():
    """Labels select, ports match, probes hit the UI, the slaves reach the Service, the token is a Secret."""
    master_docs = documents(DEPLOY / "kubernetes/master.yaml")
    deployment = next(d for d in master_docs if d["kind"] == "Deployment")
    service = next(d for d in master_docs if d["kind"] == "Service")
    slaves = documents(DEPLOY / "kubernetes/slaves.yaml")[0]
    job = documents(DEPLOY / "kubernetes/job/master-job.yaml")[0]
    for workload in (deployment, job):
        assert service["spec"]["selector"].items() <= workload["spec"]["template"]["metadata"]["labels"].items()
    assert {p["port"] for p in service["spec"]["ports"]} == {5557, 8089}
    master = containers_of(deployment)[0]
    assert master["readinessProbe"]["httpGet"]["path"] == "/" and master["readinessProbe"]["httpGet"]["port"] == "web"
    assert {p["name"]: p["containerPort"] for p in master["ports"]} == {"web": 8089, "coordinator": 5557}
    assert "--master" in master["args"] and "--master" in containers_of(job)[0]["args"]
    slave = containers_of(slaves)[0]
    args = slave["args"]
    assert args[args.index("--master-host") + 1] == service["metadata"]["name"]
    assert args[args.index("-f") + 1] == "-"
    for pod in (master, slave, containers_of(job)[0]):
        env = {e["name"]: e for e in pod["env"]}
        assert env["LOCUST_CLUSTER_TOKEN"]["valueFrom"]["secretKeyRef"]["name"] == "swiftlocust-cluster-token"
        assert pod["resources"]["requests"]["cpu"] and pod["resources"]["limits"]["memory"]
        assert pod["image"] == master["image"]
    assert slaves["spec"]["replicas"] >= 1


def test_docker_compose_file():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"master", "slave"}
    assert services["master"]["image"] == services["slave"]["image"]
    assert "--master" in services["master"]["command"]
    slave = services["slave"]["command"]
    assert "--slave" in slave and slave[slave.index("--master-host") + 1] == "master"
    assert slave[slave.index("-f") + 1] == "-"
    for service in services.values():
        assert "LOCUST_CLUSTER_TOKEN" in service["environment"]


def test_docker_compose_accepts_the_compose_file(tmp_path):
    """Docker Compose's own parser (`docker-compose config`, Compose 1.29 from Debian; it needs no engine)
    takes deploy/docker-compose.yml as it is, refuses it without the cluster token, and refuses a misspelt key."""
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is missing: make image-test-deps installs it"
    file = DEPLOY / "docker-compose.yml"
    env = {"PATH": os.environ["PATH"], "LOCUST_CLUSTER_TOKEN": secrets.token_hex(16), "PLUGIN": str(tmp_path / "plugin.so")}

    def config(path, environment):
        return subprocess.run([compose, "-f", str(path), "config"], env=environment, capture_output=True, text=True, timeout=60)

    done = config(file, env)
    assert done.returncode == 0, done.stderr
    rendered = yaml.safe_load(done.stdout)
    assert rendered["services"]["slave"]["deploy"]["replicas"] == 2
    assert rendered["services"]["master"]["environment"]["LOCUST_CLUSTER_TOKEN"] == env["LOCUST_CLUSTER_TOKEN"]
    assert rendered["services"]["master"]["volumes"][0].startswith(env["PLUGIN"] + ":/plugin/plugin.so")

    without_token = {k: v for k, v in env.items() if k != "LOCUST_CLUSTER_TOKEN"}
    refused = config(file, without_token)
    assert refused.returncode != 0 and "set LOCUST_CLUSTER_TOKEN to a shared secret" in refused.stderr, refused.stderr

    misspelt = tmp_path / "docker-compose.yml"
    misspelt.write_text(file.read_text().replace("replicas: 2", "replicass: 2"))
    refused = config(misspelt, env)
    assert refused.returncode != 0 and "replicass" in refused.stderr, refused.stderr


def test_web_ui_from_the_image_answers_the_readiness_probe(container, tmp_path):
    """`GET /` (the manifests' readinessProbe) answers 200, and Chart.js comes from the image's Debian."""
    import urllib.request

    box = container("web")
    web_port, master_port = free_port(), free_port()
    master = Started(box.command(
        ["locust", "--master", "--web-host", "127.0.0.1", "--web-port", str(web_port),
         "--master-bind-host", "127.0.0.1", "--master-bind-port", str(master_port)],
        env={"LOCUST_CLUSTER_TOKEN": secrets.token_hex(16)}), tmp_path / "web.log")
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status != 200:
            assert master.process.poll() is None, f"the master exited:\n{master.text()}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/", timeout=2) as response:
                    status = response.status
            except OSError:
                time.sleep(0.2)
        assert status == 200, f"GET / never answered 200:\n{master.text()}"
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/assets/chart.min.js", timeout=5) as response:
            script = response.read()
        assert b"Chart.js not found" not in script and len(script) > 50_000, script[:200]
    finally:
        master.stop()
