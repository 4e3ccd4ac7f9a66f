"""The tester's fault: the hand-made week held m08's POS block 58 min from the office until
17:00 on a day ending 17:30, his ride back arriving 17:58. The day ends at the office as
it starts there (SPEC §3, "then back to the office"; the independent timetable checker
now says so too): the baseline's ride rules (`_Week.rides_kept`) refuse a last block whose
ride back is not over by the day's end, so it holds the block earlier or declares it short.
Days typed by hand on a road where every ride between two places takes 40 min; no solve."""

from __future__ import annotations

import datetime as dt

from engine.baseline import _Placed, _Week
from engine.policy import format_clock, parse_clock

MONDAY = dt.date(2026, 11, 30)
RIDE = 40


class _Road:
    """The week's venues (`Venues.minutes`): 40 min between any two places."""

    def minutes(self, a: object, b: object) -> int:
        return 0 if a == b else RIDE


def _week(policy) -> _Week:
    week = _Week(department=None, policy=policy, frame=None)  # type: ignore[arg-type]
    week.venues = _Road()  # type: ignore[assignment]
    return week


def _day(pos_end: int) -> list[_Placed]:
    """Phone at the office 14:00-14:30, then a 60-min POS session at a household ending `pos_end`."""
    return [_Placed("m1", MONDAY, "phone", parse_clock("14:00"), parse_clock("14:30")),
            _Placed("m1", MONDAY, "pos_project", pos_end - 60, pos_end, retailer="far")]


def test_a_last_block_whose_ride_back_ends_after_the_day_is_refused(policy_15_13_7):
    """Until 30 min before the day's end, 40 min from the office: back 10 min late."""
    end = policy_15_13_7.day.end
    assert end - 30 > parse_clock("14:30") + RIDE + 60, format_clock(end)
    assert not _week(policy_15_13_7).rides_kept(_day(end - 30))


def test_a_last_block_whose_ride_back_fits_is_kept(policy_15_13_7):
    """The same session over 40 min before the day's end: back by it."""
    assert _week(policy_15_13_7).rides_kept(_day(policy_15_13_7.day.end - RIDE))
