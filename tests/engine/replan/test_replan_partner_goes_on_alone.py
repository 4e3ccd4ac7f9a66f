"""A manager who falls ill in a pair session: his partner goes on alone, and his block
names the sick one only for the part they shared (tester's rB: m07's maintenance
12:30-14:30 still "with m06", who stopped at 13:00). A re-plan of that week reads the
two parts as the one session again, as the model holds it."""

from __future__ import annotations

import datetime as dt

from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.diff import block_diff
from engine.replan.pairs import remaining_groups
from engine.replan.situation import situation_at, split_where_a_partner_fell_ill
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

RULES = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
POLICY = TEST_POLICY.model_copy(update={"replan": RULES})
TUESDAY = MONDAY + dt.timedelta(days=1)
EVENTS = [{"type": "manager_sick", "manager": "m02", "from": f"{TUESDAY}T13:30", "until": str(TUESDAY)}]


def maintenance(blocks, manager: str) -> list[tuple[int, int, tuple[str, ...]]]:
    return sorted((b.start, b.end, b.with_) for b in blocks
                  if (b.manager, b.date, b.kind) == (manager, TUESDAY, "maintenance"))


def test_the_partner_s_block_names_him_only_until_he_fell_ill() -> None:
    """m02 falls ill at 13:30 in Tuesday's maintenance (13:10-14:10), re-planned at 13:40."""
    now = dt.datetime.combine(TUESDAY, dt.time(13, 40))
    timetable = Timetable.model_validate(week())
    situation = situation_at(make_department(MANAGERS), POLICY, timetable, now, read_events(EVENTS))
    blocks = split_where_a_partner_fell_ill(situation, situation.timetable.blocks)
    assert maintenance(blocks, "m02") == [(790, 810, ("m01",))]
    assert maintenance(blocks, "m01") == [(790, 810, ("m02",)), (810, 850, ())]
    (row,) = [c for d in block_diff(situation, remaining_groups(situation), blocks, []) if d.manager == "m01"
              for c in d.blocks if c.kind == "maintenance"]
    assert (row.change, row.before.end, row.after.start, row.after.with_) == ("changed", 850, 810, ())
    assert row.reason == "partner m02 is off sick from Tue 2024-03-05 13:30: the session goes on without him from then"
    # The re-plan of that week reads m01's two parts as his one session, and writes them split again.
    replanned = timetable.model_copy(update={"blocks": tuple(blocks)})
    later = situation_at(make_department(MANAGERS), POLICY, replanned, now + dt.timedelta(hours=1),
                         read_events(EVENTS))
    assert maintenance(later.timetable.blocks, "m01") == [(790, 850, ("m02",))]
    assert maintenance(split_where_a_partner_fell_ill(later, later.timetable.blocks), "m01") == \
        [(790, 810, ("m02",)), (810, 850, ())]


def test_nothing_is_split_before_he_falls_ill() -> None:
    """Re-planned at 13:20, before he falls ill at 13:30: the parts are not both past yet,
    and the partner's block stays whole, as the model holds it."""
    now = dt.datetime.combine(TUESDAY, dt.time(13, 20))
    situation = situation_at(make_department(MANAGERS), POLICY, Timetable.model_validate(week()), now,
                             read_events(EVENTS))
    assert maintenance(split_where_a_partner_fell_ill(situation, situation.timetable.blocks), "m01") == \
        [(790, 850, ("m02",))]
