"""Where one more stop fits (daily.cheapest_feasible_insertion) is judged from the route's
own times without timing each trial (`_InsertionWindows`): for any route, any new stop
and any position, the answer is exactly what timing the whole trial route says."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.routing.daily import Place, _InsertionWindows, time_visit_route
from tests.engine.routing.line_territory import (
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
)

SHOPS = [f"R{k}" for k in range(7)]
HOURS = [("07:00", "22:00"), ("09:00", "22:00"), ("10:30", "22:00"), ("07:00", "10:00"), ("09:00", "11:00"),
         ("07:00", "11:00")]
"""Opening hours: open all day, opening late, closing early, open only a short while."""


@settings(max_examples=300, deadline=None)
@given(where=st.lists(st.integers(1, 60), min_size=len(SHOPS), max_size=len(SHOPS)),
       hours=st.lists(st.sampled_from(HOURS), min_size=len(SHOPS), max_size=len(SHOPS)),
       service=st.lists(st.integers(5, 30), min_size=len(SHOPS), max_size=len(SHOPS)),
       route_length=st.integers(0, len(SHOPS) - 1), block_start=st.sampled_from(["08:00", "08:40", "09:20"]),
       block_end=st.sampled_from(["10:00", "11:00", "12:00"]), to_next=st.booleans(), data=st.data())
def test_each_position_is_judged_as_timing_the_trial_route_would(policy_15_13_7, where, hours, service,
                                                                   route_length, block_start, block_end, to_next,
                                                                   data):
    policy = first_stop_every_day(policy_15_13_7)
    territory = line_territory(dict(zip(SHOPS, where, strict=True)))
    retailers = {rid: retailer(rid, opens=o, closes=c, service=s)
                 for rid, (o, c), s in zip(SHOPS, hours, service, strict=True)}
    day = day_of([block("visit", block_start, block_end)], policy)
    if to_next:
        # The next place is a retailer (an appointment), due by the block's end.
        day = dataclasses.replace(day, end_place=Place("retailer", SHOPS[-1]), end_deadline=day.block_end)
    order = data.draw(st.permutations(SHOPS[:-1]))[:route_length]
    newcomer = data.draw(st.sampled_from([r for r in SHOPS[:-1] if r not in order] or [SHOPS[0]]))
    if newcomer in order:
        return
    windows = _InsertionWindows(day, order, retailers, territory, policy)
    for index in range(len(order) + 1):
        trial = [*order[:index], newcomer, *order[index:]]
        timed = time_visit_route(day, trial, retailers, territory, policy)
        assert windows.fits(index, retailers[newcomer]) == timed.feasible, (index, order, newcomer)
