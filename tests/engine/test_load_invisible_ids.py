"""An id holding an invisible format character (a right-to-left override, a zero-width
space) was taken: it looks like another id, and the manager's calendar file name then
showed reversed. Refused at its cell by the one loader the folder and the API share."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InputError, Problem
from engine.load import department_from_tables
from tests.engine.test_load import HISTORY, MANAGERS, RETAILERS, make_folder, problems_of, with_cell

META = {"name": "城区第一市场部", "office": {"lat": 30.69, "lon": 104.08},
        "policy": "15-13-7", "market_manager": "李建国"}


@pytest.mark.parametrize(("char", "name"), [("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
                                            ("\u200b", "U+200B ZERO WIDTH SPACE")])
def test_a_manager_id_with_an_invisible_character_is_refused_in_a_folder(
    tmp_path: Path, char: str, name: str
) -> None:
    manager_id = f"m{char}01"
    retailers = [{**row, "manager": manager_id} if row["manager"] == "m01" else row for row in RETAILERS]
    history = [{**row, "manager": manager_id} for row in HISTORY]  # every row is m01's
    folder = make_folder(tmp_path / "d", managers=with_cell(MANAGERS, 0, "id", manager_id),
                         retailers=retailers, history=history)
    assert problems_of(folder) == [Problem(f"id contains an invisible format character ({name}); remove it",
                                           file="managers.csv", row=2, column="id")]


def test_a_retailer_id_with_an_invisible_character_is_refused_in_sent_tables() -> None:
    """The API's import (tables sent as JSON, a workbook or files) reads through the same check."""
    retailers = with_cell(RETAILERS, 1, "id", "R0000\u20602")
    with pytest.raises(InputError) as caught:
        department_from_tables(META, {"managers": MANAGERS, "retailers": retailers}, "{table}.csv")
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [("retailers.csv", 3, "id")]
    assert "U+2060 WORD JOINER" in caught.value.problems[0].message


def test_visible_ids_and_names_with_a_joiner_still_load() -> None:
    """Only ids are held to it: a name may keep a zero-width joiner (as in an emoji)."""
    managers = with_cell(MANAGERS, 1, "name", "王芳\u200d")
    department = department_from_tables(META, {"managers": managers, "retailers": RETAILERS}, "{table}.csv")
    assert [m.id for m in department.managers] == ["m01", "m02", "m03"]
