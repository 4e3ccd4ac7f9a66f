"""A sickness announced ahead that leaves a manager present below the share to be paired
(SPEC §2) takes all his paired sessions of the week, so his partner is left alone just
as by a sickness to the week's end: the re-plan re-pairs him, and the re-plan checker
accepts the new group (and counts all the lost sessions as the absence's).

The checker's week is the hand-typed three-day week of the checker tests (m01+m02,
m03+m04); the planner's groups are read without a solve."""

from __future__ import annotations

import datetime as dt

from engine.check.replan import Sickness, check_replan
from engine.domain import Timetable
from engine.policy import ReplanRules
from engine.replan import read_events
from engine.replan.model import build_replan_model
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, MONDAY_13, replanned, week
from tests.engine.check.test_timetable_checker import TEST_POLICY, find, make_department, on

TUESDAY = dt.date.fromisoformat(on("tue"))


def _m01_joins_m03_and_m04(before: dict) -> dict:
    """m02 is off from Monday 13:00 to the end of Tuesday (51 % present): he does no
    paired session this week, and m01 works with m03 and m04 from then on."""
    after = replanned(before, MONDAY_13, lambda b: b["manager"] == "m02" and (
        b["date"] != on("wed") or b["kind"] == "promotion"))
    slots = (("maintenance", "mon"), ("maintenance", "tue"), ("promotion", "wed"))
    for kind, day in slots:
        for manager in ("m01", "m03", "m04"):
            session = find(after, manager, kind, day)
            session["with"] = sorted({"m01", "m03", "m04"} - {manager})
            if kind == "promotion":
                session["retailer"] = "r-m03-3"
    return after


def test_the_checker_lets_a_partner_left_alone_by_a_long_absence_join_another_pair() -> None:
    after = _m01_joins_m03_and_m04(week())
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, MONDAY_13,
                           [Sickness("m02", MONDAY_13, TUESDAY)])
    assert [v.message for v in verdict.violations if v.rule == "pairing"] == []


def test_the_checker_counts_all_his_sessions_as_the_absence_s_when_the_partner_is_left_alone() -> None:
    """Without a new group m01 loses all his paired work, the Wednesday promotion (a day
    m02 is in, but too little of the week to be paired) included: a shortfall the
    absence explains, not a fault."""
    after = replanned(week(), MONDAY_13, lambda b: (b["kind"] in ("maintenance", "promotion")
                      and b["manager"] in ("m01", "m02")) or (b["manager"] == "m02" and b["date"] != on("wed")))
    verdict = check_replan(make_department(MANAGERS), TEST_POLICY, week(), after, MONDAY_13,
                           [Sickness("m02", MONDAY_13, TUESDAY)])
    assert [v.message for v in verdict.violations] == []
    promotion = [s for s in verdict.shortfalls if (s.manager, s.kind, s.unit) == ("m01", "promotion", "min")]
    assert promotion and promotion[0].lost == 120


def test_the_planner_re_pairs_the_partner_of_a_manager_below_the_share_to_be_paired() -> None:
    """Read from the re-plan's model (no solve): m01 is offered a new group."""
    rules = ReplanRules(moved_block=10, missing_per_10min=5, handover=(), neighbour_max_km=5)
    policy = TEST_POLICY.model_copy(update={"replan": rules})
    events = read_events([{"type": "manager_sick", "manager": "m02", "from": MONDAY_13.isoformat(),
                           "until": TUESDAY.isoformat()}])
    situation = situation_at(make_department(MANAGERS), policy, Timetable.model_validate(week()), MONDAY_13,
                             events)
    groups = build_replan_model(situation, rules).groups
    assert groups.orphans == ["m01"]
    assert groups.members["m03"] == frozenset({"m03", "m04"})
    assert {host for orphan, host in groups.links} == {"m03"}
