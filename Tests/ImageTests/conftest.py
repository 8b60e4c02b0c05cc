"""Figures the image tests print in pytest's summary, whatever the outcome (build time, counts)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "PytestSupport"))
from pytest_support import summary_figures  # noqa: E402

figure, pytest_terminal_summary = summary_figures("image test figures")
