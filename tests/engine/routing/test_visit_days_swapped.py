"""A far manager whose first stop only one retailer meets in time has one day of visits;
when the search put that retailer on a day a leave shortens, the week's visits are moved
to a longer day whole (`_WeekToPlace.swapped`): one at a time each would break the
first-stop rule (tester's d8 under seed-003: 11 of 13 visits left out beside four empty
days; now none)."""

from __future__ import annotations

from engine.routing.visit_days import Unassigned, _WeekToPlace
from tests.engine.routing.line_territory import (
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
)


def test_the_only_opener_s_day_moves_whole_to_a_day_with_room(policy_15_13_7):
    policy = first_stop_every_day(policy_15_13_7)
    # R0 is the only retailer reached by the first stop; the others lie just beyond it.
    territory = line_territory({"R0": 55, "R1": 57, "R2": 59, "R3": 61, "R4": 63})
    retailers = {r: retailer(r, service=20) for r in ("R0", "R1", "R2", "R3", "R4")}
    short = day_of([block("visit", "08:30", "11:00", day=0)], policy)   # a leave from 11:00
    whole = day_of([block("visit", "08:30", "14:00", day=1)], policy)
    week = _WeekToPlace((short, whole), list(retailers), retailers, territory, policy, {})
    left = [Unassigned(r, "time_window", "the first retailer must be reached by 09:30") for r in ("R1", "R2")]
    left += [Unassigned(r, "no_room_in_day", "it fits on its own, but the days it could go on are full")
             for r in ("R3", "R4")]
    orders, still = week.swapped([["R0"], []], left)
    assert orders[0] == [] and sorted(orders[1]) == ["R0", "R1", "R2", "R3", "R4"]
    assert still == []
    # Left out for the first-stop rule only: traded all the same.
    only_first_stop = [Unassigned(r, "time_window", "the first retailer must be reached by 09:30")
                       for r in ("R1", "R2", "R3", "R4")]
    orders, still = week.swapped([["R0"], []], only_first_stop)
    assert orders[0] == [] and len(orders[1]) == 5 and still == []
    # Nothing left out: nothing is traded.
    assert week.swapped([["R0"], []], []) == ([["R0"], []], [])
