"""A department folder's file named almost as a table fieldweek reads, while that table is
absent, is an input error saying which name is expected; unrelated files stay allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load import load_department
from tests.engine.test_load import make_folder, problems_of


@pytest.mark.parametrize(("wrong", "right"), [("leaves.csv", "leave.csv"), ("Leave.csv", "leave.csv"),
                                              ("retailer.csv", "retailers.csv"), ("histroy.csv", "history.csv")])
def test_a_misnamed_table_is_an_error_naming_the_expected_name(tmp_path: Path, wrong: str, right: str) -> None:
    folder = make_folder(tmp_path / "dept")
    (folder / right).rename(folder / wrong)
    problems = [p for p in problems_of(folder) if p.file == wrong]
    assert len(problems) == 1 and f"must be called {right}" in problems[0].message


def test_unrelated_files_and_a_near_name_beside_the_right_file_are_allowed(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "dept")
    for name in ("README.md", "timetable.html", "routes.json", "notes.csv", "leave_old.csv"):
        (folder / name).write_text("x", encoding="utf-8")
    assert len(load_department(folder).leave) == 2
