"""A promotion store cancelled from a later day than `now` is usable until then: the
re-plan keeps the group's sessions before that day at the store, as planned, and says
nothing of the cancellation for them; the independent re-plan checker faults a session
moved off the store on a day it could still be used (tester d8_477: Wednesday's session
moved to another store "because" the store was cancelled from Thursday)."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Closure, check_replan
from engine.policy import Policy
from engine.replan import read_events, replan
from engine.timetable.solve import SolveParams
from tests.strategies import WEEK

FAST = SolveParams(time_limit_s=3, workers=2)


def test_a_session_before_the_cancellation_keeps_its_store(week, policy_15_13_7: Policy) -> None:
    department, timetable = week
    paired = {k for k, r in policy_15_13_7.kinds.items() if r.group == "pair"}
    last = max(b.date for b in timetable.blocks)
    session = min((b for b in timetable.blocks if b.kind in paired and b.retailer and WEEK < b.date < last
                   and b.start >= 9 * 60), key=lambda b: (b.date, b.start))
    store, since = session.retailer, session.date + dt.timedelta(days=1)
    assert store is not None
    now = dt.datetime.combine(session.date, dt.time(0, 0)) + dt.timedelta(minutes=session.start - 60)
    events = read_events([{"type": "promotion_store_cancelled", "retailer": store, "date": str(since)}])
    result = replan(department, policy_15_13_7, timetable, now, events, None, FAST)
    assert result.status in ("optimal", "feasible")
    held = [b for b in result.timetable.blocks if b.kind in paired and b.retailer == store]
    assert session in result.timetable.blocks, "the session before the cancellation left its store"
    assert not [b for b in held if b.date >= since]
    said = [c for d in result.diff for c in d.blocks if c.before is not None and c.before.date < since
            and "is cancelled" in c.reason]
    assert said == []
    closures = [Closure(store, since, onwards=True)]
    assert check_replan(department, policy_15_13_7, timetable, result.timetable, now, [], closures).violations == []

    # The checker, on its own: the same session moved to another store that day is a fault.
    other = next(r.id for r in department.retailers if r.promo_store and r.id != store)
    moved = result.timetable.model_copy(update={"blocks": [
        b.model_copy(update={"retailer": other}) if b.kind in paired and b.retailer == store
        and b.date == session.date and b.start == session.start else b for b in result.timetable.blocks]})
    faults = check_replan(department, policy_15_13_7, timetable, moved, now, [], closures).violations
    assert any(f"moved from {store} to {other}" in v.message and v.date == session.date for v in faults), faults
