"""The page in a real browser (headless Chromium through Selenium), against a master with two slaves
and against a standalone runner, nginx as the target.

The screenshots the README shows are taken here: docs/web-ui.png (the Statistics tab while running) and
docs/web-ui-charts.png (the Charts tab).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import CHECKOUT, fixture_text, require_fixtures, wait_for
from shapes import row

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")
DOCS = CHECKOUT / "docs"

pytestmark = pytest.mark.time_limit(150)


@pytest.fixture(scope="module")
def browser():
    require_fixtures()
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            pytest.fail(f"no {path}: `make test-deps` installs chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,900", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """The page of one runner in the browser, with its console log kept."""

    def __init__(self, driver, locust):
        self.driver = driver
        self.locust = locust
        self.console: list[dict] = []

    def open(self) -> None:
        self.driver.get("about:blank")
        self.drain()
        self.console.clear()
        self.driver.get(self.locust.url + "/")

    def drain(self) -> None:
        try:
            self.console += self.driver.get_log("browser")
        except WebDriverException:
            pass

    def until(self, condition, timeout: float, message) -> object:
        def check(_):
            try:
                return condition()
            except StaleElementReferenceException:
                return False

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(check)
        except TimeoutException:
            self.drain()
            text = message() if callable(message) else message
            pytest.fail(f"after {timeout:g} s: {text}; console: {self.severe()[-5:]}")

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return self.find(css).text.strip()

    def visible(self, css: str) -> bool:
        elements = self.driver.find_elements(By.CSS_SELECTOR, css)
        return bool(elements) and elements[0].is_displayed()

    def click(self, css: str) -> None:
        self.until(lambda: self.visible(css) and self.find(css).is_enabled(), 10, f"{css} is not clickable")
        self.find(css).click()

    def type(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def tab(self, name: str) -> None:
        self.click(f"button.tab[data-tab={name}]")
        self.until(lambda: self.visible(f"section#tab-{name}"), 5, f"the {name} tab did not open")

    def status(self) -> str:
        return self.text("#status")

    def wait_status(self, state: str, timeout: float = 20) -> None:
        self.until(lambda: self.status() == state, timeout, lambda: f"#status is {self.status()!r}, not {state!r}")

    def stats_rows(self) -> list[dict]:
        return self.driver.execute_script("""
            return Array.from(document.querySelectorAll('#stats-table tbody tr[data-name]')).map(tr => ({
                name: tr.dataset.name, method: tr.dataset.method,
                num_requests: Number(tr.querySelector('td[data-col=num_requests]').textContent)}));""")

    def requests_of(self, name: str) -> int | None:
        found = [r["num_requests"] for r in self.stats_rows() if r["name"] == name]
        return found[0] if found else None

    def choose_classes(self, wanted: set[str]) -> None:
        boxes = self.driver.find_elements(By.CSS_SELECTOR, "input[name=user_classes]")
        names = {box.get_attribute("value") for box in boxes}
        assert wanted <= names, f"the class picker offers {sorted(names)}"
        for box in boxes:
            if (box.get_attribute("value") in wanted) != box.is_selected():
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
                box.click()
        chosen = {box.get_attribute("value") for box in boxes if box.is_selected()}
        assert chosen == wanted, f"checked {sorted(chosen)}"

    def start(self, users: int, rate: int, classes: set[str] | None = None) -> None:
        self.until(lambda: self.visible("#start-form"), 15, "the start form is not shown")
        self.type("#user_count", str(users))
        self.type("#spawn_rate", str(rate))
        if classes is not None:
            self.choose_classes(classes)
        self.click("#start-button")
        self.until(lambda: not self.visible("#start-form") or self.visible("#form-error"), 15, "the form stayed open")
        assert not self.visible("#form-error"), f"the form says {self.text('#form-error')!r}"

    def severe(self) -> list[str]:
        """SEVERE console entries from our page: every script error (only our scripts run in it; an
        inline or injected one has no URL) and every failed load from the runner's origin."""
        origin = f"127.0.0.1:{self.locust.web_port}"
        return [entry["message"] for entry in self.console
                if entry.get("level") == "SEVERE" and (entry.get("source") != "network" or origin in entry["message"])]

    def screenshot(self, name: str) -> Path:
        DOCS.mkdir(exist_ok=True)
        path = DOCS / name
        assert self.driver.save_screenshot(str(path)), f"no screenshot {path}"
        assert path.stat().st_size > 10_000, f"{path} is suspiciously small"
        return path


def wait_page_matches_api(page: Page) -> int:
    """Waits until the page's Aggregated row shows the API's count (the page polls every 2 s)."""
    def same():
        api = row(page.locust.stats(), "Aggregated")["num_requests"]
        return api if page.requests_of("Aggregated") == api else None

    return page.until(same, 10, lambda: f"the page shows {page.requests_of('Aggregated')} requests, "
                                        f"the API {row(page.locust.stats(), 'Aggregated')['num_requests']}")


def wait_counts_match_nginx(locust, nginx, since: int) -> dict:
    """After a stop: the runner's `/` and `/fail` counts equal nginx's log lines since `since` (a master
    gets its slaves' last reports just after it says stopped)."""
    logged = {name: nginx.settled_count(since, [name]) for name in ("/", "/fail")}

    def counted():
        stats = locust.stats()
        return {name: next((r["num_requests"] for r in stats["stats"] if r["name"] == name), 0) for name in logged}

    wait_for(lambda: counted() == logged, 10, lambda: f"counted {counted()}, nginx logged {logged}")
    return logged


def test_master_with_two_slaves(browser, launcher, nginx, figures):
    cluster = launcher.cluster(2, "--stop-timeout", "5", host=nginx.url)
    master = cluster.master
    page = Page(browser, master)
    page.open()
    page.until(lambda: page.text("#worker-count") == "2", 15, lambda: f"#worker-count is {page.text('#worker-count')!r}")
    assert page.text("#host-display") == nginx.url
    assert page.find("#host").get_attribute("value") == nginx.url

    page.start(users=6, rate=6, classes={"CountingUser", "FailingUser"})
    page.wait_status("running")
    page.until(lambda: (page.requests_of("/") or 0) > 0 and (page.requests_of("/fail") or 0) > 0, 20,
               lambda: f"no requests in the table: {page.stats_rows()}")
    assert {r["name"] for r in page.stats_rows()} == {"/", "/fail", "Aggregated"}
    page.until(lambda: page.text("#user-count") == "6", 10, lambda: f"#user-count is {page.text('#user-count')!r}")
    page.until(lambda: page.text("#rps") not in ("", "0"), 10, "#rps stays 0")
    assert page.text("#fail-ratio").endswith("%")
    shot = page.screenshot("web-ui.png")

    page.tab("charts")
    page.until(lambda: browser.execute_script("return window.chartsDrawn") >= 3, 20,
               lambda: f"window.chartsDrawn is {browser.execute_script('return window.chartsDrawn')}")
    page.tab("stats")

    page.click("#edit-button")
    page.until(lambda: page.visible("#edit-form"), 5, "the edit form did not open")
    page.type("#edit_user_count", "4")
    page.click("#edit-submit")
    page.until(lambda: not page.visible("#edit-form"), 10, "the edit form stayed open")
    page.until(lambda: page.text("#user-count") == "4", 15, lambda: f"#user-count is {page.text('#user-count')!r}")

    page.tab("workers")

    def slave_rows():
        rows = browser.find_elements(By.CSS_SELECTOR, "#workers-table tr[data-worker-id]")
        return {r.get_attribute("data-worker-id"): int(r.find_element(By.CSS_SELECTOR, "td[data-col=user_count]").text)
                for r in rows}

    ids = cluster.slave_ids()
    page.until(lambda: set(slave_rows()) == ids and sum(slave_rows().values()) == 4, 15,
               lambda: f"slave rows {slave_rows()}, slaves {sorted(ids)}")
    # The charts again, now with the edit from 6 to 4 users in them, for the README.
    page.tab("charts")
    drawn = browser.execute_script("return window.chartsDrawn")
    page.until(lambda: browser.execute_script("return window.chartsDrawn") > drawn, 10, "the charts stopped growing")
    charts_shot = page.screenshot("web-ui-charts.png")
    figures(f"test_browser: screenshots {shot} and {charts_shot}")
    page.tab("stats")

    page.click("#stop-button")
    page.wait_status("stopped")

    page.tab("download")
    link = page.find("a#download-requests-csv")
    href = link.get_attribute("href")
    assert href == master.url + "/stats/requests/csv"
    download = requests.get(href, timeout=10)
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")
    assert download.text.splitlines()[0] == fixture_text("requests.csv").splitlines()[0]
    for anchor, path in (("download-failures-csv", "/stats/failures/csv"), ("download-exceptions-csv", "/exceptions/csv"),
                         ("download-report", "/stats/report?download=1")):
        assert page.find(f"a#{anchor}").get_attribute("href") == master.url + path
    page.tab("stats")

    page.click("#new-test-button")
    page.until(lambda: page.visible("#start-form"), 10, "New test did not show the form")
    chosen = {b.get_attribute("value") for b in browser.find_elements(By.CSS_SELECTOR, "input[name=user_classes]")
              if b.is_selected()}
    assert chosen == {"CountingUser", "FailingUser"}, f"the form forgot the classes: {sorted(chosen)}"
    since = nginx.offset()
    page.click("#start-button")
    page.wait_status("running")
    page.until(lambda: (page.requests_of("/") or 0) > 0, 20, "the new test shows no request")
    page.click("#stop-button")
    page.wait_status("stopped")
    logged = wait_counts_match_nginx(master, nginx, since)
    shown = wait_page_matches_api(page)
    assert shown == sum(logged.values())

    page.drain()
    figures(f"test_browser (master): {len(page.console)} console entries, levels "
            f"{sorted({e.get('level') for e in page.console})}, {len(page.severe())} SEVERE from our page")
    assert not page.severe(), "console errors:\n" + "\n".join(page.severe())


def test_standalone(browser, launcher, nginx, figures):
    locust = launcher.start("CountingUser", "FailingUser", "ThrowingUser", "--host", nginx.url, "--stop-timeout", "5",
                            name="standalone")
    page = Page(browser, locust)
    page.open()
    page.until(lambda: page.status() == "ready", 10, lambda: f"#status is {page.status()!r}")
    assert not page.visible("#worker-count"), "a standalone page shows a slave count"
    since = nginx.offset()
    page.start(users=2, rate=2, classes={"CountingUser", "FailingUser"})
    page.wait_status("running")
    page.until(lambda: (page.requests_of("/fail") or 0) > 0, 20, lambda: f"no requests in the table: {page.stats_rows()}")
    page.until(lambda: page.text("#user-count") == "2", 10, lambda: f"#user-count is {page.text('#user-count')!r}")
    page.click("#stop-button")
    page.wait_status("stopped")
    logged = wait_counts_match_nginx(locust, nginx, since)
    assert wait_page_matches_api(page) == sum(logged.values())

    page.click("#theme-toggle")
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
    page.click("#theme-toggle")
    assert browser.execute_script("return document.documentElement.dataset.theme") == "light"

    page.click("#reset-button")
    page.until(lambda: page.requests_of("Aggregated") == 0, 10, "Reset stats did not zero the table")
    assert row(locust.stats(), "Aggregated")["num_requests"] == 0

    page.drain()
    figures(f"test_browser (standalone): {len(page.console)} console entries, {len(page.severe())} SEVERE from our page")
    assert not page.severe(), "console errors:\n" + "\n".join(page.severe())
