"""Figures the image tests print in pytest's summary, whatever the outcome (build time, counts)."""

from __future__ import annotations

from typing import Callable

import pytest

_FIGURES: list[str] = []


@pytest.fixture(scope="session")
def figure() -> Callable[[str], None]:
    def add(line: str) -> None:
        _FIGURES.append(line)
        print(line)

    return add


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("image test figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
