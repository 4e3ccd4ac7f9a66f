"""The loader names a bad file's or value's real fault, once: an unreadable retailers.csv
(UTF-16, junk) is not also "missing", and a visit out of the domain's range is measured
against the policy's limits (8 and 180 min for 15-13-7), not the domain's 1 and 480."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.test_load import RETAILERS, make_folder, problems_of, with_cell


def test_an_unreadable_retailers_file_is_not_also_missing(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "d")
    retailers = folder / "retailers.csv"
    retailers.write_bytes(retailers.read_text("utf-8").encode("utf-16"))
    problems = problems_of(folder)
    assert [p.file for p in problems] == ["retailers.csv"], problems
    assert "neither UTF-8 nor GB18030" in problems[0].message


@pytest.mark.parametrize(("minutes", "said"), [
    ("500", "service_min (500) is longer than the longest visit block of policy '15-13-7' (180 min"),
    ("0", "service_min (0) must be at least 8, the minimum service of policy '15-13-7'"),
    ("-5", "service_min (-5) must be at least 8, the minimum service of policy '15-13-7'"),
])
def test_a_visit_out_of_range_is_told_the_policy_s_limits(tmp_path: Path, minutes: str, said: str) -> None:
    problems = problems_of(make_folder(tmp_path / "d", retailers=with_cell(RETAILERS, 0, "service_min", minutes)))
    messages = [p.message for p in problems if p.column == "service_min"]
    assert any(m.startswith(said) for m in messages), messages
    assert not any("480" in p.message for p in problems), problems
