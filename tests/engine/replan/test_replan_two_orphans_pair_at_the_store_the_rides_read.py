"""Two managers each left alone for the rest of the week (m02 and m04 off sick) may pair
together (pairs.py `offer_links`). The model reads the rides to and from their new
sessions at that new pair's store (venues.py `group_store`), so the sessions must be
held there: each kept its old group's store instead (seed 412, tester: m10's promotion
at m05's old store, a 26-min ride in 20 min, and the re-plan checker refused the week)."""

from __future__ import annotations

from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.solve import replan
from engine.timetable.solve import SolveParams
from engine.timetable.venues import week_venues
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, week
from tests.engine.check.test_timetable_checker import TEST_POLICY, make_department


def _m01_and_m02_at_m02_s_store() -> dict:
    """The checker tests' week, m01 and m02 holding their promotion at m02's store: the
    old places of the two left alone (m02's and m04's groups' stores) are then neither
    the store of a pair of m01 and m03."""
    before = week()
    for block in before["blocks"]:
        if block["kind"] == "promotion" and block["manager"] in ("m01", "m02"):
            block["retailer"] = "r-m02-3"
    return before


def test_two_orphans_paired_together_hold_their_sessions_at_their_pair_s_store() -> None:
    rules = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
    policy = TEST_POLICY.model_copy(update={"replan": rules})
    department = make_department(MANAGERS)
    events = read_events([{"type": "manager_sick", "manager": sick, "from": MONDAY_13.isoformat()}
                          for sick in ("m02", "m04")])
    result = replan(department, policy, Timetable.model_validate(_m01_and_m02_at_m02_s_store()), MONDAY_13, events,
                    params=SolveParams(time_limit_s=3, workers=2))
    paired = {k for k, r in policy.kinds.items() if r.group == "pair"}
    new_sessions = [b for b in result.timetable.blocks if b.kind in paired and b.manager in ("m01", "m03")
                    and set(b.with_) == {"m01", "m03"} - {b.manager}
                    and (b.date, b.start) >= (MONDAY_13.date(), 13 * 60)]
    assert new_sessions, "the two left alone were not paired: the test no longer reaches the fault"
    store = week_venues(department, policy, result.week_start).group_store({"m01", "m03"})
    promotion = [b for b in new_sessions if policy.kinds[b.kind].at == "promo_store"]
    assert promotion and {b.retailer for b in promotion} == {store}
