"""`--web-auth` (HTTP basic authentication), `--tls-cert`/`--tls-key` (HTTPS), and the web flags' errors."""

from __future__ import annotations

import socket
import ssl
import subprocess
import time

import pytest
import requests

from conftest import LOCUST_BIN, TEST_PLUGIN, free_port

PROTECTED = [("GET", "/"), ("GET", "/stats/requests"), ("POST", "/swarm"), ("GET", "/assets/app.js")]


@pytest.fixture(scope="module")
def authed(module_launcher, nginx):
    return module_launcher.start("CountingUser", "--host", nginx.url, "--web-auth", "user:secret",
                                 auth=("user", "secret"), name="auth")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    # The subjectAltName lets a client check the name too (CN alone is not checked for an IP address).
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    return cert, key


def call(url: str, method: str, path: str, auth=None) -> requests.Response:
    data = {"user_count": "abc", "spawn_rate": "1"} if method == "POST" else None
    return requests.request(method, url + path, auth=auth, data=data, timeout=10)


@pytest.mark.parametrize("method,path", PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_web_auth_refuses_without_the_right_credentials(authed, method, path):
    for auth in (None, ("user", "wrong"), ("other", "secret"), ("user", "")):
        response = call(authed.url, method, path, auth=auth)
        assert response.status_code == 401, f"{method} {path} with {auth}: {response.status_code}"
        assert response.headers.get("WWW-Authenticate", "").startswith("Basic"), response.headers
    # A malformed Authorization header is refused too.
    response = requests.get(authed.url + path, headers={"Authorization": "Basic !!!"}, timeout=10) \
        if method == "GET" else requests.post(authed.url + path, headers={"Authorization": "Bearer x"}, timeout=10)
    assert response.status_code == 401


@pytest.mark.parametrize("method,path", PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_web_auth_accepts_the_right_credentials(authed, method, path):
    response = call(authed.url, method, path, auth=("user", "secret"))
    if method == "POST":
        # The form is refused on its merits (400), past the authentication.
        assert response.status_code == 400 and "user_count" in response.json()["message"], response.text
    else:
        assert response.status_code == 200, f"{method} {path}: {response.status_code}"


def test_web_auth_start_and_stop(authed):
    assert authed.swarm(user_count=1, spawn_rate=1)["success"] is True
    authed.wait_state("running")
    authed.stop_test()
    assert requests.post(authed.url + "/stop", timeout=10).status_code == 401


def test_tls(launcher, certificate, nginx):
    cert, key = certificate
    locust = launcher.start("CountingUser", "--host", nginx.url, "--tls-cert", str(cert), "--tls-key", str(key),
                            scheme="https", name="tls")
    assert locust.url.startswith("https://")
    # Verified against the certificate as its own CA.
    response = requests.get(locust.url + "/stats/requests", verify=str(cert), timeout=10)
    assert response.status_code == 200 and response.json()["state"] == "ready"
    assert requests.get(locust.url + "/", verify=False, timeout=10).status_code == 200
    context = ssl.create_default_context(cafile=str(cert))
    with socket.create_connection(("127.0.0.1", locust.web_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            assert tls.getpeercert()["subject"] == ((("commonName", "127.0.0.1"),),)
    # Plain HTTP on the HTTPS port gets no HTTP answer.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"http://127.0.0.1:{locust.web_port}/stats/requests", timeout=5)
    assert locust.running()


def run_bad(args: list[str]) -> tuple[int, str, str, float]:
    started = time.monotonic()
    result = subprocess.run([str(LOCUST_BIN), "-f", str(TEST_PLUGIN), "--web-host", "127.0.0.1", *args],
                            capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    return result.returncode, result.stdout, result.stderr, time.monotonic() - started


BAD_FLAGS = [
    ("tls_cert_without_key", ["--tls-cert", "{cert}"], "--tls-key"),
    ("tls_key_without_cert", ["--tls-key", "{key}"], "--tls-cert"),
    ("missing_cert_file", ["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "{key}"], "/nonexistent/cert.pem"),
    ("missing_key_file", ["--tls-cert", "{cert}", "--tls-key", "/nonexistent/key.pem"], "/nonexistent/key.pem"),
    ("web_auth_without_colon", ["--web-auth", "nocolon"], "--web-auth"),
    ("web_port_out_of_range", ["--web-port", "70000"], "--web-port"),
]


@pytest.mark.parametrize("args,mentions", [c[1:] for c in BAD_FLAGS], ids=[c[0] for c in BAD_FLAGS])
def test_bad_flag_is_one_line_and_exit_2(certificate, args, mentions):
    cert, key = certificate
    args = [a.format(cert=cert, key=key) for a in args]
    if "--web-port" not in args:
        args += ["--web-port", str(free_port())]
    code, out, err, seconds = run_bad(args)
    check_usage_error(code, out, err, seconds, mentions)


def test_web_port_in_use(nginx):
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    try:
        port = holder.getsockname()[1]
        code, out, err, seconds = run_bad(["CountingUser", "--host", nginx.url, "--web-port", str(port)])
        check_usage_error(code, out, err, seconds, str(port))
    finally:
        holder.close()


def check_usage_error(code: int, out: str, err: str, seconds: float, mentions: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, f"exit code {code}; stderr {err!r}"
    assert len(lines) == 1, f"stderr is not one line: {err!r}"
    assert lines[0].startswith("locust: error: "), lines[0]
    assert mentions in lines[0], f"{lines[0]!r} does not mention {mentions!r}"
    assert seconds < 5, f"took {seconds:.1f} s"
    assert "Traceback" not in out and "Backtrac" not in err
