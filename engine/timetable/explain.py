"""Why a week has no timetable, in words a market manager understands.

Two steps: arithmetic checks that name amounts ("field work needs 28 h, the field
window leaves 27.5 h"), then — if those find nothing — a feasibility-only copy of the
model whose hard rules are each enforced through one literal, solved on one worker
with the literals as assumptions; CP-SAT's `sufficient_assumptions_for_infeasibility`
names a set of rules that cannot all hold together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ortools.sat.python import cp_model

from engine.domain import Conflict, Department
from engine.policy import Policy, format_clock
from engine.routing.approach import (
    approach_minutes,
    back_from_leave,
    first_stop_time,
    manager_approach,
)
from engine.rules import KIND_RULE, RULES
from engine.timetable.model import fixed_department_slots, kind_window, room_beside, room_window
from engine.timetable.venues import without_own_store
from engine.timetable.week import ManagerWeek, WeekFrame, WorkDay


def _hours(minutes: float) -> str:
    return f"{minutes / 60:g} h"


def _field_window(policy: Policy) -> tuple[int, int]:
    field = [r for r in policy.kinds.values() if r.place == "field"]
    return (max(policy.day.start, min(r.earliest_start for r in field)),
            min(policy.day.end, max(r.latest_end for r in field)))


def check_capacity(department: Department, policy: Policy, frame: WeekFrame,
                   approach: Mapping[str, int] | None = None, short_weeks: bool = False) -> list[Conflict]:
    """Arithmetic checks, each naming amounts: pairs, field time, day length, POS targets,
    promotion stores. `approach`: each manager's ride to his first retailer, as the model
    has it (`TimetableModel.approach`); worked out here when not given. `short_weeks`: the
    policy prices missing weekly hours, so a territory with too few POS households is
    planned short of what it cannot hold (shortfalls.data_limits), not refused."""
    if approach is None:
        approach = approach_minutes(department, policy, frame.week_start)
    return [
        *_too_few_for_pairs(policy, frame),
        *_no_common_day_to_pair(policy, frame),
        *_field_work_beyond_field_window(policy, frame, approach),
        *_fixed_blocks_beyond_working_day(policy, frame, approach),
        *([] if short_weeks else _too_few_pos_households(department, policy, frame)),
        *_no_promotion_store(department, policy, frame),
        *_groups_without_store(department, policy, frame),
        *_first_retailer_out_of_reach(department, policy, frame),
    ]


def _first_retailer_out_of_reach(department: Department, policy: Policy, frame: WeekFrame) -> list[Conflict]:
    """"First retailer reached by 09:30" — SPEC §3: a manager whose nearest retailer due
    this week is further from the office than the time between the earliest start of his
    visit block and the day's first-stop time has no week (the visit block leaves from the
    office, constraints._ride_out_of_the_office). Days with partial leave are left to the
    solver (the leave may excuse the block)."""
    visit = policy.kinds.get("visit")
    if visit is None or visit.per_day_minutes is None:
        return []
    conflicts = []
    for manager_id, mw in frame.managers.items():
        ride = manager_approach(department, policy, frame.week_start, manager_id)
        ride_on_grid = -(-ride // policy.grid_minutes) * policy.grid_minutes
        late = []
        for day in frame.days:
            minutes = visit.per_day_minutes.get(day.weekday)
            if minutes is None or not mw.works_on(day.index) or day.index in mw.partial_leave:
                continue
            earliest = kind_window(policy, visit, minutes, day.weekday)[0]
            deadline = first_stop_time(policy, day.weekday, ride)
            if earliest + ride_on_grid > deadline:
                late.append((day, earliest, deadline))
        if late:
            day, earliest, deadline = late[0]
            dates = ", ".join(f"{d.date:%a %m-%d}" for d, _, _ in late)
            # A ride of one grid step is the shortest the timetable holds: the policy's times, not
            # the territory, leave no room then, and handing retailers over would not help.
            advice = (f"the first-stop time leaves less than the timetable's {policy.grid_minutes}-min step after "
                      f"the visit block's earliest start, the least any ride out takes: let the first stop come "
                      f"later ({_first_stop_setting(policy, day.weekday)}) or the visit block start earlier"
                      if ride_on_grid <= policy.grid_minutes else
                      "give his far retailers to a manager nearer to them, or let this department's visit block "
                      "start earlier or its first stop come later")
            conflicts.append(Conflict(
                rules=(KIND_RULE["visit"],),
                message=f"{manager_id}'s nearest retailer due this week is a {ride}-min ride from the office"
                        + (f" ({ride_on_grid} min on the timetable's {policy.grid_minutes}-min grid)"
                           if ride_on_grid != ride else "")
                        + f": with his visit block starting at {format_clock(earliest)} at the earliest, he reaches "
                        f"it at {format_clock(earliest + ride_on_grid)}, after the first-stop time "
                        f"{format_clock(deadline)} ({dates}); {advice}"))
    return conflicts


def _first_stop_setting(policy: Policy, weekday: str) -> str:
    """The policy setting that gives a weekday's first-stop time."""
    return f"route.first_stop_by_on.{weekday}" if weekday in policy.route.first_stop_by_on else "route.first_stop_by"


def _paired_kinds(policy: Policy) -> list[str]:
    return [k for k, r in policy.kinds.items() if r.group == "pair"]


def _too_few_for_pairs(policy: Policy, frame: WeekFrame) -> list[Conflict]:
    """Paired kinds need a partner (SPEC §2 "Pairs"): one manager alone cannot form a pair
    when an odd head-count makes a trio."""
    paired_kinds = _paired_kinds(policy)
    eligible = frame.paired_managers
    if not (paired_kinds and eligible and len(eligible) < 2 and policy.pairs.odd_headcount == "trio"):
        return []
    labels = ", ".join(policy.kind_label(k, "en").lower() for k in paired_kinds)
    return [Conflict(
        rules=("pairing", *(KIND_RULE[k] for k in paired_kinds)),
        message=f"{labels} must be done in pairs, but only {len(eligible)} manager is present "
                f"for it this week; add a manager or set pairs.odd_headcount = \"solo\" in the policy")]


def _no_common_day_to_pair(policy: Policy, frame: WeekFrame) -> list[Conflict]:
    """A manager whose working days meet no colleague's cannot do the paired sessions (SPEC §2)."""
    eligible = frame.paired_managers
    if not (_paired_kinds(policy) and len(eligible) >= 2):
        return []
    conflicts = []
    for m in eligible:
        if not any(frame.can_pair(m, other) for other in eligible if other != m):
            away = ", ".join(str(d.date) for d in frame.days if not frame.managers[m].works_on(d.index))
            conflicts.append(Conflict(
                rules=("pairing", "leave"),
                message=f"{m} shares too few working days with any colleague this week to do "
                        f"the paired sessions together (leave on {away})"))
    return conflicts


def _field_work_beyond_field_window(policy: Policy, frame: WeekFrame, approach: Mapping[str, int]) -> list[Conflict]:
    """A manager's field kinds (SPEC §2: the 15 h and 13 h) must fit the daily field window
    over the days he works; the first manager for whom they do not is named."""
    field_kinds = [k for k, r in policy.kinds.items() if r.place == "field"]
    if not field_kinds:
        return []
    lo, hi = _field_window(policy)
    per_day = hi - lo
    if not policy.lunch.during_visit and lo <= policy.lunch.earliest and policy.lunch.latest_end <= hi:
        per_day -= policy.lunch.minutes
    for manager_id, mw in frame.managers.items():
        days = [d for d in frame.days if mw.works_on(d.index)]
        need = _field_minutes_needed(policy, field_kinds, mw, days, approach.get(manager_id, 0))
        room = per_day * len(days)
        if need > room:
            labels = ", ".join(policy.kind_label(k, "en").lower() for k in field_kinds)
            return [Conflict(
                rules=tuple(dict.fromkeys(["working_hours", *(KIND_RULE[k] for k in field_kinds)])),
                message=f"{manager_id}: field work ({labels}) needs {_hours(need)} this week, but the "
                        f"field window {format_clock(lo)}–{format_clock(hi)} leaves at most "
                        f"{_hours(room)} over {len(days)} working days")]
    return []


def _field_minutes_needed(policy: Policy, field_kinds: list[str], mw: ManagerWeek,
                          days: list[WorkDay], approach: int) -> int:
    """A manager's minutes of field work this week: the daily kinds he owes on the days he
    works, his weekly quotas, and department-wide kinds in full when no leave can excuse
    him from them (a slot in his leave he misses, README "Department slots")."""
    need = 0
    for kind in field_kinds:
        rule = policy.kinds[kind]
        if rule.per_day_minutes is not None:
            need += sum(_daily_blocks_owed(policy, mw, d, approach).get(kind, 0) for d in days)
        elif kind in mw.quotas:
            need += mw.quotas[kind].total_minutes
        elif rule.group == "department" and rule.total_minutes and days and not mw.on_leave_this_week:
            need += rule.total_minutes
    return need


def _daily_blocks_owed(policy: Policy, mw: ManagerWeek, day: WorkDay, approach: int) -> dict[str, int]:
    """The daily kinds a manager owes on a day he works, by the model's rules
    (model.add_manager_blocks): a block whose window leaves no room outside a part-day
    leave is excused, and a department slot may fall in that leave (he is then absent)."""
    owed = {}
    for kind, rule in policy.kinds.items():
        minutes = (rule.per_day_minutes or {}).get(day.weekday)
        if minutes is None:
            continue
        if rule.group == "department":
            if day.index not in mw.partial_leave:
                owed[kind] = minutes
        elif not mw.partial_leave.get(day.index):
            owed[kind] = minutes
        else:
            back = (back_from_leave(policy, day.weekday, approach, mw.partial_leave[day.index])
                    if kind == "visit" else None)
            room = room_window(policy, kind, minutes, day.weekday, approach, back)
            fixed = fixed_department_slots(policy, day.weekday, mw, day.index)
            if room_beside(policy, mw, day.index, room, minutes, policy.grid_minutes, fixed, rule.place == "field"):
                owed[kind] = minutes
    return owed


def _fixed_blocks_beyond_working_day(policy: Policy, frame: WeekFrame, approach: Mapping[str, int]) -> list[Conflict]:
    """The blocks every day must have, lunch and part-day leave fit in the working day
    (SPEC §2, §3); for each manager, the first day they do not is named. On a day of
    part-day leave only what he still owes counts (`_daily_blocks_owed`, lunch when the
    leave leaves lunch room in its window)."""
    day_minutes = policy.day.end - policy.day.start
    conflicts = []
    for manager_id, mw in frame.managers.items():
        for day in frame.days:
            if not mw.works_on(day.index):
                continue
            fixed = _daily_blocks_owed(policy, mw, day, approach.get(manager_id, 0))
            lunch = policy.lunch.minutes if not policy.lunch.during_visit and mw.owes_lunch(
                day.index, policy.lunch, policy.grid_minutes) else 0
            leave = sum(e - s for s, e in mw.partial_leave.get(day.index, []))
            if sum(fixed.values()) + lunch + leave > day_minutes:
                conflicts.append(Conflict(
                    rules=("working_hours", *(KIND_RULE[k] for k in fixed), "lunch"),
                    message=f"{manager_id} on {day.date}: the blocks every day must have "
                            f"({', '.join(f'{k} {m} min' for k, m in fixed.items())}, lunch {lunch} min"
                            f"{f', leave {leave} min' if leave else ''}) do not fit in the "
                            f"{_hours(day_minutes)} working day"))
                break
    return conflicts


def _too_few_pos_households(department: Department, policy: Policy, frame: WeekFrame) -> list[Conflict]:
    """`pos_project` visits different POS-target households (SPEC §2): a territory needs at
    least as many as the manager's sessions."""
    pos = policy.kinds.get("pos_project")
    if pos is None or pos.at != "pos_target":
        return []
    conflicts = []
    for manager_id, mw in frame.managers.items():
        quota = mw.quotas.get("pos_project")
        have = sum(1 for r in department.retailers if r.manager == manager_id and r.pos_target)
        if quota and quota.sessions_min > have:
            conflicts.append(Conflict(
                rules=("pos_project_households",),
                message=f"{manager_id} must visit {quota.sessions_min} different POS-target "
                        f"households, but his territory has {have}"))
    return conflicts


def _no_promotion_store(department: Department, policy: Policy, frame: WeekFrame) -> list[Conflict]:
    """In-store promotion happens at a promotion store (SPEC §2): the department needs one."""
    promo = policy.kinds.get("promotion")
    if (promo is None or promo.at != "promo_store" or not frame.paired_managers
            or any(r.promo_store for r in department.retailers)):
        return []
    return [Conflict(
        rules=("promotion_pairs",),
        message="in-store promotion needs a promotion store, but no retailer is flagged promo_store")]


def _groups_without_store(department: Department, policy: Policy, frame: WeekFrame) -> list[Conflict]:
    """Every group doing in-store promotion needs a member with a promotion store of his own
    (venues.without_own_store, SPEC §2): the week's groups (pairs, and one group of three
    or one manager alone when the head-count is odd) are more than the managers who have
    one. Leave that keeps the right managers apart is left to the solver's explanation."""
    storeless = without_own_store(department, policy)
    eligible = frame.paired_managers
    if not (storeless and eligible):
        return []
    lacking = [m for m in eligible if m in storeless]
    having = [m for m in eligible if m not in storeless]
    groups = len(eligible) // 2 + int(len(eligible) % 2 == 1 and policy.pairs.odd_headcount == "solo")
    if not lacking or len(having) >= groups:
        return []
    return [Conflict(
        rules=("promotion_pairs", "pairing"),
        message=f"in-store promotion is held at a promotion store of the group's own territories, so each of "
                f"this week's {groups} groups needs a member with a promotion store; "
                f"{', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} none in "
                f"{'his territory' if len(lacking) == 1 else 'their territories'} and only {len(having)} "
                f"({', '.join(having) or 'nobody'}) {'has' if len(having) == 1 else 'have'} one; flag a promotion "
                f"store in {'his territory' if len(lacking) == 1 else f'{groups - len(having)} of their territories'} "
                f"(or hand one of a colleague's promotion stores over)")]


BACKGROUND_RULES = ("no_overlap",)
"""Rules taken for granted in a first explanation (a manager is in one place at a time):
named only when the other rules alone do not explain the conflict."""


def explain_with_assumptions(department: Department, policy: Policy, week_start: dt.date,
                             time_limit_s: float) -> list[Conflict]:
    """Solve a feasibility-only copy with one assumption per hard rule; name the core."""
    core = _core(department, policy, week_start, time_limit_s / 2, background=BACKGROUND_RULES)
    if core == []:
        core = _core(department, policy, week_start, time_limit_s / 2, background=())
    if core is None:
        return []
    if not core:
        return [Conflict(rules=(), message="the working day and the blocks' time windows leave no room "
                                           "for the week, whatever the other rules say")]
    lines = "; ".join(RULES[r].words for r in core)
    storeless = sorted(without_own_store(department, policy)) if KIND_RULE["promotion"] in core else []
    if storeless:
        lines += f" ({', '.join(storeless)} {'has' if len(storeless) == 1 else 'have'} no promotion store of " \
                 f"{'his' if len(storeless) == 1 else 'their'} own)"
    return [Conflict(rules=tuple(core),
                     message=f"these rules cannot all hold this week: {lines}. Relax one of them "
                             f"(shorten a block, widen its time window, or change the week's leave)")]


def _core(department: Department, policy: Policy, week_start: dt.date, time_limit_s: float,
          background: tuple[str, ...]) -> list[str] | None:
    """The hard rules that cannot all hold (None when the copy is not proven infeasible);
    `background` rules are enforced outright rather than assumed."""
    from engine.timetable.constraints import add_hard_rules
    from engine.timetable.model import build_variables

    tm = build_variables(department, policy, week_start, explain=True)
    add_hard_rules(tm)
    literals = {rule: lit for rule, lit in tm.rule_literals.items() if rule not in background}
    for rule in background:
        tm.cp.add(tm.rule_literals[rule] == 1)
    tm.cp.add_assumptions(list(literals.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_s
    if solver.solve(tm.cp) != cp_model.INFEASIBLE:
        return None
    by_index = {lit.index: rule for rule, lit in literals.items()}
    return [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
