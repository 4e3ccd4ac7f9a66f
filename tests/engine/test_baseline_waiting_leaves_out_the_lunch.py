"""The baseline's own `waiting_minutes` (engine/baseline.py `_day_document`) counts a wait
as the route planner does: a lunch block of the timetable between arrival and start is
lunch, not waiting (SPEC §6). Its arrival is the honest one: the ride is over before the
lunch it does not run into (it was stated an hour late, pushed by a lunch taken later).
A day typed by hand on a road of riding minutes; no solve."""

from __future__ import annotations

from engine.baseline import _day_document, _ride_day
from engine.policy import parse_clock
from tests.engine.routing.line_territory import KM_PER_MINUTE, block, retailer

MINUTES_FROM_OFFICE = {None: 0, "s": 20, "p": 30}


class _Road:
    """The baseline's rides (`_Rides.between`) on one road: |a - b| minutes apart."""

    def between(self, a: str | None, b: str | None) -> tuple[float, int]:
        minutes = abs(MINUTES_FROM_OFFICE[a] - MINUTES_FROM_OFFICE[b])
        return minutes * KM_PER_MINUTE, minutes


def test_the_lunch_between_arrival_and_start_is_not_waiting(policy_15_13_7):
    """A promotion at s until 10:37, 10 min on to p: arrival 10:47 for the 13:30
    maintenance, the 12:30-13:30 lunch in between: 103 min of waiting, not 163."""
    blocks = [block("promotion", "10:00", "10:37", retailer_id="s"), block("lunch", "12:30", "13:30"),
              block("maintenance", "13:30", "15:30", retailer_id="p")]
    day = _ride_day(blocks, None, None, _Road(), policy_15_13_7)  # type: ignore[arg-type]
    document = _day_document("m1", blocks[0].date, day, parse_clock("10:00"), parse_clock("10:00"), "office",
                             None, {rid: retailer(rid) for rid in ("s", "p")})
    maintenance = document["stops"][-1]
    assert (maintenance["arrive"], maintenance["start"]) == ("10:47", "13:30")
    assert document["waiting_minutes"] == 103
