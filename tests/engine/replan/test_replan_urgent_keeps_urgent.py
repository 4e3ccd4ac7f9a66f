"""An urgent visit makes room by taking out ordinary visits, never another urgent visit of
the same day: with three urgent visits on one day the third took the second's place, and
the re-plan ended in a traceback (StopIteration, tester seed 413: three same-day urgent
visits of a country manager)."""

from __future__ import annotations

from engine.policy import Policy
from engine.replan.handover import _make_room
from tests.engine.routing.line_territory import (
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
)


def test_an_urgent_visit_never_takes_another_urgent_ones_place(policy_15_13_7: Policy) -> None:
    """A 110-min block holds o, u2 and the far u1 (25 min each); a third urgent u3 must go
    in. The cheapest stop to take out is u1, urgent itself; kept, the ordinary o goes."""
    policy = first_stop_every_day(policy_15_13_7)
    day = day_of([block("visit", "08:30", "10:20")], policy)
    shops = {rid: retailer(rid, service=25) for rid in ("u1", "u2", "o", "u3")}
    territory = line_territory({"u1": 12, "u2": 6, "o": 4, "u3": 7})
    assert _make_room(day, ["o", "u2", "u1"], "u3", shops, territory, policy)[1] == ["u1"]  # type: ignore[index]
    made = _make_room(day, ["o", "u2", "u1"], "u3", shops, territory, policy, keep={"u1", "u2"})
    assert made is not None
    order, removed = made
    assert removed == ["o"] and set(order) == {"u1", "u2", "u3"}
    full = _make_room(day, ["o", "u2", "u1"], "u3", shops, territory, policy, keep={"u1", "u2", "o"})
    assert full is None  # nothing it may take out makes room
