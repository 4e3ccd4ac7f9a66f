"""A quote left open in a CSV file is one problem at the row and column where it opens,
not a problem for every cell of the rows it swallowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InputError
from engine.load import department_files
from tests.engine.test_load import RETAILERS, make_folder, problems_of, with_cell


def quoted_name(folder: Path, row: int, closing: str = "") -> Path:
    """retailers.csv with a quote opening the name of data row `row` (Excel row `row` + 1)."""
    path = folder / "retailers.csv"
    lines = path.read_text("utf-8-sig").splitlines()
    lines[row] = lines[row].replace(",", ',"', 1) + closing
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return folder


def test_an_unclosed_quote_is_one_problem_where_it_opens(tmp_path: Path) -> None:
    folder = quoted_name(make_folder(tmp_path / "dept"), 1)
    [problem] = problems_of(folder)
    assert (problem.file, problem.row, problem.column) == ("retailers.csv", 2, "name")
    assert "never closed" in problem.message and "every row after it" in problem.message
    assert len(problem.message) < 200 and "R00002" not in problem.message


def test_a_quote_closed_rows_later_is_one_problem_too(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "dept")
    path = folder / "retailers.csv"
    lines = path.read_text("utf-8-sig").splitlines()
    lines[1] = lines[1].replace(",", ',"', 1)
    lines[2] = lines[2].replace(",", '",', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    [problem] = problems_of(folder)
    assert (problem.row, problem.column) == (2, "name") and "closed only 1 line further down" in problem.message


def test_the_same_through_an_upload(tmp_path: Path) -> None:
    folder = quoted_name(make_folder(tmp_path / "dept"), 2)
    with pytest.raises(InputError) as caught:
        department_files({"retailers.csv": (folder / "retailers.csv").read_bytes()})
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (3, "name") and "never closed" in problem.message


def test_a_line_break_typed_in_a_cell_is_still_the_character_problem(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "dept", retailers=with_cell(RETAILERS, 0, "name", "佳鑫\n便利店"))
    [problem] = problems_of(folder)
    assert (problem.row, problem.column) == (2, "name") and "U+000A" in problem.message
