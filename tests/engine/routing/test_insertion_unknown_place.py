"""A route stop the territory does not hold is named in a clear error (was a bare KeyError
deep in `insertion_km`, reported by the month planner as an internal error)."""

from __future__ import annotations

import pytest

from engine.policy import Policy
from engine.routing.daily import cheapest_feasible_insertion
from tests.engine.routing.line_territory import block, day_of, line_territory, retailer


def test_a_stop_outside_the_territory_is_named(policy_15_13_7: Policy) -> None:
    day = day_of([block("visit", "09:00", "12:00")], policy_15_13_7)
    shops = {r: retailer(r) for r in ("a", "b")}
    with pytest.raises(ValueError, match="no place for b"):
        cheapest_feasible_insertion(day, ["b"], "a", shops, line_territory({"a": 10}), policy_15_13_7)
