"""`fieldweek serve --db sqlite:///...` whose file cannot be opened is refused before the
service starts: exit 2 naming the path and why (was: SQLAlchemy's traceback, "unable to
open database file", "This is a bug in fieldweek", exit 3)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from api.commands.serve import sqlite_file_problem


def test_a_database_in_a_missing_folder_is_refused_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    result = CliRunner().invoke(app, ["serve", "--port", "8763", "--db", f"sqlite:///{missing}/x.db"],
                                terminal_width=300)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"{missing} of the database file x.db does not exist" in said
    assert "bug" not in said and "Traceback" not in said


def test_what_a_database_file_can_be_refused_for(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("")
    assert "is a folder" in (sqlite_file_problem(f"sqlite:///{tmp_path}") or "")
    assert "is a file, not a folder" in (sqlite_file_problem(f"sqlite:///{tmp_path}/plain/x.db") or "")
    assert sqlite_file_problem(f"sqlite:///{tmp_path}/x.db") is None
    assert sqlite_file_problem("sqlite:///:memory:") is None
    assert sqlite_file_problem("postgresql://user@host/name") is None
