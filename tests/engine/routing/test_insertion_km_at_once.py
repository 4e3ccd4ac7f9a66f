"""The km a change of route costs, worked out at once (daily.removal_km,
cheapest_insertion_km, cheapest_insertion_km_without: the month's trades of visits
between days ask them thousands of times), equal what timing the changed route's km
(`route_km`, `insertion_km` on the route as changed) says, on any distances, not only
those of a road."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.routing.daily import (
    Place,
    Territory,
    cheapest_insertion_km,
    cheapest_insertion_km_without,
    insertion_km,
    removal_km,
    route_km,
)
from engine.routing.matrix import TravelMatrix
from tests.engine.routing.line_territory import block, day_of, first_stop_every_day

SHOPS = [f"R{k}" for k in range(8)]


def scattered_territory(km: list[float]) -> Territory:
    """The office and the shops with any km between them (not symmetric, no triangle rule)."""
    size = len(SHOPS) + 1
    matrix = np.array(km[: size * size]).reshape(size, size)
    np.fill_diagonal(matrix, 0.0)
    return Territory((None, *SHOPS), TravelMatrix(matrix, np.rint(matrix * 5).astype(np.int64), "straight_line"))


@settings(max_examples=200, deadline=None)
@given(km=st.lists(st.floats(0.0, 20.0, allow_nan=False), min_size=81, max_size=81),
       route_length=st.integers(0, len(SHOPS) - 2), to_shop=st.booleans(), data=st.data())
def test_each_figure_equals_the_route_changed_and_measured_again(policy_15_13_7, km, route_length, to_shop, data):
    territory = scattered_territory(km)
    day = day_of([block("visit", "08:30", "12:00")], first_stop_every_day(policy_15_13_7))
    if to_shop:
        day = dataclasses.replace(day, end_place=Place("retailer", SHOPS[-1]), end_deadline=day.block_end)
    order = data.draw(st.permutations(SHOPS[:-1]))[:route_length]
    outside = [r for r in SHOPS[:-1] if r not in order]

    for position, stop in enumerate(order):
        rest = [r for r in order if r != stop]
        assert removal_km(day, order, position, territory) == \
            pytest.approx(route_km(day, order, territory) - route_km(day, rest, territory), abs=1e-9)

    if outside:
        assert cheapest_insertion_km(day, order, outside, territory) == \
            [min(insertion_km(day, order, r, territory)) for r in outside]
        newcomer = outside[0]
        assert cheapest_insertion_km_without(day, order, newcomer, territory) == \
            [min(insertion_km(day, [r for r in order if r != stop], newcomer, territory)) for stop in order]

