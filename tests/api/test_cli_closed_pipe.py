"""`fieldweek routes --help | head`: the reader closing the pipe while the help was
written was reported as "internal error … This is a bug" (exit 3); it ends quietly now."""

from __future__ import annotations

import pytest
from typer import rich_utils
from typer.testing import CliRunner

from api.cli import app


def test_a_closed_pipe_is_no_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def write_into_a_closed_pipe(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(rich_utils, "rich_format_help", write_into_a_closed_pipe)
    result = CliRunner().invoke(app, ["routes", "--help"])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
