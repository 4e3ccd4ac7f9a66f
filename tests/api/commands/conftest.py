"""Fixtures of the command tests: `fieldweek replan` with the re-planner replaced by a spy
(`seen`: the arguments it was called with; it exits `REPLANNED`, the input got through,
no solver runs), and consoles wide enough that a message is not wrapped."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from api.commands import console as console_module
from api.commands import replan as replan_module

REPLANNED = 99
"""The exit code of the spy in place of a re-plan: the input got through."""


@pytest.fixture
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console_module.console, "width", 300)
    monkeypatch.setattr(console_module.errors, "width", 300)


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The arguments the re-planner was called with (it never solves)."""
    calls: list[tuple[Any, ...]] = []

    def spy(*args: Any) -> None:
        calls.append(args)
        raise typer.Exit(REPLANNED)

    monkeypatch.setattr(replan_module, "replan", spy)
    return calls
