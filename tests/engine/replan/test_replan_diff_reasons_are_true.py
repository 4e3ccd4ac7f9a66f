"""Each diff reason is true (tester's rA: m04 sick Thu 13:00; m05 and m06, whom no
event touches, got "added admin — to make room for the changes" for blocks that only
fill the admin the plan declared short for them; m08 got "added pos_project —
re-paired: his partner is off" though POS work is solo)."""

from __future__ import annotations

import datetime as dt

from engine.domain import Block, HoursShortfall, Timetable
from engine.replan import read_events
from engine.replan.diff import block_diff
from engine.replan.pairs import Groups
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY = MONDAY + dt.timedelta(days=1)
NOW = dt.datetime.combine(MONDAY, dt.time(13, 0))


def _reasons(added: list[Block], orphans: list[str]) -> dict[tuple[str, str], str]:
    plan = Timetable.model_validate(week()).model_copy(update={"shortfalls": (
        HoursShortfall(manager="m03", kind="admin", minutes_short=100),)})
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": NOW.isoformat()}])
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, plan, NOW, events)
    diff = block_diff(situation, Groups(members={}, orphans=orphans), [*situation.timetable.blocks, *added], ())
    return {(d.manager, c.kind): c.reason for d in diff for c in d.blocks if c.change == "added"}


def _block(manager: str, kind: str, start: int) -> Block:
    return Block(manager=manager, date=TUESDAY, kind=kind, start=start, end=start + 40, with_=(), retailer=None)


def test_an_added_block_no_event_touches_says_it_fills_the_declared_shortfall() -> None:
    reasons = _reasons([_block("m03", "admin", 18 * 60)], [])
    assert reasons[("m03", "admin")] == "towards the 100 min of admin the plan declared short for m03"


def test_a_solo_block_of_a_manager_whose_partner_is_off_is_no_re_pairing() -> None:
    reasons = _reasons([_block("m02", "pos_project", 18 * 60)], ["m02"])
    assert "re-paired" not in reasons[("m02", "pos_project")]
    assert reasons[("m02", "pos_project")].startswith("partner m01 is off sick from Mon 2024-03-04 13:00")
