"""Pieces every pytest suite of this project shares (Tests/WebTests, Tests/NetworkTests, Tests/ImageTests):
a time limit per test phase, and figures printed in pytest's summary whatever the outcome.

A conftest imports this file (its folder is put on sys.path) and binds what it needs as its own names,
which is how pytest finds hooks and fixtures:

    pytest_runtest_setup, pytest_runtest_call, pytest_runtest_teardown, add_time_limit_marker = phase_time_limits(90)
    figures, pytest_terminal_summary = summary_figures("web test figures")
"""

from __future__ import annotations

import signal
from typing import Callable

import pytest


class PhaseTimeLimit(Exception):
    """A test phase ran past its limit."""


def phase_time_limits(default_call: float, setup: float = 60.0, teardown: float = 60.0):
    """Hook wrappers for setup, call and teardown that raise ``PhaseTimeLimit`` (SIGALRM) past their
    limit, and a function for ``pytest_configure`` that declares `@pytest.mark.time_limit(seconds)`,
    a test's own limit (its setup gets it too: a module's shared fixtures are set up in its first
    test's setup)."""

    def limited(item: pytest.Item, phase: str, seconds: float):
        def on_alarm(signum, frame):  # noqa: ARG001
            raise PhaseTimeLimit(f"{item.nodeid}: {phase} took longer than {seconds:g} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return previous

    def unlimited(previous) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    def marked(item: pytest.Item) -> float | None:
        marker = item.get_closest_marker("time_limit")
        return float(marker.args[0]) if marker else None

    def wrapper(phase: str, seconds: Callable[[pytest.Item], float]):
        @pytest.hookimpl(hookwrapper=True)
        def hook(item):
            previous = limited(item, phase, seconds(item))
            try:
                yield
            finally:
                unlimited(previous)

        return hook

    def add_marker(config) -> None:
        config.addinivalue_line(
            "markers", f"time_limit(seconds): the test's own time limit (default {default_call:g} s)")

    return (
        wrapper("setup", lambda item: max(setup, marked(item) or 0)),
        wrapper("the test", lambda item: marked(item) or default_call),
        wrapper("teardown", lambda item: teardown),
        add_marker,
    )


def summary_figures(title: str):
    """A session fixture `add(line)` that prints a line and keeps it, and a ``pytest_terminal_summary``
    that shows the kept lines under `title` at the end, whatever the outcome."""
    lines: list[str] = []

    @pytest.fixture(scope="session")
    def fixture() -> Callable[[str], None]:
        def add(line: str) -> None:
            lines.append(line)
            print(line)

        return add

    def terminal_summary(terminalreporter):
        if lines:
            terminalreporter.section(title)
            for line in lines:
                terminalreporter.write_line(line)

    return fixture, terminal_summary
