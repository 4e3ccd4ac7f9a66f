"""The diff's reason names the event that moved the block, per manager row: a store
closed that day or cancelled, not a partner's sickness on another day (tester's rD:
m04's Friday promotion moved off R03012, closed on Friday, "because" partner m03 was off
sick from Wednesday, back on Friday; rE: a trio's session moved off a cancelled store
while its third member is ill named only the sickness)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.diff import block_diff
from engine.replan.pairs import remaining_groups
from engine.replan.situation import situation_at
from tests.engine.check.test_timetable_checker import (
    MONDAY,
    TEST_POLICY,
    build_week,
    make_department,
)

RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
POLICY = TEST_POLICY.model_copy(update={"replan": RULES})
WEDNESDAY = MONDAY + dt.timedelta(days=2)
NOW = dt.datetime.combine(MONDAY, dt.time(16, 30))


def reasons(managers: tuple[str, ...], groups: tuple[tuple[str, ...], ...], events: list[dict],
            away: str | None = None) -> dict[str, str]:
    """Each manager's reason for his Wednesday promotion moved from r-m01-3 to r-m02-3
    (without `away`, off that day)."""
    timetable = Timetable.model_validate(build_week(managers, groups=groups))
    situation = situation_at(make_department(managers), POLICY, timetable, NOW, read_events(events))
    blocks = []
    for b in timetable.blocks:
        if b.kind == "promotion" and b.date == WEDNESDAY:
            if b.manager == away:
                continue
            b = b.model_copy(update={"retailer": "r-m02-3", "with_": tuple(m for m in b.with_ if m != away)})
        blocks.append(b)
    diff = block_diff(situation, remaining_groups(situation), blocks, [])
    return {d.manager: c.reason for d in diff for c in d.blocks if c.kind == "promotion" and c.after is not None}


def test_a_store_closed_that_day_is_the_reason_not_a_partner_back_by_then() -> None:
    """m02 is off sick on Monday only; r-m01-3, the pair's store, is closed on Wednesday."""
    said = reasons(("m01", "m02"), (("m01", "m02"),), [
        {"type": "manager_sick", "manager": "m02", "from": f"{MONDAY}T13:00", "until": str(MONDAY)},
        {"type": "retailer_closed", "retailer": "r-m01-3", "date": str(WEDNESDAY)}])
    assert said == {"m01": f"r-m01-3 is closed on {WEDNESDAY}", "m02": f"r-m01-3 is closed on {WEDNESDAY}"}


def test_a_trio_moved_off_a_cancelled_store_while_one_is_ill_names_both() -> None:
    """m03 of the trio is off sick from Wednesday; r-m01-3 is cancelled from Wednesday."""
    said = reasons(("m01", "m02", "m03"), (("m01", "m02", "m03"),), [
        {"type": "manager_sick", "manager": "m03", "from": f"{WEDNESDAY}T08:00"},
        {"type": "promotion_store_cancelled", "retailer": "r-m01-3", "date": str(WEDNESDAY)}], away="m03")
    for manager in ("m01", "m02"):
        assert "partner m03 is off sick from Wed" in said[manager]
        assert f"promotion store r-m01-3 is cancelled from Wed {WEDNESDAY}, now at r-m02-3" in said[manager]
