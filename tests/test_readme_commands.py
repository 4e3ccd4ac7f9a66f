"""The README's command table against the real commands: every option a row writes
exists, and the options a reader needs to run the row are in it."""

from __future__ import annotations

import re
from typing import Any

import typer

from api.cli import app
from tests.locations import REPO


def _rows() -> dict[str, str]:
    """Each command row's usage cell (the first cell), by command path ('actuals import')."""
    rows = {}
    for line in (REPO / "README.md").read_text("utf-8").splitlines():
        if not line.startswith("| `fieldweek "):
            continue
        usage = line.split("` | ", 1)[0]
        for part in usage.split("` / `"):
            words = part.strip("|` ").split()[1:]
            path = " ".join(w for w in words[:2] if re.fullmatch(r"[a-z]+", w) and not w.isupper())
            rows[path] = part
    return rows


def _command(path: str) -> Any:
    command: Any = typer.main.get_command(app)
    for name in path.split():
        found = getattr(command, "commands", {}).get(name)
        if found is None:
            break
        command = found
    return command


def _options(command: Any) -> set[str]:
    return {o for p in command.params if p.param_type_name == "option" for o in p.opts + p.secondary_opts}


def test_every_option_the_readme_writes_exists() -> None:
    for path, usage in _rows().items():
        real = _options(_command(path))
        written = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", usage))
        assert written <= real, (path, sorted(written - real))


def test_the_feedback_row_names_the_plan_it_needs() -> None:
    """Without --plan (or plans/<monday>.json) feedback stops; the row left it out."""
    assert "--plan" in _options(_command("feedback"))
    assert "--plan PLAN.json" in _rows()["feedback"]
