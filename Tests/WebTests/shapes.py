"""Locust 2.47's answer shapes, read from its captured answers, and checks of ours against them.

The JSON types expected are those the captures show wherever Locust is consistent (every capture gives
the key the same type); a key that is an int in one capture and a float in another (`current_rps`: `0`
when idle, `15.0` running) may be either. Two keys are looser than the captures, because Locust's own
code is (locust/stats.py):
  - `median_response_time` is an int from the rounded buckets, except that `StatsEntry.median_response_time`
    returns `min_response_time`, a float, when the median is below it: sub-millisecond answers, as nginx
    gives on loopback, have a float median in Locust too.
  - `current_response_time_percentiles` values: `get_current_response_time_percentile` returns None
    until its 10 s window has a cached second (the captures, from a master fed by a worker, show 0).
And where a row has requests, `min_response_time` and `avg_content_length` are floats (`proper_round` of
a float, a float division); `0` (int) only in an empty row.
"""

from __future__ import annotations

from typing import Any, Iterable

from conftest import fixture_json

STATS_FIXTURES = (
    "stats_requests_ready.json",
    "stats_requests_running.json",
    "stats_requests_edited.json",
    "stats_requests_stopped.json",
    "stats_requests_after_reset.json",
)


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return type(value).__name__


def _paths(document: dict) -> Iterable[tuple[str, Any]]:
    for key, value in document.items():
        yield key, value
        if key in ("stats", "errors", "workers"):
            for row in value:
                for row_key, row_value in row.items():
                    yield f"{key}[].{row_key}", row_value
        elif key == "current_response_time_percentiles":
            for inner_key, inner_value in value.items():
                yield f"{key}.{inner_key}", inner_value


def expected_kinds() -> dict[str, set[str]]:
    """For each key path of `/stats/requests`, the JSON kinds allowed."""
    seen: dict[str, set[str]] = {}
    for name in STATS_FIXTURES:
        for path, value in _paths(fixture_json(name)):
            seen.setdefault(path, set()).add(kind(value))
    allowed = {path: (kinds | {"int", "float"} if kinds <= {"int", "float"} and len(kinds) > 1 else kinds)
               for path, kinds in seen.items()}
    allowed["stats[].median_response_time"] = {"int", "float"}
    for path in list(allowed):
        if path.startswith("current_response_time_percentiles."):
            allowed[path] = {"int", "null"}
    return allowed


def _key_problems(where: str, ours: dict, theirs: dict) -> list[str]:
    problems = []
    missing = sorted(set(theirs) - set(ours))
    extra = sorted(set(ours) - set(theirs))
    if missing:
        problems.append(f"{where}: missing Locust's keys {missing}")
    if extra:
        problems.append(f"{where}: keys Locust does not have {extra}")
    return problems


def stats_requests_problems(ours: dict, fixture: dict, distributed: bool) -> list[str]:
    """Everything in a `GET /stats/requests` answer that differs in shape from Locust's `fixture`."""
    theirs = dict(fixture)
    if not distributed:  # a standalone Locust has no workers
        theirs.pop("workers", None)
        theirs.pop("worker_count", None)
    problems = _key_problems("top level", ours, theirs)
    kinds = expected_kinds()

    def check(path: str, value: Any, where: str) -> None:
        allowed = kinds.get(path)
        if allowed is not None and kind(value) not in allowed:
            problems.append(f"{where}: {kind(value)} {value!r}, Locust gives {' or '.join(sorted(allowed))}")

    for key, value in ours.items():
        check(key, value, key)
    percentiles = ours.get("current_response_time_percentiles")
    if isinstance(percentiles, dict):
        problems += _key_problems("current_response_time_percentiles", percentiles,
                                  fixture["current_response_time_percentiles"])
        for key, value in percentiles.items():
            check(f"current_response_time_percentiles.{key}", value, f"current_response_time_percentiles.{key}")

    template_row = fixture["stats"][0]
    for index, row in enumerate(ours.get("stats", [])):
        label = f"stats[{index}] ({row.get('method')} {row.get('name')})"
        problems += _key_problems(label, row, template_row)
        for key, value in row.items():
            check(f"stats[].{key}", value, f"{label}.{key}")
        if row.get("num_requests", 0) > 0:
            for key in ("min_response_time", "max_response_time", "avg_response_time", "avg_content_length"):
                if key in row and kind(row[key]) != "float":
                    problems.append(f"{label}.{key}: {kind(row[key])} {row[key]!r} in a row with requests, Locust gives float")
    error_fixture = next((f for f in map(fixture_json, STATS_FIXTURES) if f["errors"]), None)
    for index, row in enumerate(ours.get("errors", [])):
        label = f"errors[{index}]"
        problems += _key_problems(label, row, error_fixture["errors"][0])
        for key, value in row.items():
            check(f"errors[].{key}", value, f"{label}.{key}")
    for index, row in enumerate(ours.get("workers", []) if distributed else []):
        label = f"workers[{index}]"
        problems += _key_problems(label, row, fixture_json("stats_requests_running.json")["workers"][0])
        for key, value in row.items():
            check(f"workers[].{key}", value, f"{label}.{key}")
    problems += order_problems(ours.get("stats", []))
    return problems


def order_problems(rows: list[dict]) -> list[str]:
    """Locust's order: the rows sorted by (name, method), then `Aggregated` (method "") last."""
    if not rows:
        return ["stats: empty, Locust always has the Aggregated row"]
    problems = []
    last = rows[-1]
    if last.get("name") != "Aggregated" or last.get("method") != "":
        problems.append(f"stats: the last row is {last.get('method')!r} {last.get('name')!r}, not Aggregated")
    body = rows[:-1]
    keys = [(row.get("name"), row.get("method")) for row in body]
    if keys != sorted(keys):
        problems.append(f"stats: rows not sorted by (name, method): {keys}")
    if any(row.get("name") == "Aggregated" and row.get("method") == "" for row in body):
        problems.append("stats: Aggregated appears before the last row")
    return problems


def row(stats: dict, name: str) -> dict:
    found = [r for r in stats["stats"] if r["name"] == name and (name == "Aggregated") == (r["method"] == "")]
    assert found, f"no stats row {name!r} in {[r['name'] for r in stats['stats']]}"
    return found[0]
