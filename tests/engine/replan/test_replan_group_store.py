"""A group of three whose host falls ill for the rest of the week: the two left hold their
promotion at a store of their own territories (SPEC §2 "in pairs … at a promotion
store", the week's rule in venues.py), not at the sick host's store, and the model's
rides go to that store. A direct build of the re-plan model, no solve."""

from __future__ import annotations

import datetime as dt

from engine.domain import Block, Timetable
from engine.policy import Policy
from engine.replan import read_events
from engine.replan.model import build_replan_model
from engine.replan.situation import replan_rules, situation_at
from tests.strategies import WEEK, simple_department


def trio_week(policy: Policy) -> Timetable:
    """m01, m02 and m03 do their promotion together at m01's store, Tuesday and Thursday."""
    trio = ("m01", "m02", "m03")
    blocks = tuple(
        Block(manager=m, date=WEEK + dt.timedelta(days=day), kind="promotion", start=13 * 60, end=15 * 60,
              with_=tuple(o for o in trio if o != m), retailer="m01-r07")
        for m in trio for day in (1, 3))
    return Timetable(department="dept3", policy=policy.name, week_start=WEEK, status="feasible", blocks=blocks)


def test_a_trio_whose_host_falls_ill_moves_to_a_store_of_the_two_left(policy_15_13_7: Policy) -> None:
    department = simple_department(3)
    timetable = trio_week(policy_15_13_7)
    now = dt.datetime.combine(WEEK, dt.time(7, 30))
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": f"{WEEK}T08:00"}])
    situation = situation_at(department, policy_15_13_7, timetable, now, events)
    model = build_replan_model(situation, replan_rules(policy_15_13_7))
    store = model.tm.week_venues().group_store({"m02", "m03"})
    owner = next(r.manager for r in department.retailers if r.id == store)
    assert owner in {"m02", "m03"}, store


def test_two_left_without_a_store_of_their_own_are_told_so(policy_15_13_7: Policy) -> None:
    """Only the sick host has promotion stores: the two left keep his store, and the notes
    say why and what would fix it."""
    plain = simple_department(3)
    department = plain.model_copy(update={"retailers": tuple(
        r if r.manager == "m01" else r.model_copy(update={"promo_store": False}) for r in plain.retailers)})
    now = dt.datetime.combine(WEEK, dt.time(7, 30))
    events = read_events([{"type": "manager_sick", "manager": "m01", "from": f"{WEEK}T08:00"}])
    situation = situation_at(department, policy_15_13_7, trio_week(policy_15_13_7), now, events)
    model = build_replan_model(situation, replan_rules(policy_15_13_7))
    assert model.tm.week_venues().group_store({"m02", "m03"}) == "m01-r07"
    assert any(note.startswith("m02, m03: none of them has a promotion store") for note in model.notes)
