"""A partner who falls ill at the very moment of the re-plan (tester's d549: m05 and m03
sick from Tue 15:00, re-planned at Tue 15:00): his partners' sessions are written in two
parts, with him until then and alone after, as when he fell ill before `now`. They kept
one block to the end naming him, and the next re-plan rewrote those past blocks split
with no diff line; a re-plan of that re-plan must keep them exactly as written."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
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
ILL = dt.datetime.combine(TUESDAY, dt.time(13, 30))  # in Tuesday's maintenance, 13:10-14:10
EVENTS = [{"type": "manager_sick", "manager": "m02", "from": ILL.isoformat(), "until": str(TUESDAY)}]


def maintenance(blocks, manager: str) -> list[tuple[int, int, tuple[str, ...]]]:
    return sorted((b.start, b.end, b.with_) for b in blocks
                  if (b.manager, b.date, b.kind) == (manager, TUESDAY, "maintenance"))


def _replanned_at_the_moment_he_falls_ill():
    timetable = Timetable.model_validate(week())
    situation = situation_at(make_department(MANAGERS), POLICY, timetable, ILL, read_events(EVENTS))
    return timetable, situation, split_where_a_partner_fell_ill(situation, situation.timetable.blocks)


def test_the_partner_s_session_is_split_when_he_falls_ill_at_now() -> None:
    _, situation, blocks = _replanned_at_the_moment_he_falls_ill()
    assert maintenance(blocks, "m02") == [(790, 810, ("m01",))]
    assert maintenance(blocks, "m01") == [(790, 810, ("m02",)), (810, 850, ())]
    rows = [c for d in block_diff(situation, remaining_groups(situation), blocks, []) if d.manager == "m01"
            for c in d.blocks if c.kind == "maintenance"]
    # One line: the session goes on without him; the part alone (it starts at `now`) is no block "added".
    assert [(r.change, r.before.end, r.after.start, r.after.with_) for r in rows] == [("changed", 850, 810, ())]


def test_a_re_plan_of_that_re_plan_keeps_the_parts_as_written() -> None:
    timetable, _, blocks = _replanned_at_the_moment_he_falls_ill()
    replanned = timetable.model_copy(update={"blocks": tuple(blocks)})
    later = situation_at(make_department(MANAGERS), POLICY, replanned, ILL + dt.timedelta(hours=3),
                         read_events(EVENTS))
    again = split_where_a_partner_fell_ill(later, later.timetable.blocks)
    assert maintenance(again, "m01") == maintenance(blocks, "m01") == [(790, 810, ("m02",)), (810, 850, ())]


def test_the_checker_reads_the_split_at_now_as_the_past_kept() -> None:
    """The re-plan's checker keeps the part with him as the past and leaves the part
    alone, which starts at `now`, to the week's rules: no past changed."""
    timetable = Timetable.model_validate(week())
    kept = [b for b in timetable.blocks if not (b.manager in ("m01", "m02") and b.date == TUESDAY
                                                and (b.kind == "maintenance" or (b.manager == "m02" and b.start >= 810)))]
    (whole,) = [b for b in timetable.blocks if (b.manager, b.date, b.kind) == ("m01", TUESDAY, "maintenance")]
    parts = [whole.model_copy(update={"end": 810}), whole.model_copy(update={"start": 810, "with_": ()}),
             whole.model_copy(update={"manager": "m02", "end": 810, "with_": ("m01",)})]
    after = timetable.model_copy(update={"blocks": (*kept, *parts)})
    verdict = check_replan(make_department(MANAGERS), POLICY, timetable, after, ILL,
                           [Sickness("m02", ILL, TUESDAY)])
    assert [v.message for v in verdict.violations if v.rule == "replan_past_changed"] == []
