"""Every route of the HTTP API against a real `locust`, compared with Locust 2.47's captured answers.

A standalone `locust -f libTestTargets.so CountingUser FailingUser ThrowingUser --host NGINX` serves most
tests (each leaves it stopped); an idle one that never starts a test answers the `ready` questions; a
master with two slaves answers the distributed ones.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import socket
import threading
import time

import pytest

from conftest import Background, fixture_json, fixture_text, free_port, require_fixtures, template_args, wait_for
from shapes import kind, row, stats_requests_problems

CLASSES = ("CountingUser", "FailingUser", "ThrowingUser")
TIMESTAMP = r"(\d{4}-\d{2}-\d{2}-\d{2}h\d{2})"


@pytest.fixture(scope="module", autouse=True)
def fixtures_present():
    require_fixtures()


# With the default --stop-timeout 0 a stop aborts the requests in flight, which nginx may already have
# logged; 5 s lets each user finish its (quick) task, so the counts can be compared with nginx's exactly.
STOP_TIMEOUT = ("--stop-timeout", "5")


@pytest.fixture(scope="module")
def standalone(module_launcher, nginx):
    return module_launcher.start(*CLASSES, "--host", nginx.url, *STOP_TIMEOUT, name="standalone")


@pytest.fixture
def api(standalone):
    """The shared standalone runner, stopped again after the test."""
    yield standalone
    if standalone.running() and standalone.state() in ("spawning", "running", "stopping"):
        standalone.post("/stop")
        standalone.wait_state("stopped")


@pytest.fixture(scope="module")
def idle(module_launcher, nginx):
    """A standalone runner that never starts a test: always `ready`."""
    return module_launcher.start(*CLASSES, "--host", nginx.url, name="idle")


@pytest.fixture(scope="module")
def cluster(module_launcher, nginx):
    return module_launcher.cluster(2, *STOP_TIMEOUT, classes=CLASSES, host=nginx.url)


@pytest.fixture
def master(cluster):
    yield cluster
    if cluster.master.running() and cluster.master.state() in ("spawning", "running", "stopping"):
        cluster.master.post("/stop")
        cluster.master.wait_state("stopped")


def start(locust, users=3, rate=None, classes=None, **extra) -> float:
    """Starts (or edits) a test and waits until `users` run; answers when it was asked."""
    fields = {"user_count": users, "spawn_rate": rate or max(users, 1), **extra}
    if classes:
        fields["user_classes"] = list(classes)
    asked = time.time()
    locust.swarm(**fields)
    wait_for(lambda: (lambda s: s["state"] == "running" and s["user_count"] == users)(locust.stats()), 15,
             lambda: f"never running with {users} users: {locust.stats()['state']}, {locust.stats()['user_count']}")
    return asked


def body_and_status(fixture: str) -> tuple[dict, int]:
    """A `*.txt` capture: the JSON body, then the status on its own line."""
    text = fixture_text(fixture).strip()
    body, _, status = text.rpartition("\n")
    return json.loads(body), int(status)


def check_disposition(response, suffix: str, host: str, earliest: float) -> None:
    """`attachment;filename=Locust_<YYYY-MM-DD-HHhMM>_libTestTargets.so_<host>_<suffix>` with a time
    between `earliest` (rounded down to its minute) and now."""
    header = response.headers.get("Content-Disposition")
    pattern = rf"attachment;filename=Locust_{TIMESTAMP}_libTestTargets\.so_{re.escape(host)}_?{re.escape(suffix)}"
    match = re.fullmatch(pattern, header or "")
    assert match, f"Content-Disposition {header!r} does not match {pattern!r}"
    stamp = time.mktime(time.strptime(match.group(1), "%Y-%m-%d-%Hh%M"))
    assert earliest - earliest % 60 - 60 <= stamp <= time.time(), (
        f"file name time {match.group(1)} is not between {time.ctime(earliest)} and now")


def ratio_sum(entries: dict) -> float:
    return sum(entry["ratio"] for entry in entries.values())


# ---------------------------------------------------------------------------------------------- ready


def test_page_embeds_template_args(idle, nginx):
    response = idle.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    args = template_args(response.text)
    locust_args = fixture_json("index_templateArgs.json")
    # The keys Locust's page and ours both read; ours lists the classes as `user_classes`.
    shared = {"host", "state", "is_distributed", "user_count", "worker_count", "num_users", "spawn_rate",
              "run_time", "percentiles_to_chart", "version", "locustfile", "show_userclass_picker"}
    assert shared <= set(locust_args)
    assert shared <= set(args), f"templateArgs lacks {sorted(shared - set(args))}"
    assert args["host"] == nginx.url
    assert args["state"] == "ready"
    assert args["is_distributed"] is False
    assert args["worker_count"] == 0 and args["user_count"] == 0
    assert args["percentiles_to_chart"] == locust_args["percentiles_to_chart"] == [0.5, 0.95]
    assert args["locustfile"] == "libTestTargets.so"
    assert isinstance(args["version"], str) and args["version"]
    classes = {c["name"]: c for c in args["user_classes"]}
    assert set(classes) == set(CLASSES)
    assert [t["name"] for t in classes["CountingUser"]["tasks"]] == ["index"]
    assert all(isinstance(c["weight"], int) for c in classes.values())
    # The page's own files load.
    for path, content_type in (("/assets/app.js", "text/javascript"), ("/assets/app.css", "text/css"),
                               ("/assets/chart.min.js", "text/javascript")):
        assert f'"{path}"' in response.text, f"the page does not reference {path}"
        asset = idle.get(path)
        assert asset.status_code == 200 and asset.headers["Content-Type"].startswith(content_type), (
            f"GET {path}: {asset.status_code} {asset.headers.get('Content-Type')}")
        assert len(asset.content) > 100


def test_ready_stats_requests_shape(idle):
    stats = idle.stats()
    problems = stats_requests_problems(stats, fixture_json("stats_requests_ready.json"), distributed=False)
    assert not problems, "\n".join(problems)
    assert stats["state"] == "ready" and stats["user_count"] == 0
    assert [r["name"] for r in stats["stats"]] == ["Aggregated"]
    assert stats["errors"] == []


def test_worker_count_and_workers_standalone(idle):
    answer = idle.get("/worker-count").json()
    assert set(answer) == set(fixture_json("worker_count.json"))
    assert answer == {"worker_count": 0}
    assert idle.get("/workers").json() == {"workers": []}


SWARM_REFUSALS = [
    ("user_count_abc", {"user_count": "abc", "spawn_rate": "1"}, "Invalid user_count value: 'abc' (must be an integer)"),
    ("user_count_missing", {"spawn_rate": "1"}, "Missing or invalid user_count or spawn_rate from /swarm request"),
    ("spawn_rate_missing", {"user_count": "2"}, "Missing or invalid user_count or spawn_rate from /swarm request"),
    ("empty_form", {}, "Missing or invalid user_count or spawn_rate from /swarm request"),
    ("user_count_negative", {"user_count": "-1", "spawn_rate": "1"}, re.compile(r"user_count.*-1")),
    ("user_count_huge", {"user_count": "2000000", "spawn_rate": "1"}, re.compile(r"user_count.*2000000")),
    ("spawn_rate_abc", {"user_count": "2", "spawn_rate": "abc"}, re.compile(r"spawn_rate.*abc")),
    ("spawn_rate_negative", {"user_count": "2", "spawn_rate": "-1"}, re.compile(r"spawn_rate")),
    ("unknown_class", {"user_count": "2", "spawn_rate": "1", "user_classes": "Nope"}, re.compile(r"Nope")),
    ("bad_run_time", {"user_count": "2", "spawn_rate": "1", "run_time": "soon"},
     "Valid run_time formats are : 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."),
    ("bad_host", {"user_count": "2", "spawn_rate": "1", "host": "notahost"}, re.compile(r"host.*notahost")),
]


@pytest.mark.parametrize("form,message", [case[1:] for case in SWARM_REFUSALS], ids=[case[0] for case in SWARM_REFUSALS])
def test_swarm_refuses_bad_form(idle, nginx, form, message):
    response = idle.post("/swarm", data=form)
    # Locust answers 200 with success false; we answer 400 with the same body (docs/ARCHITECTURE.md).
    assert response.status_code == 400, f"{response.status_code} {response.text}"
    body = response.json()
    locust_body, _ = body_and_status("swarm_bad.txt")
    assert set(body) == set(locust_body), f"keys {sorted(body)}, Locust's {sorted(locust_body)}"
    assert body["success"] is False and body["host"] == nginx.url
    if isinstance(message, str):
        assert body["message"] == message
    else:
        assert message.search(body["message"]), f"message {body['message']!r} does not match {message.pattern!r}"
    stats = idle.stats()
    assert stats["state"] == "ready" and stats["user_count"] == 0, "a refused start changed the runner"
    master_lines = idle.get("/logs").json()["master"]
    assert any("ERROR" in line and body["message"] in line for line in master_lines), (
        f"the refusal is not in the log: {master_lines[-3:]}")


# ---------------------------------------------------------------------------------------------- running


def test_swarm_starts_with_locusts_answer(api, nginx):
    response = api.post("/swarm", data={"user_count": 3, "spawn_rate": 3, "host": nginx.url})
    locust_body, locust_status = body_and_status("swarm_ok.txt")
    assert response.status_code == locust_status == 200
    body = response.json()
    assert set(body) == set(locust_body), f"keys {sorted(body)}, Locust's {sorted(locust_body)}"
    assert body == {"success": True, "message": "Swarming started", "host": nginx.url}
    stats = api.wait_state("running")
    wait_for(lambda: api.stats()["user_count"] == 3, 10, "user_count never reached 3")
    assert stats["state"] == "running"


def test_swarm_answer_with_run_time_and_classes(api, nginx):
    body = api.swarm(user_count=2, spawn_rate=2, host=nginx.url, run_time="1m",
                     user_classes=["CountingUser", "FailingUser"])
    assert body["message"] == "Swarming started"
    assert body["run_time"] == 60 and kind(body["run_time"]) in ("int", "float")
    assert body["user_classes"] == ["CountingUser", "FailingUser"]
    api.wait_state("running")


def test_tasks_lists_only_the_chosen_classes(api):
    # Locust's /swarm with user_classes replaces environment.user_classes by the chosen ones
    # (web.py, _update_user_classes), and /tasks lists environment.user_classes.
    start(api, users=2, classes=["CountingUser", "FailingUser"])
    tasks = api.get("/tasks").json()
    for part in ("per_class", "total"):
        assert set(tasks[part]) == {"CountingUser", "FailingUser"}, f"/tasks {part} lists {sorted(tasks[part])}"
        assert all(math.isclose(c["ratio"], 0.5) for c in tasks[part].values()), tasks[part]


def test_running_stats_match_locust_shape(api, nginx):
    start(api, users=3)
    stats = api.wait_requests("/fail", at_least=3)
    stats = wait_for(lambda: (lambda s: s if s["errors"] and row(s, "/")["num_requests"] > 0 else None)(api.stats()),
                     10, "no request to / or no error yet")
    problems = stats_requests_problems(stats, fixture_json("stats_requests_running.json"), distributed=False)
    assert not problems, "\n".join(problems)
    assert stats["state"] == "running" and stats["user_count"] == 3
    assert {r["name"] for r in stats["stats"]} == {"/", "/fail", "Aggregated"}
    fail, total = row(stats, "/fail"), row(stats, "Aggregated")
    assert fail["num_failures"] == fail["num_requests"] > 0
    assert row(stats, "/")["num_failures"] == 0
    assert total["num_requests"] == row(stats, "/")["num_requests"] + fail["num_requests"]
    assert math.isclose(stats["fail_ratio"], total["num_failures"] / total["num_requests"], rel_tol=1e-9)
    assert stats["total_rps"] == total["total_rps"] and stats["current_rps"] == total["current_rps"]
    error = stats["errors"][0]
    assert (error["method"], error["name"]) == ("GET", "/fail")
    assert error["occurrences"] == fail["num_failures"]
    assert error["first_seen"] <= error["last_seen"] <= time.time() + 1
    assert row(stats, "/")["avg_content_length"] == 100.0


def test_csv_downloads(api, nginx):
    asked = start(api, users=3)
    api.wait_requests("/fail", at_least=1)
    wait_for(lambda: api.get("/exceptions").json()["exceptions"], 10, "no exception yet")
    for path, capture, suffix in (("/stats/requests/csv", "requests.csv", "requests.csv"),
                                  ("/stats/failures/csv", "failures.csv", "failures.csv"),
                                  ("/exceptions/csv", "exceptions.csv", "exceptions.csv")):
        response = api.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        assert response.headers["Content-Type"].startswith("text/csv")
        header = response.text.splitlines()[0]
        assert header == fixture_text(capture).splitlines()[0], f"{path} header {header!r}"
        check_disposition(response, suffix, nginx.url, asked)
        rows = list(csv.reader(io.StringIO(response.text)))
        assert len(rows) >= 2, f"{path} has no data row: {response.text[:300]}"
        assert all(len(r) == len(rows[0]) for r in rows), f"{path}: rows of different lengths"
        if path == "/stats/requests/csv":
            assert [r[1] for r in rows[1:]] == ["/", "/fail", "Aggregated"]
            assert rows[-1][0] == ""
    # The fixture's own headers name the same pattern.
    assert re.search(rf"filename=Locust_{TIMESTAMP}_locustfile\.py_http://127\.0\.0\.1:\d+_requests\.csv",
                     fixture_text("csv_requests.headers"))


def test_full_history_csv_is_404_without_its_flags(api):
    response = api.get("/stats/requests_full_history/csv")
    _, locust_status = fixture_text("full_history.txt").strip().rsplit("\n", 1)
    assert response.status_code == int(locust_status) == 404
    assert response.text.strip(), "the 404 says nothing"


def test_full_history_csv_with_csv_full_history(launcher, nginx, tmp_path):
    prefix = tmp_path / "run"
    locust = launcher.start(*CLASSES, "--host", nginx.url, "--csv", str(prefix), "--csv-full-history",
                            name="history")
    asked = start(locust, users=2, classes=["CountingUser", "FailingUser"])
    percentiles = fixture_text("requests.csv").splitlines()[0].split(",")[11:]
    expected = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s", *percentiles,
                "Total Request Count", "Total Failure Count", "Total Median Response Time",
                "Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
                "Total Average Content Size"]

    def history():
        response = locust.get("/stats/requests_full_history/csv")
        if response.status_code != 200:
            return None
        rows = list(csv.reader(io.StringIO(response.text)))
        return (response, rows) if any(len(r) > 3 and r[3] == "/" for r in rows[1:]) else None

    response, rows = wait_for(history, 15, "the full history never had a row for /")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert rows[0] == expected
    names = {r[3] for r in rows[1:]}
    assert {"/", "Aggregated"} <= names, names
    check_disposition(response, "requests_full_history.csv", nginx.url, asked)


def test_exceptions(api):
    start(api, users=3)
    answer = wait_for(lambda: (lambda a: a if a["exceptions"] else None)(api.get("/exceptions").json()), 10,
                      "no exception yet")
    locust_answer = fixture_json("exceptions.json")
    assert set(answer) == set(locust_answer)
    for entry in answer["exceptions"]:
        assert set(entry) == set(locust_answer["exceptions"][0])
        assert isinstance(entry["count"], int) and entry["count"] > 0
        assert all(isinstance(entry[k], str) for k in ("msg", "traceback", "nodes"))
    assert any("the task broke" in e["msg"] for e in answer["exceptions"]), answer


def test_tasks_ratios_sum_to_one(api):
    start(api, users=3)
    tasks = api.get("/tasks").json()
    locust_tasks = fixture_json("tasks.json")
    assert set(tasks) == set(locust_tasks)
    assert set(tasks["per_class"]) == set(CLASSES)
    assert math.isclose(ratio_sum(tasks["per_class"]), 1.0)
    assert math.isclose(ratio_sum(tasks["total"]), 1.0)
    for name, entry in tasks["per_class"].items():
        assert set(entry) == {"ratio", "tasks"}
        assert math.isclose(ratio_sum(entry["tasks"]), 1.0), f"{name}: {entry}"
    assert math.isclose(sum(ratio_sum(c["tasks"]) for c in tasks["total"].values()), 1.0)
    for name, entry in tasks["total"].items():
        assert math.isclose(ratio_sum(entry["tasks"]), entry["ratio"]), f"{name}: {entry}"


def test_logs_standalone(api):
    start(api, users=3)
    logs = wait_for(lambda: (lambda l: l if any("All users spawned" in x for x in l["master"]) else None)(
        api.get("/logs").json()), 10, "no 'All users spawned' line in /logs")
    assert set(logs) == set(fixture_json("logs.json"))
    assert logs["workers"] == {}
    assert logs["master"] and all(isinstance(line, str) for line in logs["master"])
    assert any("Starting web interface" in line for line in logs["master"])
    assert len(logs["master"]) <= 500


def test_stats_history(api):
    start(api, users=3)
    first = api.get("/stats/history").json()
    assert {"tests", "points", "per_name"} <= set(first)
    test = first["tests"][-1]
    assert {"index", "started_at", "stopped_at", "target_users"} <= set(test)
    assert test["stopped_at"] is None and test["target_users"] == 3
    later = wait_for(lambda: (lambda h: h if len(h["points"]) > len(first["points"]) + 1 else None)(
        api.get("/stats/history").json()), 10, "the history did not grow")
    times = [p["time"] for p in later["points"]]
    assert times == sorted(times)
    point = later["points"][-1]
    assert {"time", "user_count", "current_rps", "current_fail_per_sec",
            "response_time_percentile_0.5", "response_time_percentile_0.95"} <= set(point)
    assert "GET /" in later["per_name"]
    since = api.get("/stats/history", params={"since": times[-2]}).json()
    assert all(p["time"] > times[-2] for p in since["points"])
    assert 1 <= len(since["points"]) <= len(later["points"])


def parse_metrics(text: str) -> tuple[dict[str, str], list[tuple[str, dict[str, str], float]]]:
    """The Prometheus text format: TYPE per family, and samples (name, labels, value)."""
    types, samples = {}, []
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
    label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("# TYPE "):
            _, _, family, metric_type = line.split(" ", 3)
            types[family] = metric_type
            continue
        if line.startswith("#"):
            assert line.startswith("# HELP "), f"unknown comment {line!r}"
            continue
        match = sample.match(line)
        assert match, f"not a sample line: {line!r}"
        labels = dict(label.findall(match.group(2) or ""))
        samples.append((match.group(1), labels, float(match.group(3))))
    return types, samples


def check_metrics_text(text: str, types: dict, samples: list) -> None:
    for name, _, _ in samples:
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name.endswith(("_bucket", "_sum", "_count")) else name
        assert family in types or name in types, f"{name} has no # TYPE line"
    buckets: dict[tuple, list[tuple[float, float]]] = {}
    counts = {}
    for name, labels, value in samples:
        key = (labels.get("method"), labels.get("name"))
        if name == "locust_response_time_seconds_bucket":
            buckets.setdefault(key, []).append((float(labels["le"]), value))
        elif name == "locust_response_time_seconds_count":
            counts[key] = value
    assert buckets, "no histogram buckets"
    for key, series in buckets.items():
        bounds = [b for b, _ in series]
        assert bounds == sorted(bounds) and bounds[-1] == math.inf, f"{key}: buckets not ascending to +Inf"
        values = [v for _, v in series]
        assert values == sorted(values), f"{key}: buckets not cumulative: {values}"
        assert values[-1] == counts[key], f"{key}: +Inf bucket {values[-1]} != count {counts[key]}"


def metric(samples, name, /, **labels) -> float:
    found = [v for n, l, v in samples if n == name and all(l.get(k) == w for k, w in labels.items())]
    assert len(found) == 1, f"{name}{labels}: {len(found)} samples"
    return found[0]


def test_metrics_while_running(api):
    start(api, users=3)
    api.wait_requests("/fail", at_least=1)
    before = api.stats()
    response = api.get("/metrics")
    # /stats/requests is kept for 1 s (as Locust memoizes it): wait that out for an answer newer than /metrics.
    time.sleep(1.1)
    after = api.stats()
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "version=0.0.4" in response.headers["Content-Type"]
    types, samples = parse_metrics(response.text)
    check_metrics_text(response.text, types, samples)
    assert types.get("locust_requests_total") == "counter"
    assert types.get("locust_response_time_seconds") == "histogram"
    for name in ("/", "/fail"):
        value = metric(samples, "locust_requests_total", method="GET", name=name)
        low, high = row(before, name)["num_requests"], row(after, name)["num_requests"]
        assert low <= value <= high, f"locust_requests_total{{name={name!r}}} {value} outside [{low}, {high}]"
    assert metric(samples, "locust_failures_total", method="GET", name="/fail") >= row(before, "/fail")["num_failures"]
    assert metric(samples, "locust_users") == 3
    assert metric(samples, "locust_state", state="running") == 1
    assert metric(samples, "locust_state", state="stopped") == 0


def test_report(api, nginx):
    asked = start(api, users=3)
    api.wait_requests("/fail", at_least=1)
    response = api.get("/stats/report")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response.headers
    match = re.search(r'<script type="application/json" id="locust-report-data">(.*?)</script>', response.text, re.S)
    assert match, "the report has no data object"
    data = json.loads(match.group(1))
    locust_data = fixture_json("report_templateArgs.json")
    assert set(data) == set(locust_data), (
        f"missing {sorted(set(locust_data) - set(data))}, extra {sorted(set(data) - set(locust_data))}")
    for key in ("requests_statistics", "failures_statistics", "exceptions_statistics", "history",
                "response_time_statistics"):
        assert data[key], f"report {key} is empty"
        assert set(data[key][0]) == set(locust_data[key][0]), f"report {key} row keys {sorted(data[key][0])}"
    assert data["host"] == nginx.url and data["locustfile"] == "libTestTargets.so" and data["is_report"] is True
    assert [r["name"] for r in data["requests_statistics"]][-1] == "Aggregated"
    assert re.search(r'<html[^>]*class="[^"]*\blight\b', response.text)

    download = api.get("/stats/report", params={"download": "1"})
    assert download.status_code == 200
    header = download.headers.get("Content-Disposition", "")
    assert re.fullmatch(rf"attachment;filename=Locust_{TIMESTAMP}_libTestTargets\.so_{re.escape(nginx.url)}\.html", header), header
    assert re.search(rf"filename=Locust_{TIMESTAMP}_locustfile\.py_http://127\.0\.0\.1:\d+\.html", fixture_text("report.headers"))
    check_disposition(download, ".html", nginx.url, asked)

    dark = api.get("/stats/report", params={"theme": "dark"})
    assert dark.status_code == 200
    assert re.search(r'<html[^>]*class="[^"]*\bdark\b', dark.text), dark.text[:300]


def test_stop_with_post(api):
    start(api, users=3)
    response = api.post("/stop")
    locust_body, locust_status = body_and_status("stop_post.txt")
    assert response.status_code == locust_status == 200
    assert response.json() == locust_body == {"success": True, "message": "Test stopped"}
    stats = api.wait_state("stopped", timeout=5)
    assert stats["user_count"] == 0


def test_stop_with_get(api):
    # Locust 2.47 answers GET /stop with 405 (stop_get.txt); 2.46 and older took GET, and so do we.
    start(api, users=3)
    response = api.get("/stop")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Test stopped"}
    assert api.wait_state("stopped", timeout=5)["user_count"] == 0


def test_reset_zeroes_stats(api):
    start(api, users=3)
    api.wait_requests("/fail", at_least=1)
    wait_for(lambda: api.get("/exceptions").json()["exceptions"], 10, "no exception yet")
    api.stop_test()
    response = api.post("/stats/reset")
    assert response.status_code == 200
    assert response.text == fixture_text("reset_post.txt").split("\n")[0] == "ok"
    stats = api.stats()
    assert stats["state"] == "stopped"
    for entry in stats["stats"]:
        assert entry["num_requests"] == 0 and entry["num_failures"] == 0, entry
    assert stats["errors"] == []
    assert api.get("/exceptions").json() == {"exceptions": []}, "reset kept the exceptions"
    assert stats["fail_ratio"] == 0


def test_edit_while_running_keeps_stats(api):
    start(api, users=2, classes=["CountingUser", "FailingUser"])
    api.wait_requests("/fail", at_least=1)
    tests_before = len(api.get("/stats/history").json()["tests"])
    before = row(api.stats(), "Aggregated")["num_requests"]
    response = api.post("/swarm", data={"user_count": 5, "spawn_rate": 10})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(json.loads(fixture_text("swarm_edit.txt")))
    assert body["success"] is True and body["message"] == "Swarming started"
    stats = wait_for(lambda: (lambda s: s if s["user_count"] == 5 else None)(api.stats()), 10,
                     lambda: f"user_count stayed {api.stats()['user_count']} after the edit to 5")
    assert stats["state"] in ("spawning", "running")
    assert row(stats, "Aggregated")["num_requests"] >= before, "the edit reset the statistics"
    assert len(api.get("/stats/history").json()["tests"]) == tests_before, "the edit started a new test"
    start(api, users=1, rate=10)
    assert row(api.stats(), "Aggregated")["num_requests"] >= before


def test_new_test_after_stop_starts_from_zero_and_matches_nginx(api, nginx):
    start(api, users=3)
    api.wait_requests("/fail", at_least=5)
    api.stop_test()
    first = row(api.stats(), "Aggregated")["num_requests"]
    assert first > 0
    tests_before = len(api.get("/stats/history").json()["tests"])

    since = nginx.offset()
    start(api, users=2, classes=["CountingUser", "FailingUser"])
    stats = api.stats()
    assert stats["state"] == "running"
    assert len(api.get("/stats/history").json()["tests"]) == tests_before + 1
    api.wait_requests("/fail", at_least=5)
    api.stop_test()
    stats = api.stats()
    counted = {name: row(stats, name)["num_requests"] for name in ("/", "/fail")}
    logged = {name: nginx.settled_count(since, [name]) for name in ("/", "/fail")}
    assert counted == logged, f"the new test counted {counted}, nginx logged {logged} (the first test had {first})"
    assert row(stats, "Aggregated")["num_requests"] == sum(counted.values())
    assert row(stats, "/fail")["num_failures"] == counted["/fail"]
    # Stopped: the metrics agree exactly.
    _, samples = parse_metrics(api.get("/metrics").text)
    for name, count in counted.items():
        assert metric(samples, "locust_requests_total", method="GET", name=name) == count
    assert metric(samples, "locust_state", state="stopped") == 1


class Blackhole:
    """A TCP server that accepts connections and never answers: requests to it hang."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.closed = True
        self.server.close()
        for connection in self.connections:
            connection.close()


@pytest.mark.time_limit(40)
def test_swarm_while_stopping_is_refused(launcher):
    hole = Blackhole()
    try:
        # Users stuck in a request keep the test `stopping` for --stop-timeout seconds.
        locust = launcher.start("CountingUser", "--host", f"http://127.0.0.1:{hole.port}", "--stop-timeout", "4",
                                name="stopping")
        locust.swarm(user_count=2, spawn_rate=10)
        wait_for(lambda: len(hole.connections) >= 2, 10, "the users never connected to the silent server")
        stopping = Background(lambda: locust.post("/stop", timeout=20))
        try:
            wait_for(lambda: locust.state() == "stopping", 3, "never saw the state 'stopping'", interval=0.02)
        except pytest.fail.Exception:
            if locust.state() == "stopped":
                pytest.skip("the stop finished before the state 'stopping' could be seen")
            raise
        response = locust.post("/swarm", data={"user_count": 1, "spawn_rate": 1})
        assert response.status_code == 400, f"{response.status_code} {response.text}"
        body = response.json()
        assert body["success"] is False and "stopping" in body["message"], body
        assert stopping.result(timeout=15).json() == {"success": True, "message": "Test stopped"}
        assert locust.state() == "stopped"
    finally:
        hole.close()


# ---------------------------------------------------------------------------------------------- master


def test_master_ready(master, nginx):
    api = master.master
    args = template_args(api.get("/").text)
    assert args["is_distributed"] is True and args["worker_count"] == 2 and args["state"] == "ready"
    assert args["host"] == nginx.url
    assert api.get("/worker-count").json() == {"worker_count": 2}
    stats = api.stats()
    problems = stats_requests_problems(stats, fixture_json("stats_requests_ready.json"), distributed=True)
    assert not problems, "\n".join(problems)
    assert stats["worker_count"] == 2 and len(stats["workers"]) == 2
    assert {w["state"] for w in stats["workers"]} == {"ready"}


def test_master_running_stats_match_locust_shape(master):
    api = master.master
    start(api, users=4)
    stats = wait_for(
        lambda: (lambda s: s if s["errors"] and row(s, "/")["num_requests"] and row(s, "/fail")["num_requests"]
                 and all(w["user_count"] for w in s["workers"]) else None)(api.stats()),
        15, "the master never had requests, an error and users on both slaves")
    problems = stats_requests_problems(stats, fixture_json("stats_requests_running.json"), distributed=True)
    assert not problems, "\n".join(problems)
    assert stats["state"] == "running" and stats["user_count"] == 4 and stats["worker_count"] == 2
    ids = [w["id"] for w in stats["workers"]]
    assert len(set(ids)) == 2
    assert all(re.fullmatch(r".+_[0-9a-f]{8,}", worker_id) for worker_id in ids), ids
    assert sum(w["user_count"] for w in stats["workers"]) == 4
    assert {w["state"] for w in stats["workers"]} <= {"spawning", "running"}
    assert all(w["memory_usage"] > 0 for w in stats["workers"])
    workers = api.get("/workers").json()["workers"]
    assert sorted(w["id"] for w in workers) == sorted(ids)
    assert all(set(fixture_json("stats_requests_running.json")["workers"][0]) <= set(w) for w in workers)


def test_master_logs_have_each_slave(master):
    api = master.master
    start(api, users=4)
    ids = master.slave_ids()
    logs = wait_for(lambda: (lambda l: l if set(l["workers"]) == ids and all(l["workers"].values()) else None)(
        api.get("/logs").json()), 10, lambda: f"/logs workers {list(api.get('/logs').json()['workers'])}, slaves {ids}")
    assert logs["master"] and all(isinstance(line, str) for line in logs["master"])
    assert any("connected" in line for line in logs["master"])
    for worker_id, lines in logs["workers"].items():
        assert all(isinstance(line, str) for line in lines), worker_id
    tasks = api.get("/tasks").json()
    assert math.isclose(ratio_sum(tasks["per_class"]), 1.0)


def test_master_exceptions_name_the_slaves(master):
    api = master.master
    start(api, users=4)
    answer = wait_for(lambda: (lambda a: a if a["exceptions"] else None)(api.get("/exceptions").json()), 10,
                      "no exception on the master yet")
    ids = master.slave_ids()
    for entry in answer["exceptions"]:
        nodes = {node.strip() for node in entry["nodes"].split(",")}
        # Locust's master lists the workers that raised it (exceptions.json: the worker's id).
        assert nodes and nodes <= ids, f"exception nodes {entry['nodes']!r}, the slaves are {sorted(ids)}"


def test_master_metrics_and_counts_match_nginx(master, nginx):
    api = master.master
    since = nginx.offset()
    start(api, users=4, classes=["CountingUser", "FailingUser"])
    api.wait_requests("/fail", at_least=5)
    _, samples = parse_metrics(api.get("/metrics").text)
    assert metric(samples, "locust_workers") == 2
    assert metric(samples, "locust_users") == 4
    api.stop_test()
    logged = {name: nginx.settled_count(since, [name]) for name in ("/", "/fail")}
    # The slaves' last reports reach the master just after it says stopped.
    counted = wait_for(
        lambda: (lambda c: c if c == logged else None)({n: row(api.stats(), n)["num_requests"] for n in logged}),
        10, lambda: f"the master counted {({n: row(api.stats(), n)['num_requests'] for n in logged})}, nginx logged {logged}")
    assert counted == logged
    assert {w["user_count"] for w in api.stats()["workers"]} == {0}


def test_master_without_slaves_refuses_swarm(launcher, nginx):
    lonely = launcher.start("--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(free_port()),
                            "--host", nginx.url, *CLASSES, name="lonely")
    assert lonely.get("/worker-count").json() == {"worker_count": 0}
    response = lonely.post("/swarm", data={"user_count": 1, "spawn_rate": 1})
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and "slave" in body["message"], body
    assert lonely.state() == "ready"


def test_a_load_shape_drives_the_start_button(launcher, nginx):
    """`--shape pulse` in web mode: the page says a shape drives (users and rate hidden, as Locust's);
    POST /swarm starts the shape, whose counts the API shows, then the shape ends the test."""
    locust = launcher.start("PacedUser", "--host", nginx.url, "--shape", "pulse")
    args = template_args(locust.get("/").text)
    assert args["is_shape"] is True and args["shape_name"] == "pulse", args
    locust.swarm(user_count="50", spawn_rate="50")
    wait_for(lambda: locust.stats()["user_count"] == 2, 5, lambda: f"never 2 users{locust.log_tail()}")
    wait_for(lambda: locust.stats()["user_count"] == 4, 6, lambda: f"never 4 users{locust.log_tail()}")
    edit = locust.post("/swarm", data={"user_count": "9", "spawn_rate": "9"})
    assert edit.status_code == 400 and "drives this test" in edit.json().get("message", ""), edit.text
    locust.wait_state("stopped", timeout=8)
    assert "The load shape pulse ended, stopping test" in locust.log_tail(60)


def test_custom_parameters_from_the_form_reach_the_users(launcher, nginx):
    """The plugin's options are the page's `extra_options` (Locust's "Custom parameters"); a /swarm
    with them sets the users' values (by Locust's dest names), over the command line's."""
    locust = launcher.start("OptionsUser", "--host", nginx.url, "--pages", "2", "--api-key", "hidden")
    options = template_args(locust.get("/").text)["extra_options"]
    assert options["tenant"] == {"default_value": "acme", "choices": ["acme", "globex"], "help_text": "Which tenant the users log in to",
                                 "is_secret": False, "kind": "string"}, options
    assert options["pages"]["default_value"] == "2" and options["api_key"]["default_value"] is None
    assert options["api_key"]["is_secret"] is True and options["with_search"]["kind"] == "flag"
    locust.swarm(user_count="1", spawn_rate="1", tenant="globex", with_search="true")
    stats = locust.wait_requests("opt-globex-2-true-key")
    assert [r["name"] for r in stats["stats"] if r["name"] != "Aggregated"] == ["opt-globex-2-true-key"]
    locust.stop_test()
    bad = locust.post("/swarm", data={"user_count": "1", "spawn_rate": "1", "pages": "lots"})
    assert bad.status_code == 400 and bad.json()["message"] == "--pages takes a whole number, got 'lots'", bad.text
