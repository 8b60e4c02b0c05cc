"""`--web-base-path /locust`: the page, its files and the API under the prefix, nothing outside it."""

from __future__ import annotations

import re

import pytest
import requests

from conftest import template_args

BASE = "/locust"


@pytest.fixture(scope="module")
def prefixed(module_launcher, nginx):
    return module_launcher.start("CountingUser", "FailingUser", "--host", nginx.url, "--web-base-path", BASE,
                                 base_path=BASE, name="base-path")


def root(locust) -> str:
    return f"http://127.0.0.1:{locust.web_port}"


def test_page_under_the_base_path_has_prefixed_urls(prefixed, nginx):
    response = requests.get(root(prefixed) + BASE + "/", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert template_args(page)["host"] == nginx.url
    assert re.search(r'window\.basePath = "/locust"', page), "the page does not tell its script the base path"
    urls = re.findall(r'(?:href|src)="([^"#][^"]*)"', page)
    local = [url for url in urls if not url.startswith(("data:", "http:", "https:"))]
    assert local, "no local URL in the page"
    unprefixed = [url for url in local if not url.startswith(BASE + "/")]
    assert not unprefixed, f"URLs outside {BASE}: {unprefixed}"
    for asset in ("/assets/app.js", "/assets/app.css", "/assets/chart.min.js"):
        assert BASE + asset in local, f"the page does not load {BASE + asset}"
        assert requests.get(root(prefixed) + BASE + asset, timeout=10).status_code == 200, asset
    for link in ("/stats/requests/csv", "/stats/failures/csv", "/exceptions/csv", "/stats/report?download=1"):
        assert BASE + link in local, f"no download link {BASE + link}"


def test_base_path_without_trailing_slash(prefixed):
    response = requests.get(root(prefixed) + BASE, timeout=10)
    assert response.status_code == 200 and "window.templateArgs" in response.text, (
        f"GET {BASE}: {response.status_code} {response.url}")


def test_api_under_the_base_path(prefixed):
    stats = prefixed.stats()
    assert stats["state"] == "ready"
    prefixed.swarm(user_count=2, spawn_rate=2)
    prefixed.wait_requests("/fail")
    for path in ("/stats/requests/csv", "/exceptions", "/tasks", "/logs", "/worker-count", "/stats/history", "/metrics"):
        assert prefixed.get(path).status_code == 200, path
    prefixed.stop_test()


@pytest.mark.parametrize("path", ["/", "/stats/requests", "/assets/app.js", "/swarm", "/locustx/stats/requests"])
def test_nothing_outside_the_base_path(prefixed, path):
    method = requests.post if path == "/swarm" else requests.get
    response = method(root(prefixed) + path, timeout=10)
    assert response.status_code == 404, f"{path}: {response.status_code}"
