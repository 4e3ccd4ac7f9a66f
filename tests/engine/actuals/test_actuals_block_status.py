"""A block row marked `status: missed` was counted as hours worked and its reason dropped
without a word (an outside tester's find: 180 min actual for a morning of rain). A block
row records a block done, as it was done: a status other than done, or a reason, is
refused naming the row and column; the block not done is left out and counts 0 minutes."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.actuals import actuals_from_rows
from engine.domain import Department
from engine.errors import InputError
from engine.policy import Policy
from tests.strategies import WEEK, simple_department

TUESDAY = (WEEK + dt.timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def department() -> Department:
    return simple_department(1)


def block(**cells: str) -> dict[str, str]:
    return {"manager": "m01", "date": WEEK.isoformat(), "record": "block", "kind": "visit",
            "start": "08:40", "end": "11:40", **cells}


@pytest.mark.parametrize(("cells", "column"), [
    ({"status": "missed", "reason": "rain, stayed home"}, "status"),
    ({"status": "Missed"}, "status"),
    ({"status": "cancelled"}, "status"),
    ({"reason": "rain, stayed home"}, "reason"),
])
def test_a_block_with_a_status_or_a_reason_is_refused_naming_row_and_column(
    department: Department, policy_15_13_7: Policy, cells: dict[str, str], column: str
) -> None:
    with pytest.raises(InputError) as raised:
        actuals_from_rows([block(), block(date=TUESDAY, **cells)],
                          department, policy_15_13_7, file="rows", first_row=1)
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column) == ("rows", 2, column)
    assert "a block takes no" in problem.message and "0 minutes" in problem.message


def test_a_block_marked_done_is_a_block_done(department: Department, policy_15_13_7: Policy) -> None:
    actuals = actuals_from_rows([block(status="done"), block(date=TUESDAY, status="")], department, policy_15_13_7)
    assert [b.end - b.start for b in actuals.blocks] == [180, 180]
