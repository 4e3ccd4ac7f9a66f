"""Constraint verifier for the CP-SAT week (SPEC §2-3, §6), in the manner of Timefold's
ConstraintVerifier: for every hard rule of the registry, a hand-written tiny week that
keeps it and one that breaks exactly it.

The week is fixed block by block onto the model's variables (start, size, present, the
pair literal). A kept week must be feasible; a broken week must be infeasible in the
model the solver uses, and in the explanation model (each hard rule behind one literal,
engine/timetable/explain.py) the core of assumptions must name the broken rule while
every other rule, assumed together, still holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from ortools.sat.python import cp_model

from engine.domain import Department, GeoPoint, Leave, Manager, Retailer
from engine.policy import Policy, load_policy, parse_clock, policy_from_mapping
from engine.rules import RULES
from engine.timetable import constraints
from engine.timetable.constraints import HARD_RULES, add_hard_rules
from engine.timetable.model import BlockVar, TimetableModel, build_variables
from engine.timetable.objective import add_objective
from tests.strategies import WEEK, simple_department

MONDAY = dt.date(2026, 11, 23)
TUESDAY = MONDAY + dt.timedelta(days=1)

WeekKey = tuple[str | None, str, str]
"""(manager, or None for a department slot; kind; weekday)."""
Week = dict[WeekKey, list[tuple[str, int]]]
"""Each key's pieces as (start HH:MM, minutes), in occurrence order."""


def tiny_policy() -> Policy:
    """The 15-13-7 policy shrunk to two days and one session of each weekly kind."""
    data = load_policy("15-13-7").model_dump(mode="json")
    data.update(name="tiny", weekly_hours=None, working_days=["mon", "tue"], duties=[])
    data["travel"]["office_field_buffer_min"] = 20  # a buffer on top of the ride, for its own case
    kinds = data["kinds"]
    kinds["visit"]["per_day_minutes"] = {"mon": 120, "tue": 120}
    kinds["phone"]["per_day_minutes"] = {"mon": 30, "tue": 30}
    kinds["meeting"]["per_day_minutes"] = {"mon": 40}
    # The kept week meets on Monday afternoon: no meeting window, and one first-stop time.
    kinds["meeting"]["windows"] = {}
    data["route"]["first_stop_by_on"] = {}
    for kind in ("maintenance", "site_study", "promotion", "pos_project"):
        kinds[kind].update(sessions=[1, 1], session_minutes=[60, 60], total_minutes=60)
    kinds["admin"].update(sessions=[1, 2], session_minutes=[30, 60], total_minutes=60)
    return policy_from_mapping(data, "tiny policy")


POLICY = tiny_policy()


OFFICE = GeoPoint(lat=30.69, lon=104.08)


def _shop(retailer_id: str, lat: float, pos_target: bool) -> Retailer:
    return Retailer(id=retailer_id, name=retailer_id, lat=lat, lon=OFFICE.lon, manager="m1",
                    **{"class": "A"}, visits_per_4_weeks=4, area="country", opens=8 * 60, closes=21 * 60,
                    service_min=10, pos_target=pos_target)


FAR_HOUSEHOLD = (*(_shop(f"near{n}", OFFICE.lat + 0.001 * n, False) for n in range(1, 6)),
                 _shop("far", OFFICE.lat + 0.2, True))
"""m1's territory: shops by the office, one for each visit day to open with (his visit area
is reached at once, constraints._a_first_retailer_for_each_visit_day), and his POS
household 22 km out, about an hour's ride from the office."""


def department(leave: tuple[Leave, ...] = (), retailers: tuple[Retailer, ...] = ()) -> Department:
    """Two managers, by default without retailers: no ride to the first retailer narrows
    the visit window and every block's place is the office or unknown (no ride)."""
    return Department(
        name="tiny", office=OFFICE, policy="tiny", market_manager="boss",
        managers=(Manager(id="m1", name="Senior", years=12), Manager(id="m2", name="Newcomer", years=1)),
        leave=leave, retailers=retailers)


def kept_week() -> Week:
    """A week keeping every hard rule of the tiny policy; both managers do the same, as a pair.

    Monday: visit 08:30, maintenance 10:40, lunch 12:00, site study 13:00 (field until 14:00,
    the 20-min ride back), phone 14:20, meeting 14:50. Tuesday: visit 08:30, promotion
    10:40, lunch 12:00, POS project 13:00, phone 14:20, admin 14:50–15:50."""
    week: Week = {
        (None, "site_study", "mon"): [("13:00", 60)],
        (None, "meeting", "mon"): [("14:50", 40)],
    }
    for m in ("m1", "m2"):
        week |= {
            (m, "visit", "mon"): [("08:30", 120)],
            (m, "maintenance", "mon"): [("10:40", 60)],
            (m, "lunch", "mon"): [("12:00", 60)],
            (m, "phone", "mon"): [("14:20", 30)],
            (m, "visit", "tue"): [("08:30", 120)],
            (m, "promotion", "tue"): [("10:40", 60)],
            (m, "lunch", "tue"): [("12:00", 60)],
            (m, "pos_project", "tue"): [("13:00", 60)],
            (m, "phone", "tue"): [("14:20", 30)],
            (m, "admin", "tue"): [("14:50", 60)],
        }
    return week


LEAVE_ON_TUESDAY = (Leave(manager="m1", date=TUESDAY, start=parse_clock("16:00"), end=parse_clock("16:30")),)
"""Half an hour of leave: too little to change any quota of the tiny policy."""


@dataclass(frozen=True)
class Case:
    """A rule, the registry function that enforces it, and how a kept week breaks it."""

    rule: str
    enforced_by: Callable[[TimetableModel], None] | None
    breach: str
    change: dict[WeekKey, list[tuple[str, int]]]
    paired: bool = True
    leave: tuple[Leave, ...] = ()
    retailers: tuple[Retailer, ...] = ()
    """The department's retailers (places far apart break the same week)."""
    marks: tuple = field(default=())

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.breach}"

    def broken_week(self) -> Week:
        week = kept_week()
        for key, pieces in self.change.items():
            if pieces:
                week[key] = pieces
            else:
                del week[key]
        return week


CASES = [
    Case("visit_daily", constraints.add_daily_blocks, "no visit block on Tuesday",
         {("m1", "visit", "tue"): []}),
    Case("phone_afternoons", constraints.add_daily_blocks, "no phone slot on Monday",
         {("m2", "phone", "mon"): []}),
    Case("meetings_together", constraints.add_department_slots, "Monday's meeting not held",
         {(None, "meeting", "mon"): []}),
    Case("site_study_together", constraints.add_department_slots, "no site study this week",
         {(None, "site_study", "mon"): []}),
    Case("maintenance_pairs", constraints.add_weekly_quotas, "the pair skips its maintenance session",
         {("m1", "maintenance", "mon"): [], ("m2", "maintenance", "mon"): []}),
    Case("promotion_pairs", constraints.add_weekly_quotas, "the pair skips its promotion session",
         {("m1", "promotion", "tue"): [], ("m2", "promotion", "tue"): []}),
    Case("pos_project_households", constraints.add_weekly_quotas, "no POS-project hour",
         {("m1", "pos_project", "tue"): []}),
    Case("admin_time", constraints.add_weekly_quotas, "30 of the 60 office minutes",
         {("m2", "admin", "tue"): [("14:50", 30)]}),
    Case("lunch", constraints.add_lunch, "no lunch on Monday",
         {("m1", "lunch", "mon"): []}),
    Case("pairing", constraints.add_pairing, "the two managers are not paired",
         {}, paired=False),
    Case("maintenance_pairs", constraints.add_pairs_share_time,
         "partners start their maintenance 10 min apart",
         {("m2", "maintenance", "mon"): [("10:50", 60)]}),
    Case("leave", constraints.add_one_place_at_a_time, "office work during half an hour of leave",
         {("m1", "admin", "tue"): [("15:30", 60)]}, leave=LEAVE_ON_TUESDAY),
    Case("no_overlap", constraints.add_one_place_at_a_time, "office work on top of the phone slot",
         {("m1", "admin", "tue"): [("14:30", 60)]}),
    Case("no_overlap", constraints.add_one_place_at_a_time,
         "phone call before the ride back from the field is over",
         {("m1", "phone", "tue"): [("14:10", 30)]}),
    Case("ride_between_places", constraints.add_rides_between_places,
         "the phone slot 20 min after the POS hour at a household an hour's ride out",
         {}, retailers=FAR_HOUSEHOLD),
    Case("working_hours", None, "office work ending after the working day",
         {("m2", "admin", "tue"): [("17:00", 60)]}),
]

WINDOW_RULES = {"working_hours"}
"""Rules held by the variables' domains (model.py), not by a registry function: a broken
window leaves an empty core, which the explanation reports as 'the time windows leave no room'."""

CHECKER_ONLY = {"unknown_reference": "the model has variables only for the department's managers "
                                     "and the policy's kinds, so it cannot write an unknown one",
                "replan_past_changed": "a week has no past; the re-plan pins it (tests/engine/replan, "
                                       "tests/engine/check/test_replan_checker.py)",
                "late_for_appointment": "a rule of the routes, judged by the route checker "
                                        "(tests/engine/routing/test_plan.py)",
                "key_customer_dropped": "a rule of the routes (which visits a day leaves out), judged by "
                                        "the route checker (engine/check/visit_value.py)",
                "left_out_with_room": "a rule of the routes (a visit listed unvisited beside a day with "
                                      "room), judged by the route checker (tests/engine/check/test_left_out.py)"}


def _blocks_by_key(tm: TimetableModel) -> dict[WeekKey, list[BlockVar]]:
    weekday = {d.index: d.weekday for d in tm.frame.days}
    found: dict[WeekKey, list[BlockVar]] = {}
    owned = [*(b for bs in tm.blocks.values() for b in bs), *tm.lunches.values()]
    shared = [b for bs in tm.department_blocks.values() for b in bs]
    for block in owned + shared:
        found.setdefault((block.manager, block.kind, weekday[block.day]), []).append(block)
    for blocks in found.values():
        blocks.sort(key=lambda b: b.occurrence)
    return found


def fix_week(tm: TimetableModel, week: Week, paired: bool) -> None:
    """Pin every block variable to the hand-written week; a block not written is absent."""
    cp = tm.cp
    unused = set(week)
    for key, blocks in _blocks_by_key(tm).items():
        pieces = week.get(key, [])
        unused.discard(key)
        assert len(pieces) <= len(blocks), f"{key}: the model offers only {len(blocks)} pieces"
        for i, block in enumerate(blocks):
            if i >= len(pieces):
                cp.add(block.present == 0)
                continue
            start, minutes = pieces[i]
            cp.add(block.present == 1)
            cp.add(block.start == tm.slots(parse_clock(start)))
            cp.add(block.size == tm.slots(minutes))
    assert not unused, f"the model has no variable for {sorted(unused, key=str)}"
    for lit in tm.pairs.values():
        cp.add(lit == int(paired))


def _model(week: Week, paired: bool, leave: tuple[Leave, ...], explain: bool,
           retailers: tuple[Retailer, ...] = ()) -> TimetableModel:
    tm = build_variables(department(leave, retailers), POLICY, MONDAY, explain=explain)
    add_hard_rules(tm)
    fix_week(tm, week, paired)
    return tm


def _solve(tm: TimetableModel, assumed: list[str] | None = None) -> tuple[int, list[str]]:
    """Solve on one worker; with assumptions, also return the rules of the infeasible core."""
    if assumed is not None:
        tm.cp.add_assumptions([tm.rule_literals[r] for r in assumed])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5.0
    status = solver.solve(tm.cp)
    if status != cp_model.INFEASIBLE or assumed is None:
        return status, []
    by_index = {lit.index: rule for rule, lit in tm.rule_literals.items()}
    return status, [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]


SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)
ALL_RULES = [r.id for r in RULES.values() if r.hard]


def _params(with_marks: bool) -> list:
    return [pytest.param(c, id=c.id, marks=c.marks if with_marks else ()) for c in CASES]


def test_every_registry_function_has_a_case() -> None:
    assert {c.enforced_by for c in CASES if c.enforced_by} == set(HARD_RULES)


def test_every_hard_rule_id_has_a_case_or_a_reason() -> None:
    assert {c.rule for c in CASES} | set(CHECKER_ONLY) == set(ALL_RULES)
    assert not {c.rule for c in CASES} & set(CHECKER_ONLY)


def test_every_case_changes_the_kept_week() -> None:
    for case in CASES:
        assert case.broken_week() != kept_week() or not case.paired or case.retailers, case.id


@pytest.mark.parametrize("leave", [(), LEAVE_ON_TUESDAY], ids=["no leave", "leave"])
def test_kept_week_is_accepted(leave: tuple[Leave, ...]) -> None:
    status, _ = _solve(_model(kept_week(), True, leave, explain=False))
    assert status in SOLVED
    status, core = _solve(_model(kept_week(), True, leave, explain=True), ALL_RULES)
    assert status in SOLVED, f"kept week rejected by {core}"


@pytest.mark.parametrize("case", _params(with_marks=False))
def test_broken_week_is_rejected(case: Case) -> None:
    status, _ = _solve(_model(case.broken_week(), case.paired, case.leave, explain=False, retailers=case.retailers))
    assert status == cp_model.INFEASIBLE


@pytest.mark.parametrize("case", _params(with_marks=True))
def test_broken_week_is_named(case: Case) -> None:
    """The core names the broken rule, and every other rule holds for the broken week."""
    status, core = _solve(_model(case.broken_week(), case.paired, case.leave, explain=True,
                                 retailers=case.retailers), ALL_RULES)
    assert status == cp_model.INFEASIBLE
    if case.rule in WINDOW_RULES:
        assert core == []
        return
    assert case.rule in core
    others = [r for r in ALL_RULES if r != case.rule]
    status, core = _solve(_model(case.broken_week(), case.paired, case.leave, explain=True,
                                 retailers=case.retailers), others)
    assert status in SOLVED, f"the week also breaks {core}"


def test_every_penalty_is_named_by_a_soft_rule(policy_15_13_7: Policy) -> None:
    """Penalty names are '<rule id>[subject]': what a result says it cost reads as the rule."""
    tm = build_variables(simple_department(5), policy_15_13_7, WEEK)
    add_hard_rules(tm)
    add_objective(tm)
    names = {name.split("[")[0] for name, _, _ in tm.penalties}
    assert names, "the week has soft rules"
    assert names <= {rule.id for rule in RULES.values() if not rule.hard}, names
