"""The tester's fault: the hand-made week held a POS block 58 min from the office until
17:00 with the day ending 17:30, the ride back arriving 17:58, and the independent
timetable checker said nothing (it checked the ride out of the office at the day's start
and the ride back before a leave, not the ride back at the day's end). The day ends at
the office as it starts there (SPEC §3, "then back to the office"): now
`ride_between_places`. Plans typed by hand on test_timetable_checker.py's week."""

from __future__ import annotations

import pytest

from engine.check.timetable import check_timetable
from tests.engine.check.test_rides_and_declared_shortfalls import (
    far_household,
    household_after_store,
)
from tests.engine.check.test_timetable_checker import TEST_POLICY, make_department


@pytest.fixture(scope="module")
def policy():
    """The test policy with POS sessions allowed until the day's end (17:30), so the
    day's last block can be one."""
    kinds = dict(TEST_POLICY.kinds)
    kinds["pos_project"] = kinds["pos_project"].model_copy(update={"latest_end": TEST_POLICY.day.end})
    return TEST_POLICY.model_copy(update={"kinds": kinds})


def _pos_last_on_monday() -> dict:
    """m01's Monday: maintenance at the store, phone and office work, then the POS
    household 16:20-17:20, the day's last block (Tuesday's office work makes up the week)."""
    return household_after_store(("16:20", "17:20"), ("14:30", "15:00"), ("15:00", "15:50"), "17:20")


def test_a_last_block_too_far_to_ride_back_by_the_days_end_is_a_violation(policy):
    """The household 25 min from the office until 17:20: back 17:45, after 17:30."""
    violations = check_timetable(far_household(), policy, _pos_last_on_monday())
    assert [(v.rule, v.manager, v.time) for v in violations] == [("ride_between_places", "m01", "16:20–17:20")]
    message = violations[0].message
    assert "17:30" in message and "25-min ride back to the office" in message and "back 17:45" in message


def test_a_last_block_near_enough_to_ride_back_is_valid(policy):
    """The same day with the household 3 min from the office: back 17:23."""
    assert check_timetable(make_department(), policy, _pos_last_on_monday()) == []
