"""A retailer whose visit cannot fit its own opening hours, or any visit block of the
policy, is refused at load naming its row and columns (engine/load.py)."""

from __future__ import annotations

from pathlib import Path

from tests.engine.test_load import RETAILERS, make_folder, problems_of, with_cell


def test_a_visit_longer_than_the_opening_hours_is_refused_at_its_row(tmp_path: Path) -> None:
    short_hours = with_cell(with_cell(RETAILERS, 1, "opens", "10:00"), 1, "closes", "10:05")
    [problem] = problems_of(make_folder(tmp_path / "d", retailers=short_hours))
    assert (problem.file, problem.row, problem.column) == ("retailers.csv", 3, "opens/closes/service_min")
    assert problem.message == ("service_min (10) is longer than the 5 min between opens (10:00) and closes "
                               "(10:05): the visit cannot be made while the retailer is open")


def test_a_visit_longer_than_any_visit_block_of_the_policy_is_refused(tmp_path: Path) -> None:
    long_visit = with_cell(RETAILERS, 0, "service_min", "400")
    [problem] = problems_of(make_folder(tmp_path / "d", retailers=long_visit))
    assert (problem.file, problem.row, problem.column) == ("retailers.csv", 2, "service_min")
    assert problem.message == ("service_min (400) is longer than the longest visit block of policy '15-13-7' "
                               "(180 min, kinds.visit): no route can hold the visit")
