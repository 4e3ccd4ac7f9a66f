"""Why a week has no timetable, in words a market manager understands.

Two steps: arithmetic checks that name amounts ("field work needs 28 h, the field
window leaves 27.5 h"), then — if those find nothing — a feasibility-only copy of the
model whose hard rules are each enforced through one literal, solved on one worker
with the literals as assumptions; CP-SAT's `sufficient_assumptions_for_infeasibility`
names a set of rules that cannot all hold together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

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
from engine.timetable.venues import Venues, week_venues, without_own_store
from engine.timetable.week import ManagerWeek, WeekFrame, WorkDay, build_week


def _hours(minutes: float) -> str:
    return f"{minutes / 60:g} h"


def _field_window(policy: Policy) -> tuple[int, int]:
    field = [r for r in policy.kinds.values() if r.place == "field"]
    return (max(policy.day.start, min(r.earliest_start for r in field)),
            min(policy.day.end, max(r.latest_end for r in field)))


def check_capacity(department: Department, policy: Policy, frame: WeekFrame,
                   approach: Mapping[str, int] | None = None, short_weeks: bool = False,
                   venues: Venues | None = None) -> list[Conflict]:
    """Arithmetic checks, each naming amounts: pairs, field time, day length, POS targets,
    promotion stores. `approach`: each manager's ride to his first retailer, as the model
    has it (`TimetableModel.approach`); worked out here when not given. `short_weeks`: the
    policy prices missing weekly hours, so a territory with too few POS households is
    planned short of what it cannot hold (shortfalls.data_limits), not refused. `venues`:
    the week's places, when the caller has them (the model's; worked out here otherwise)."""
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
        *_no_paired_session_fits(department, policy, frame, approach, venues),
        *_daily_block_beside_fixed_slots(policy, frame),
        *_first_retailer_out_of_reach(department, policy, frame),
        *_office_block_out_of_reach_after_visits(department, policy, frame, approach, venues),
    ]


@dataclass(frozen=True)
class _Fixed:
    """A slot every manager at work holds at one time that day, whatever the search: a
    department meeting whose window is its length (everyone together), or lunch whose
    window is its length; `words` say so with the setting that fixes it."""

    start: int
    end: int
    rule: str
    words: str


def _fixed_slots(policy: Policy, mw: ManagerWeek, day: WorkDay) -> list[_Fixed]:
    """The day's fixed slots a manager holds (`_Fixed`): the department's (routing's
    fixed_slots, those his leave does not take part of) and a lunch he owes with no room
    to move (lunch.earliest to lunch.latest_end is its length)."""
    found = []
    for kind, rule in policy.kinds.items():
        minutes = (rule.per_day_minutes or {}).get(day.weekday)
        if rule.group != "department" or minutes is None:
            continue
        start, end = rule.window(day.weekday)
        if end - start == minutes and not mw.on_leave_during(day.index, start, end):
            setting = (f"kinds.{kind}.windows.{day.weekday}" if day.weekday in rule.windows
                       else f"kinds.{kind}.earliest_start, latest_end")
            found.append(_Fixed(start, end, KIND_RULE.get(kind, kind),
                                f"the {_kind_words(policy, kind)} runs {format_clock(start)}–{format_clock(end)} "
                                f"with everyone ({setting})"))
    lunch = policy.lunch
    if (not lunch.during_visit and lunch.minutes and lunch.latest_end - lunch.earliest == lunch.minutes
            and mw.owes_lunch(day.index, lunch, policy.grid_minutes)):
        found.append(_Fixed(lunch.earliest, lunch.latest_end, "lunch",
                            f"lunch is {format_clock(lunch.earliest)}–{format_clock(lunch.latest_end)} "
                            "(lunch.earliest, lunch.latest_end)"))
    return found


def _earliest_clear(policy: Policy, earliest: int, latest_start: int, minutes: int,
                    fixed: list[_Fixed]) -> int | None:
    """The earliest start on the grid within [earliest, latest_start] of a block of
    `minutes` that meets none of the `fixed` slots; None: none."""
    grid = policy.grid_minutes
    for start in range(-(-earliest // grid) * grid, latest_start + 1, grid):
        if not any(f.start < start + minutes and start < f.end for f in fixed):
            return start
    return None


def _daily_block_beside_fixed_slots(policy: Policy, frame: WeekFrame) -> list[Conflict]:
    """A manager's daily block (the visit block) whose window leaves it no start clear of
    the day's fixed slots (`_fixed_slots`: a meeting 09:00–10:00 with everyone, lunch fixed
    10:00–11:00) has no week, whatever the rides (tester's meet_clash, lunch_clash: only the
    rules were named). The days, the slot and the block's window are named, with every
    manager it holds for; days of part-day leave are left to the solver."""
    clashes: dict[tuple[str, str, str], tuple[list[str], list[WorkDay], tuple[str, ...]]] = {}
    for kind, rule in policy.kinds.items():
        if rule.per_day_minutes is None or rule.group == "department":
            continue
        for day in frame.days:
            minutes = rule.per_day_minutes.get(day.weekday)
            if minutes is None:
                continue
            earliest, latest_start, _ = kind_window(policy, rule, minutes, day.weekday)
            for manager, mw in frame.managers.items():
                if not mw.works_on(day.index) or day.index in mw.partial_leave:
                    continue
                fixed = _fixed_slots(policy, mw, day)
                if not fixed or _earliest_clear(policy, earliest, latest_start, minutes, fixed) is not None:
                    continue
                # The slot that alone leaves no room is named (lunch, not Monday's meeting beside it).
                met = [f for f in fixed if _earliest_clear(policy, earliest, latest_start, minutes, [f]) is None]
                words = " and ".join(f.words for f in met or fixed)
                window = (f"the {minutes}-min {_kind_words(policy, kind)} block must start "
                          f"{format_clock(earliest)}–{format_clock(latest_start)} (kinds.{kind}.earliest_start, "
                          f"latest_start)")
                managers, days, rules = clashes.setdefault((kind, words, window), ([], [], tuple(
                    dict.fromkeys([KIND_RULE.get(kind, kind), *(f.rule for f in met or fixed)]))))
                if manager not in managers:
                    managers.append(manager)
                if day not in days:
                    days.append(day)
    conflicts = []
    for (_, words, window), (managers, days, rules) in clashes.items():
        who = "every manager" if len(managers) == len(frame.managers) else ", ".join(managers)
        when = ("every working day" if len(days) == len(frame.days)
                else ", ".join(f"{d.date:%a %m-%d}" for d in days))
        conflicts.append(Conflict(rules=rules, message=(
            f"on {when} {words}, but {window}: it fits neither before nor after that ({who}); move the "
            f"slot or widen the block's window")))
    return conflicts


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
        # (earliest start, first-stop time, the fixed slot that holds him back) -> the days.
        late: dict[tuple[int, int, str], list[WorkDay]] = {}
        for day in frame.days:
            minutes = visit.per_day_minutes.get(day.weekday)
            if minutes is None or not mw.works_on(day.index) or day.index in mw.partial_leave:
                continue
            earliest, latest_start, _ = kind_window(policy, visit, minutes, day.weekday)
            # A fixed slot (the meeting that day) holds the block back to its end (tester's
            # fs0840b: Monday's meeting to 08:40 was left out of Monday's arrival).
            fixed = _fixed_slots(policy, mw, day)
            clear = _earliest_clear(policy, earliest, latest_start, minutes, fixed)
            if clear is None:
                continue  # no start at all: `_daily_block_beside_fixed_slots`
            deadline = first_stop_time(policy, day.weekday, ride)
            if clear + ride_on_grid > deadline:
                held_back = " and ".join(f.words for f in fixed if earliest < f.end <= clear)
                late.setdefault((clear, deadline, held_back), []).append(day)
        if late:
            day = next(iter(late.values()))[0]
            held = [d for (_, _, held_back), days in late.items() if held_back for d in days]
            # A ride of one grid step is the shortest the timetable holds: the policy's times, not
            # the territory, leave no room then, and handing retailers over would not help.
            advice = (f"the first-stop time leaves less than the timetable's {policy.grid_minutes}-min step after "
                      f"the visit block's earliest start, the least any ride out takes: let the first stop come "
                      f"later ({_first_stop_setting(policy, day.weekday)}) or the visit block start earlier"
                      if ride_on_grid <= policy.grid_minutes else
                      "give his far retailers to a manager nearer to them, or let this department's visit block "
                      "start earlier or its first stop come later")
            if held:
                advice += "".join(f", or give {d.date:%A} a later first stop (route.first_stop_by_on.{d.weekday})"
                                  for d in held if d.weekday not in policy.route.first_stop_by_on)
            conflicts.append(Conflict(
                rules=tuple(dict.fromkeys([KIND_RULE["visit"], *(
                    f.rule for d in held for f in _fixed_slots(policy, mw, d))])),
                message=f"{manager_id}'s nearest retailer due this week is a {ride}-min ride from the office"
                        + (f" ({ride_on_grid} min on the timetable's {policy.grid_minutes}-min grid)"
                           if ride_on_grid != ride else "")
                        + ": " + "; ".join(_late_words(policy, start, by, held_back, found, ride_on_grid)
                                           for (start, by, held_back), found in late.items())
                        + f"; {advice}"))
    return conflicts


def _late_words(policy: Policy, earliest: int, deadline: int, held_back: str, days: list[WorkDay],
                ride_on_grid: int) -> str:
    """The days a manager reaches his nearest retailer after the first-stop time, in words:
    with the fixed slot that holds his visit block back when one does (the meeting)."""
    dates = ", ".join(f"{d.date:%a %m-%d}" for d in days)
    reach = (f"he reaches it at {format_clock(earliest + ride_on_grid)}, after the first-stop time "
             f"{format_clock(deadline)}")
    if not held_back:
        return f"with his visit block starting at {format_clock(earliest)} at the earliest, {reach} ({dates})"
    return (f"on {dates} {held_back}, so his visit block starts at {format_clock(earliest)} at the earliest and "
            f"{reach} ({_first_stop_setting(policy, days[0].weekday)})")


def _first_stop_setting(policy: Policy, weekday: str) -> str:
    """The policy setting that gives a weekday's first-stop time."""
    return f"route.first_stop_by_on.{weekday}" if weekday in policy.route.first_stop_by_on else "route.first_stop_by"


@dataclass(frozen=True)
class _BackLate:
    """A day on which a manager's visit block and the ride back from his area bring him to
    the office after the latest start of an office block he owes after it
    (`_office_block_out_of_reach_after_visits`)."""

    starts: int
    """The visit block's earliest start that day."""
    over: int
    """When the visit block is over at the earliest (its minutes from `starts`)."""
    kind: str
    """The office kind."""
    latest_start: int
    """The office block's latest start."""
    ride: int
    """Minutes of the ride from his area to the office block's place."""
    held_back: str
    """The fixed slot that holds the visit block back to `starts`, in words ("" when none)."""


def _office_block_out_of_reach_after_visits(department: Department, policy: Policy, frame: WeekFrame,
                                            approach: Mapping[str, int],
                                            venues: Venues | None = None) -> list[Conflict]:
    """"Back at the office for the daily report" — SPEC §3: a manager whose visit block,
    started as early as it may (the ride out of the office lies inside it) and held for its
    minutes, and then the ride back from his area, bring him to the office after the
    latest start of an office block he owes that day has no week. The office block is one
    of his own that the day must hold (a daily kind, or a weekly kind's `min_per_day`
    session where its window has room) and that cannot come before the visit block (its
    earliest end is after the visit block's latest start), so what is named holds whatever
    the search. Under `route.late_first_stop_when_far` the first-stop check names nobody
    (a far manager's first stop waits for his ride), yet the ride back is as long: m03,
    128 min out, was refused with the rules alone and no name (tester's d561F). Days with
    partial leave are left to the solver (the leave may excuse or move the blocks)."""
    visit = policy.kinds.get("visit")
    if visit is None or visit.per_day_minutes is None or visit.place != "field":
        return []
    office = [k for k, r in policy.kinds.items() if r.place == "office" and r.group not in ("department", "pair")
              and (r.per_day_minutes is not None or r.min_per_day)]
    if not office:
        return []
    grid = policy.grid_minutes
    conflicts = []
    for manager_id, mw in frame.managers.items():
        late: dict[_BackLate, list[WorkDay]] = {}
        for day in frame.days:
            minutes = visit.per_day_minutes.get(day.weekday)
            if minutes is None or not mw.works_on(day.index) or day.index in mw.partial_leave:
                continue
            earliest, latest_start, _ = room_window(policy, "visit", minutes, day.weekday,
                                                    approach.get(manager_id, 0))
            fixed = _fixed_slots(policy, mw, day)
            starts = _earliest_clear(policy, earliest, latest_start, minutes, fixed)
            if starts is None:
                continue  # no start at all: `_first_retailer_out_of_reach`, `_daily_block_beside_fixed_slots`
            over = starts + minutes // grid * grid  # the model's block: whole slots, rounded down
            for kind, latest in _office_blocks_after(policy, mw, day, office, latest_start):
                venues = venues or week_venues(department, policy, frame.week_start)
                ride = venues.minutes(venues.of("visit", manager_id), venues.of(kind, manager_id))
                if over + _on_grid(ride, grid) > latest:
                    held_back = " and ".join(f.words for f in fixed if earliest < f.end <= starts)
                    late.setdefault(_BackLate(starts, over, kind, latest, ride, held_back), []).append(day)
                    break  # the office block due first is the one to name
        if late:
            conflicts.append(_back_late_conflict(policy, frame, manager_id, late))
    return conflicts


def _on_grid(minutes: int, grid: int) -> int:
    """Minutes rounded up to the timetable's grid, as the model holds rides and earliest starts."""
    return -(-minutes // grid) * grid


def _office_blocks_after(policy: Policy, mw: ManagerWeek, day: WorkDay, kinds: list[str],
                         visit_latest_start: int) -> list[tuple[str, int]]:
    """(kind, latest start) of the office blocks of `kinds` a manager must hold on a day
    without partial leave that cannot come before the day's visit block (their earliest
    end is after its latest start, `visit_latest_start`), latest start first: a daily kind
    of that weekday, or a weekly kind's `min_per_day` sessions where its window has room
    for the shortest (constraints._sessions_every_day)."""
    grid = policy.grid_minutes
    found = []
    for kind in kinds:
        rule = policy.kinds[kind]
        if rule.per_day_minutes is not None:
            shortest = rule.per_day_minutes.get(day.weekday)
        elif kind in mw.quotas and not mw.quotas[kind].empty:
            shortest = mw.quotas[kind].session_minutes_min
        else:
            shortest = None
        if shortest is None:
            continue
        window = kind_window(policy, rule, shortest, day.weekday)
        earliest, latest_start, _ = window
        if (mw.room_outside_leave(day.index, *window, shortest, grid)
                and _on_grid(earliest, grid) + shortest // grid * grid > visit_latest_start):
            found.append((kind, latest_start // grid * grid))
    return sorted(found, key=lambda found_kind: found_kind[1])


def _back_late_conflict(policy: Policy, frame: WeekFrame, manager_id: str,
                        late: Mapping[_BackLate, list[WorkDay]]) -> Conflict:
    """`_office_block_out_of_reach_after_visits`' finding for one manager, in words: his
    ride, the visit block's times and settings, when he is back and the office block's
    latest start, the days, and what would give him room."""
    grid = policy.grid_minutes
    visit = policy.kinds["visit"]
    ride = next(iter(late)).ride
    words = []
    for found, days in late.items():
        rule = policy.kinds[found.kind]
        minutes = (visit.per_day_minutes or {})[days[0].weekday]
        weekday = days[0].weekday
        opens = (f"kinds.visit.windows.{weekday}" if weekday in visit.windows else "kinds.visit.earliest_start")
        starts = (f"{found.held_back}, so his {minutes}-min visit block starts at {format_clock(found.starts)} "
                  f"at the earliest" if found.held_back else
                  f"his {minutes}-min visit block (kinds.visit.per_day_minutes) starts at "
                  f"{format_clock(found.starts)} at the earliest ({opens})")
        if rule.latest_start is not None and rule.latest_start // grid * grid == found.latest_start:
            by = f"kinds.{found.kind}.latest_start {format_clock(found.latest_start)}"
        else:
            by = f"kinds.{found.kind}.latest_end less the block, {format_clock(found.latest_start)}"
        if rule.per_day_minutes is None and rule.min_per_day:
            by += f"; kinds.{found.kind}.min_per_day = {rule.min_per_day}"
        when = ("every working day" if len(days) == len(frame.days)
                else ", ".join(f"{d.date:%a %m-%d}" for d in days))
        words.append(f"{starts}, so it is over at {format_clock(found.over)} at the earliest and the ride back brings him to the "
                     f"office at {format_clock(found.over + _on_grid(found.ride, grid))}, after his "
                     f"{_kind_words(policy, found.kind)} must start ({by}) ({when})")
    kinds = list(dict.fromkeys(found.kind for found in late))
    return Conflict(
        rules=tuple(dict.fromkeys([KIND_RULE["visit"], "ride_between_places",
                                   *(KIND_RULE.get(k, k) for k in kinds)])),
        message=f"{manager_id}'s nearest retailer due this week is a {ride}-min ride from the office each way"
                + (f" ({_on_grid(ride, grid)} min on the timetable's {grid}-min grid)"
                   if _on_grid(ride, grid) != ride else "")
                + ": " + "; ".join(words)
                + "; give his far retailers to a manager nearer to them, or let "
                + ", ".join(f"kinds.{k}.{'latest_start' if policy.kinds[k].latest_start is not None else 'latest_end'}"
                            for k in kinds)
                + " be later, or the visit block start earlier (kinds.visit.earliest_start) or be shorter "
                  "(kinds.visit.per_day_minutes)")


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


@dataclass(frozen=True)
class _Shut:
    """Why a weekly kind of a manager's fits on none of his working days (`_kind_shut_out`):
    `hours`, the opening hours of the stores his group could hold it at ("06:00–08:30" ->
    their ids) when on some day they cut the kind's window below a session; `beside`, the
    daily kinds whose blocks leave the session no room before or after them; `cut`, the
    opening hours that narrowed the window beside them."""

    hours: dict[str, list[str]]
    beside: tuple[str, ...]
    cut: dict[str, list[str]]
    """The opening hours that narrowed the window of a day the daily blocks then left no room."""


def _store_hours(department: Department, policy: Policy, frame: WeekFrame,
                 venues: Venues, manager: str) -> dict[str | None, tuple[int, int]]:
    """The stores a manager's group could hold its paired sessions at (venues.py: the store
    of his pair with each colleague, which a group of three shares, or his own when he may
    work alone) -> their opening hours; None (no store: no hours bound) -> the working day."""
    others = [m for m in frame.paired_managers if m != manager]
    groups: list[tuple[str, ...]] = [(manager, other) for other in others]
    if policy.pairs.odd_headcount == "solo" or not others:
        groups.append((manager,))
    shops = {r.id: r for r in department.retailers}
    hours: dict[str | None, tuple[int, int]] = {}
    for group in groups:
        store = venues.group_store(group)
        shop = shops.get(store) if store is not None else None
        hours[store if shop is not None else None] = ((shop.opens, shop.closes) if shop is not None
                                                      else (policy.day.start, policy.day.end))
    return hours


def _gap(policy: Policy, one: str, other: str) -> int:
    """The least minutes between blocks of two kinds, whatever the rides
    (constraints.add_one_place_at_a_time): two field blocks the field transfer, office and
    field the office–field buffer."""
    places = {policy.kinds[one].place, policy.kinds[other].place}
    if places == {"field"}:
        return policy.travel.field_transfer_min
    return policy.travel.office_field_buffer_min if len(places) == 2 else 0


def _kind_shut_out(policy: Policy, kind: str, mw: ManagerWeek, days: list[WorkDay], approach: int,
                   hours: dict[str | None, tuple[int, int]]) -> _Shut | None:
    """Whether no working day holds one session of a manager's weekly kind, by arithmetic on
    windows alone (rides beyond the least gap left aside, so what it finds holds whatever the
    rides): the kind's window cut to a store's opening hours (`hours`, paired kinds), and
    beside each daily block the day owes (a session goes wholly before or after it). A day
    of part-day leave counts as holding it (its blocks move with the leave). None: some day
    and store hold a session."""
    rule = policy.kinds[kind]
    shortest = mw.quotas[kind].session_minutes_min
    closed: dict[str, list[str]] = {}
    cut: dict[str, list[str]] = {}
    blocked: list[list[str]] = []
    for day in days:
        earliest, latest_start, latest_end = kind_window(policy, rule, shortest, day.weekday)
        owed = {} if day.index in mw.partial_leave else _daily_blocks_owed(policy, mw, day, approach)
        for store, (opens, closes) in hours.items():
            start, end = max(earliest, opens), min(latest_end, closes)
            last = min(latest_start, end - shortest)
            if last < start:
                if store is not None:
                    closed.setdefault(f"{format_clock(opens)}–{format_clock(closes)}", []).append(store)
                continue
            blocking = [daily for daily, minutes in owed.items() if not _fits_beside(
                policy, daily, minutes, day, (start, last), shortest, _gap(policy, kind, daily))]
            if not blocking:
                return None
            blocked.append(blocking)
            if store is not None and (opens > earliest or closes < latest_end):
                cut.setdefault(f"{format_clock(opens)}–{format_clock(closes)}", []).append(store)
    # The daily kind that leaves no room on every day (the visit block) is the one to name,
    # not one that adds to it on some days (Monday's meeting); else every one that does.
    every_day = [k for k in dict.fromkeys(k for b in blocked for k in b) if all(k in b for b in blocked)]
    beside = every_day or list(dict.fromkeys(k for b in blocked for k in b))
    return _Shut({h: sorted(set(ids)) for h, ids in closed.items()}, tuple(beside),
                 {h: sorted(set(ids)) for h, ids in cut.items()})


def _fits_beside(policy: Policy, daily: str, minutes: int, day: WorkDay, starts: tuple[int, int],
                 shortest: int, gap: int) -> bool:
    """Whether a session of `shortest` min starting within `starts` can end `gap` before the
    daily block's latest start or start `gap` after its earliest end."""
    earliest, latest_start, _ = kind_window(policy, policy.kinds[daily], minutes, day.weekday)
    return starts[0] + shortest + gap <= latest_start or max(starts[0], earliest + minutes + gap) <= starts[1]


def _no_paired_session_fits(department: Department, policy: Policy, frame: WeekFrame,
                            approach: Mapping[str, int], venues: Venues | None = None) -> list[Conflict]:
    """Every manager in a group holds at least one paired session with it, in any week, even
    one planned short (constraints.add_pairing: a group is known by the sessions it holds
    together), at the group's store while it is open (SPEC §2, §4). A manager none of whose
    paired kinds fits on any working day (`_kind_shut_out`: the stores his group could use
    open too short within the kinds' window, or the window leaves no room beside a daily
    block) has no week; managers for whom the same causes hold are named together."""
    paired = _paired_kinds(policy)
    if not (paired and frame.paired_managers):
        return []
    found = _shut_out(department, policy, frame, approach, paired, every=True, venues=venues)
    return [Conflict(
        rules=tuple(dict.fromkeys([*(KIND_RULE[k] for k in shut), "pairing",
                                   *(KIND_RULE[b] for s in shut.values() for b in s.beside)])),
        message=f"{', '.join(managers)}: no paired session fits on any working day: "
                f"{_shut_words(policy, frame, managers, shut)}. Each manager in a pair holds at least one "
                f"paired session with his partner in any week"
                + ("; change those stores' opening hours (retailers.csv opens, closes) or flag stores open "
                   "longer as promo_store" if any(s.hours or s.cut for s in shut.values()) else ""))
        for managers, shut in found]


def _weekly_kinds_without_room(department: Department, policy: Policy, week_start: dt.date,
                               rules: list[str]) -> list[Conflict]:
    """For an explanation whose rules hold weekly kinds: each such kind (its quota held in
    full, as in the explanation's copy) that fits on none of a manager's working days, by
    `_kind_shut_out`'s arithmetic, with the windows and blocks that leave it no room (a
    maintenance window 08:00–10:00 beside a visit block that starts at 08:00)."""
    kinds = [k for k, rule in policy.kinds.items() if KIND_RULE.get(k) in rules and not rule.is_daily
             and rule.group != "department"]
    if not kinds:
        return []
    frame = build_week(department, policy, week_start)
    approach = approach_minutes(department, policy, week_start)
    conflicts = []
    for kind in kinds:
        for managers, shut in _shut_out(department, policy, frame, approach, [kind], every=False):
            conflicts.append(Conflict(
                rules=tuple(dict.fromkeys([KIND_RULE[kind], *(KIND_RULE[b] for b in shut[kind].beside)])),
                message=f"{', '.join(managers)}: no working day holds a session: "
                        f"{_shut_words(policy, frame, managers, shut)}"))
    return conflicts


def _shut_out(department: Department, policy: Policy, frame: WeekFrame, approach: Mapping[str, int],
              kinds: list[str], every: bool, venues: Venues | None = None) -> list[tuple[list[str], dict[str, _Shut]]]:
    """The managers of whose weekly `kinds` (those they owe this week) all (`every`: of the
    managers in pairs, the paired kinds) or any fit on no working day (`_kind_shut_out`),
    grouped by alike causes: (managers, kind -> the causes, their stores merged)."""
    if any(policy.kinds[k].group == "pair" for k in kinds):
        venues = venues or week_venues(department, policy, frame.week_start)
    else:
        venues = None
    anywhere: dict[str | None, tuple[int, int]] = {None: (policy.day.start, policy.day.end)}
    found: dict[tuple, list[tuple[str, dict[str, _Shut]]]] = {}
    for manager, mw in frame.managers.items():
        owed = [k for k in kinds if k in mw.quotas and not mw.quotas[k].empty]
        days = [d for d in frame.days if mw.works_on(d.index)]
        if not (owed and days) or (every and manager not in frame.paired_managers):
            continue
        stores = (_store_hours(department, policy, frame, venues, manager)
                  if venues is not None and manager in frame.paired_managers else anywhere)
        shut = {}
        for kind in owed:
            hours = stores if policy.kinds[kind].group == "pair" else anywhere
            if (found_here := _kind_shut_out(policy, kind, mw, days, approach.get(manager, 0), hours)) is not None:
                shut[kind] = found_here
        if not shut or (every and len(shut) < len(owed)):
            continue
        key = (tuple((k, mw.quotas[k].session_minutes_min, tuple(sorted(s.hours)), s.beside, tuple(sorted(s.cut)))
                     for k, s in shut.items()), days[0].weekday)
        found.setdefault(key, []).append((manager, shut))
    return [([m for m, _ in who],
             {k: _Shut(_merged_stores([s[k].hours for _, s in who]), first.beside,
                       _merged_stores([s[k].cut for _, s in who])) for k, first in who[0][1].items()})
            for who in found.values()]


def _shut_words(policy: Policy, frame: WeekFrame, managers: list[str], shut: Mapping[str, _Shut]) -> str:
    """`_kind_shut_out`'s findings for alike managers in words: each kind's shortest session
    and window, the stores' opening hours that cut it, the daily blocks that leave it no room."""
    mw = frame.managers[managers[0]]
    days = [d for d in frame.days if mw.works_on(d.index)]
    whose = "his group" if len(managers) == 1 else "their groups"
    needs, windows = [], {}
    for kind in shut:
        shortest = mw.quotas[kind].session_minutes_min
        earliest, _, latest_end = kind_window(policy, policy.kinds[kind], shortest, days[0].weekday)
        windows[kind] = f"{format_clock(earliest)}–{format_clock(latest_end)}"
        needs.append((kind, shortest))
    one_window = len(set(windows.values())) == 1
    words = " and ".join(
        f"{_kind_words(policy, kind)} needs {'at least ' if shortest < mw.quotas[kind].session_minutes_max else ''}"
        f"{shortest} min"
        + ("" if one_window else f" within {windows[kind]}") + f" (kinds.{kind})"
        for kind, shortest in needs)
    if one_window:
        words += f" within {next(iter(windows.values()))}"
    causes = []
    hours = _merged_stores([s.hours for s in shut.values()])
    if hours:
        causes.append(f"no promotion store {whose} could use is open long enough in that window: stores "
                      f"open {_stores_words(hours)}")
    beside = list(dict.fromkeys(b for s in shut.values() for b in s.beside))
    if beside:
        blocks = []
        for daily in beside:
            rule = policy.kinds[daily]
            day = next(d for d in days if (rule.per_day_minutes or {}).get(d.weekday))
            minutes = (rule.per_day_minutes or {})[day.weekday]
            earliest, latest_start, _ = kind_window(policy, rule, minutes, day.weekday)
            starts = (f"at {format_clock(earliest)}" if latest_start <= earliest
                      else f"{format_clock(earliest)}–{format_clock(latest_start)}")
            blocks.append(f"the {_kind_words(policy, daily)} block ({minutes} min, starting {starts}, so over by "
                          f"{format_clock(earliest + minutes)} at the earliest)")
        cut = _merged_stores([s.cut for s in shut.values()])
        field = all(policy.kinds[k].place == "field" for k in [*shut, *beside])
        gap = policy.travel.field_transfer_min if field else 0
        causes.append((f"the promotion stores {whose} could use are open only {_stores_words(cut)}, and in those "
                       f"hours " if cut else "")
                      + f"{' and '.join(blocks)} leave{'s' if len(blocks) == 1 else ''} no room for a session "
                      f"before or after {'it' if len(blocks) == 1 else 'them'}"
                      + (f" with the {gap}-min ride between field places (travel.field_transfer_min)" if gap else ""))
    return f"{words}, but {'; and '.join(causes)}"


def _merged_stores(found: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """Opening hours -> the stores open then, over several findings."""
    merged: dict[str, set[str]] = {}
    for hours in found:
        for span, ids in hours.items():
            merged.setdefault(span, set()).update(ids)
    return {span: sorted(ids) for span, ids in merged.items()}


def _stores_words(hours: Mapping[str, list[str]]) -> str:
    """"06:00–08:30 (R01002, R02012, R03002, R05012 and 1 more)"."""
    return "; ".join(f"{span} ({', '.join(ids[:4])}{f' and {len(ids) - 4} more' if len(ids) > 4 else ''})"
                     for span, ids in sorted(hours.items()))


def _kind_words(policy: Policy, kind: str) -> str:
    """A kind's English label inside a sentence: "Terminal maintenance (pairs)" -> "terminal
    maintenance" (an acronym kept: "POS project households")."""
    label = policy.kind_label(kind, "en").split(" (")[0]
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


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
    # The rules alone do not say which windows clash: a weekly kind no working day holds is
    # named first, with the windows and blocks that leave it no room.
    return [*_weekly_kinds_without_room(department, policy, week_start, core),
            Conflict(rules=tuple(core),
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
