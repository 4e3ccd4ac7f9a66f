"""Mid-week re-planning with pinning (issue 6): the week as it really happens.

A plan (the week's timetable, and its routes when there are any) meets the events
of a real week at a moment `now`:

- `manager_sick`: a manager is off from a given time (until a given day, or the
  end of the week);
- `retailer_closed`: a retailer is closed on a day (today by default);
- `urgent_visit`: a retailer must be visited, by a given day (today by default);
- `promotion_store_cancelled`: a promotion store can no longer be used.

What the re-plan keeps and changes:

1. **Pinned.** Every block that started before `now` and every route stop that
   started before `now` stays exactly as it was (the past cannot be re-planned;
   a block under way is finished as planned).
2. **The timetable** is re-solved on the same CP-SAT variables as the week
   (`engine.timetable.model`) over a week frame whose quotas are the original
   ones, with the sick manager's absence as leave. The pinned blocks are fixed;
   every other block that differs from the old plan — moved, dropped or added —
   costs the policy's `replan.moved_block`; weekly hours the re-plan cannot keep
   (a sick manager's, an orphaned partner's) cost `replan.missing_per_10min`
   instead of making the week infeasible. The old plan, repaired (the sick
   manager's blocks after he fell ill and his partner's remaining pair sessions
   taken out), is the completed hint: the solve is never worse than that start.
3. **Pairs.** Groups of the old plan stay together for the rest of the week.
   A manager whose every partner is off for the rest of the week is re-paired for
   his remaining pair sessions: he joins another pair (making it a trio) or
   another such manager, or those sessions are cancelled and reported.
4. **Routes.** Stops after `now` of a sick manager, at a closed retailer, or that
   no longer fit a day whose visit block changed, are handed on in the policy's
   order (`replan.handover`): to the manager's own later days (`next_days`), then
   to the nearest neighbouring territory within `replan.neighbour_max_km`
   (`neighbour`). Urgent visits go to the earliest day that holds them. A visit
   that finds no place is listed in `unplaced` with its reason: no due visit is
   lost silently.
5. **The diff** per manager lists the blocks and stops moved, cancelled, added,
   changed (same time, other partner or place), handed over and received.

Never prints. Times HH:MM, dates ISO, durations minutes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from geopy.distance import great_circle
from ortools.sat.python import cp_model
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.domain import Block, Conflict, Department, Leave, Retailer, Status, Timetable
from engine.errors import InputError, Problem
from engine.policy import WEEKDAYS, Clock, Policy, ReplanRules, format_clock, parse_clock
from engine.routing.daily import (
    FieldDay,
    Place,
    Territory,
    cheapest_feasible_insertion,
    drop_until_feasible,
    field_days,
    route_km,
    time_visit_route,
)
from engine.routing.matrix import straight_line_matrix
from engine.timetable.approach import approach_minutes
from engine.timetable.constraints import add_department_slots, add_lunch, add_one_place_at_a_time
from engine.timetable.hints import complete_hints, hint_from_blocks
from engine.timetable.model import (
    BlockVar,
    TimetableModel,
    add_attendance,
    add_department_blocks,
    add_leave_intervals,
    add_lunches,
    add_manager_blocks,
    add_rule_literals,
)
from engine.timetable.objective import SOFT_RULES
from engine.timetable.solve import STATUS_NAMES, SolveParams
from engine.timetable.week import WeekFrame, build_week

# -- events ------------------------------------------------------------------------------------


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ManagerSick(_Event):
    """A manager is off sick from `from` (a date and time) until the end of `until`
    (a date; the end of the week when not given)."""

    type: Literal["manager_sick"]
    manager: str
    from_: dt.datetime = Field(alias="from")
    until: dt.date | None = None


class RetailerClosed(_Event):
    """A retailer is closed all day on `date` (the day of `now` when not given)."""

    type: Literal["retailer_closed"]
    retailer: str
    date: dt.date | None = None


class UrgentVisit(_Event):
    """A retailer must be visited by the end of `by` (the day of `now` when not given),
    by `manager` (its own manager when not given)."""

    type: Literal["urgent_visit"]
    retailer: str
    by: dt.date | None = None
    manager: str | None = None


class PromotionStoreCancelled(_Event):
    """A promotion store can no longer be used from `date` (the day of `now` when not given)."""

    type: Literal["promotion_store_cancelled"]
    retailer: str
    date: dt.date | None = None


Event = Annotated[
    ManagerSick | RetailerClosed | UrgentVisit | PromotionStoreCancelled, Field(discriminator="type")
]


class _EventList(BaseModel):
    events: tuple[Event, ...]


def read_events(data: Any, where: str = "events") -> tuple[Event, ...]:
    """Events from JSON data: a list of events, or `{"events": [...]}`; every bad field named."""
    if isinstance(data, Mapping) and "events" in data:
        data = data["events"]
    if isinstance(data, Mapping):
        data = [data]
    try:
        return _EventList.model_validate({"events": data}).events
    except ValidationError as exc:
        raise InputError([
            Problem(err["msg"].removeprefix("Value error, "), file=where,
                    column=".".join(str(p) for p in err["loc"][1:]) or None)
            for err in exc.errors()
        ]) from None


# -- result ------------------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class BlockChange(_Out):
    """A block of the old plan after `now` that changed, or a new one."""

    change: Literal["moved", "cancelled", "added", "changed"]
    kind: str
    before: Block | None = None
    after: Block | None = None
    reason: str = ""


class StopChange(_Out):
    """A visit stop after `now` that changed day or manager, was cancelled or added."""

    change: Literal["moved", "cancelled", "added", "handed_over", "received"]
    retailer: str
    date_before: dt.date | None = None
    date_after: dt.date | None = None
    manager_before: str | None = None
    manager_after: str | None = None
    reason: str = ""


class ManagerDiff(_Out):
    """Everything that changed for one manager."""

    manager: str
    blocks: tuple[BlockChange, ...] = ()
    stops: tuple[StopChange, ...] = ()


class ReplanStop(_Out):
    """A visit of the re-planned routes; `pinned` stops started before `now`."""

    retailer: str
    arrive: Clock
    start: Clock
    end: Clock
    pinned: bool = False


class ReplanRoute(_Out):
    """One manager's visits on one day after the re-plan, in visiting order."""

    manager: str
    date: dt.date
    stops: tuple[ReplanStop, ...]


UnplacedReason = Literal["manager_absent", "retailer_closed", "no_room_in_day", "not_planned"]


class UnplacedVisit(_Out):
    """A due visit that is in no route of the week, and why (it rolls into next week)."""

    retailer: str
    manager: str
    date: dt.date | None = None
    reason: UnplacedReason
    detail: str = ""


class ReplanResult(_Out):
    """The re-planned week: the JSON contract of `fieldweek replan --json`."""

    week_start: dt.date
    now: dt.datetime
    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    objective: float | None = None
    start_objective: float | None = Field(default=None, description="the repaired old plan's objective")
    best_bound: float | None = None
    solve_seconds: float = 0.0
    events: tuple[Event, ...] = ()
    timetable: Timetable
    routes: tuple[ReplanRoute, ...] | None = None
    unplaced: tuple[UnplacedVisit, ...] = ()
    diff: tuple[ManagerDiff, ...] = ()
    notes: tuple[str, ...] = ()

    def to_json_dict(self) -> dict:
        """The result as JSON-ready data with the contract's key names."""
        return self.model_dump(mode="json", by_alias=True)


def replan_rules(policy: Policy) -> ReplanRules:
    """The policy's `[replan]` table; an error naming the missing keys when it has none."""
    if policy.replan is None:
        raise InputError([Problem(
            f"policy '{policy.name}' has no [replan] table: add moved_block, missing_per_10min, "
            "handover and neighbour_max_km (see data/policies/15-13-7.toml)", file=policy.name,
            column="replan")])
    return policy.replan


# -- the situation at `now` --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Absence:
    """A manager's absence as the re-plan uses it: from (date, minute) to the end of `until`."""

    manager: str
    date: dt.date
    minute: int
    until: dt.date

    def covers(self, date: dt.date, minute: int) -> bool:
        """True when the manager is off at this moment."""
        return (date, minute) >= (self.date, self.minute) and date <= self.until


@dataclasses.dataclass
class Situation:
    """The week, `now` and the events, resolved against the plan."""

    department: Department
    policy: Policy
    timetable: Timetable
    now: dt.datetime
    dates: list[dt.date]
    absences: dict[str, Absence]
    closed: set[tuple[str, dt.date]]
    cancelled_stores: dict[str, dt.date]
    urgent: list[UrgentVisit]

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def now_minute(self) -> int:
        return self.now.hour * 60 + self.now.minute

    def pinned(self, date: dt.date, start: int) -> bool:
        """Started before `now`: the block or stop stays exactly as planned."""
        return (date, start) < (self.today, self.now_minute)

    def off_for_the_rest(self, manager: str) -> bool:
        """True when the manager is off until the end of the week and has no pair session
        left to do before he falls ill: his partners need someone else."""
        absence = self.absences.get(manager)
        if absence is None or absence.until < self.dates[-1]:
            return False
        for b in self.timetable.blocks:
            rule = self.policy.kinds.get(b.kind)
            if b.manager == manager and rule is not None and rule.group == "pair" \
                    and not self.pinned(b.date, b.start) and not absence.covers(b.date, b.start):
                return False
        return True


def _situation(department: Department, policy: Policy, timetable: Timetable, now: dt.datetime,
               events: Sequence[Event]) -> Situation:
    dates = sorted(_working_dates(policy, timetable.week_start))
    managers = {m.id for m in department.managers}
    retailers = {r.id: r for r in department.retailers}
    problems: list[Problem] = []
    absences: dict[str, Absence] = {}
    closed: set[tuple[str, dt.date]] = set()
    cancelled: dict[str, dt.date] = {}
    urgent: list[UrgentVisit] = []
    today = now.date()
    for number, event in enumerate(events):
        def bad(column: str, message: str, _n: int = number) -> None:
            problems.append(Problem(message, file="events", row=_n, column=column))

        if isinstance(event, ManagerSick):
            if event.manager not in managers:
                bad("manager", f"no manager '{event.manager}' in the department")
                continue
            start = max(event.from_.replace(tzinfo=None), now.replace(tzinfo=None))
            minute = start.hour * 60 + start.minute
            # A block under way when he falls ill is finished as planned (it is pinned);
            # he is off once he has ridden away from it.
            ride = max(policy.travel.field_transfer_min, policy.travel.office_field_buffer_min)
            for b in timetable.blocks:
                if b.manager == event.manager and b.date == start.date() and b.start < minute < b.end + ride \
                        and (b.date, b.start) < (today, now.hour * 60 + now.minute):
                    minute = max(minute, b.end + ride)
            until = event.until or dates[-1]
            if until < start.date():
                bad("until", f"until ({until}) is before the sickness starts ({start.date()})")
                continue
            absences[event.manager] = Absence(event.manager, start.date(), minute, until)
        elif isinstance(event, RetailerClosed):
            if event.retailer not in retailers:
                bad("retailer", f"no retailer '{event.retailer}' in the department")
                continue
            closed.add((event.retailer, event.date or today))
        elif isinstance(event, UrgentVisit):
            if event.retailer not in retailers:
                bad("retailer", f"no retailer '{event.retailer}' in the department")
                continue
            if event.manager is not None and event.manager not in managers:
                bad("manager", f"no manager '{event.manager}' in the department")
                continue
            urgent.append(event)
        elif isinstance(event, PromotionStoreCancelled):
            if event.retailer not in retailers:
                bad("retailer", f"no retailer '{event.retailer}' in the department")
                continue
            cancelled[event.retailer] = event.date or today
    if problems:
        raise InputError(problems)
    return Situation(department, policy, timetable, now.replace(tzinfo=None), dates, absences, closed,
                     cancelled, urgent)


def _working_dates(policy: Policy, week_start: dt.date) -> set[dt.date]:
    return {week_start + dt.timedelta(days=WEEKDAYS.index(d)) for d in policy.working_days}


def _department_with_absences(situation: Situation) -> Department:
    """The department with each absence added as leave (after `now` only)."""
    policy = situation.policy
    extra: list[Leave] = []
    for absence in situation.absences.values():
        for date in situation.dates:
            if not absence.date <= date <= absence.until:
                continue
            if date == absence.date and absence.minute > policy.day.start:
                if absence.minute < policy.day.end:
                    start = -(-absence.minute // policy.grid_minutes) * policy.grid_minutes
                    if start < policy.day.end:
                        extra.append(Leave(manager=absence.manager, date=date, start=start, end=policy.day.end))
            else:
                extra.append(Leave(manager=absence.manager, date=date))
    return situation.department.model_copy(update={"leave": situation.department.leave + tuple(extra)})


def _frame(situation: Situation) -> WeekFrame:
    """The week with the absences as leave, but each manager's quotas as they were: a
    re-plan may fall short of them (at a cost), never change what was owed."""
    week_start = situation.timetable.week_start
    original = build_week(situation.department, situation.policy, week_start)
    frame = build_week(_department_with_absences(situation), situation.policy, week_start)
    for manager_id, week in frame.managers.items():
        week.quotas = dict(original.managers[manager_id].quotas)
        week.exempt_from_pairs = original.managers[manager_id].exempt_from_pairs
    return frame


# -- the timetable model -----------------------------------------------------------------------


@dataclasses.dataclass
class Slot:
    """A model block and the old block it stands for (None: absent in the old plan)."""

    var: BlockVar
    old: Block | None
    pinned: bool
    date: dt.date


def _match(tm: TimetableModel, blocks: Sequence[Block], situation: Situation) -> tuple[list[Slot], list[Block]]:
    """Pair every model block with the old block it stands for (same manager, kind and
    day, in time order: the same convention as the solver's hints). Returns the slots
    and the old blocks no model block stands for."""
    dates = {d.index: d.date for d in tm.frame.days}
    found: dict[tuple[str, str, dt.date], list[Block]] = defaultdict(list)
    for b in blocks:
        found[(b.manager, b.kind, b.date)].append(b)
    for group in found.values():
        group.sort(key=lambda b: b.start)
    used: set[int] = set()
    slots: list[Slot] = []

    def take(var: BlockVar, old: Block | None) -> None:
        date = dates[var.day]
        if old is not None:
            used.add(id(old))
        pinned = old is not None and situation.pinned(old.date, old.start)
        slots.append(Slot(var, old, pinned, date))

    for (manager, kind), variables in tm.blocks.items():
        by_day: dict[int, list[BlockVar]] = defaultdict(list)
        for var in variables:
            by_day[var.day].append(var)
        for day, pieces in by_day.items():
            planned = found.get((manager, kind, dates[day]), [])
            for i, var in enumerate(sorted(pieces, key=lambda v: v.occurrence)):
                take(var, planned[i] if i < len(planned) else None)
    for kind, occurrences in tm.department_blocks.items():
        for occ in occurrences:
            planned = sorted((b for (m, k, d), bs in found.items() if k == kind and d == dates[occ.day] for b in bs),
                             key=lambda b: b.start)
            take(occ, planned[0] if planned else None)
            for b in planned:
                used.add(id(b))
    for (manager, day), var in tm.lunches.items():
        planned = found.get((manager, "lunch", dates[day]), [])
        take(var, planned[0] if planned else None)
    orphans = [b for b in blocks if id(b) not in used]
    return slots, orphans


def _literal(tm: TimetableModel, var: BlockVar) -> cp_model.IntVar:
    return var.present_literal(tm.cp)


def _contribution(tm: TimetableModel, var: BlockVar) -> cp_model.LinearExprT:
    """The block's length in slots when present, 0 when absent."""
    present = _literal(tm, var)
    if isinstance(var.size, int):
        return var.size * present
    contribution = tm.cp.new_int_var(0, tm.slots(24 * 60), "")
    tm.cp.add(contribution == var.size).only_enforce_if(present)
    tm.cp.add(contribution == 0).only_enforce_if(~present)
    return contribution


def _fix(var, value: int) -> bool:
    """Narrow a variable's domain to one value (a pinned block keeps its times even where
    the policy's windows have changed since it was planned); False for a constant that
    differs."""
    if isinstance(var, int):
        return var == value
    domain = var.proto.domain
    if len(domain) == 2:
        domain[0] = domain[1] = value
    else:
        raise ValueError(f"unexpected domain {list(domain)} for {var}")
    return True


def _pin(tm: TimetableModel, slots: Sequence[Slot], situation: Situation) -> list[Block]:
    """"Everything before now is pinned identical": blocks that started before `now`
    are fixed; nothing new may start before `now`. Returns the old blocks the model
    cannot hold (a length the policy no longer allows): they stay as they were,
    outside the model."""
    now_slot = -(-situation.now_minute // tm.grid)
    outside: list[Block] = []
    for slot in slots:
        present = _literal(tm, slot.var)
        if slot.pinned:
            assert slot.old is not None
            start = slot.old.start // tm.grid
            size = (slot.old.end - slot.old.start) // tm.grid
            if isinstance(slot.var.size, int) and slot.var.size != size:
                outside.append(slot.old)
                slot.old, slot.pinned = None, False
                tm.cp.add(present == 0)
                continue
            _fix(present, 1)
            _fix(slot.var.start, start)
            _fix(slot.var.size, size)
            if not isinstance(slot.var.size, int):
                _fix(slot.var.end, start + size)
        elif slot.date < situation.today:
            tm.cp.add(present == 0)
        elif slot.date == situation.today:
            tm.cp.add(slot.var.start >= now_slot).only_enforce_if(present)
    return outside


def _missing_weight(tm: TimetableModel, rules: ReplanRules) -> int:
    """Penalty per grid slot of weekly hours not kept."""
    return max(1, round(rules.missing_per_10min * tm.grid / 10)) if rules.missing_per_10min else 0


def _add_daily_blocks(tm: TimetableModel, slots: Sequence[Slot], situation: Situation,
                      rules: ReplanRules) -> None:
    """"3 h of visits every working day", "phone 30 min Monday–Thursday" — SPEC §2: each
    daily block stays, except on the day a manager falls ill, where a block that no
    longer fits is missed at a cost."""
    weight = _missing_weight(tm, rules)
    for slot in slots:
        var = slot.var
        if slot.pinned or var.manager is None or var.kind == "lunch":
            continue
        rule = tm.policy.kinds[var.kind]
        if rule.per_day_minutes is None or rule.group == "department":
            continue
        absence = situation.absences.get(var.manager)
        present = _literal(tm, var)
        if absence is not None and absence.date == slot.date:
            size = var.size if isinstance(var.size, int) else 0
            tm.penalties.append((f"missing[{var.manager},{var.kind},{slot.date}]", weight * size, 1 - present))
        elif slot.date >= situation.today:
            tm.cp.add(present == 1)


def _add_weekly_quotas(tm: TimetableModel, slots: Sequence[Slot], rules: ReplanRules) -> None:
    """"Maintenance 2 x 2 h", "promotion 5 h", "POS 3 x 1 h", "admin 3 h" — SPEC §2: never
    more than the week's quota; what the re-plan cannot keep costs per minute short."""
    weight = _missing_weight(tm, rules)
    by_key: dict[tuple[str, str], list[Slot]] = defaultdict(list)
    for slot in slots:
        if slot.var.manager is not None and slot.var.kind != "lunch":
            by_key[(slot.var.manager, slot.var.kind)].append(slot)
    for (manager, kind), group in by_key.items():
        rule = tm.policy.kinds[kind]
        if rule.per_day_minutes is not None or rule.group == "department":
            continue
        quota = tm.frame.managers[manager].quotas[kind]
        pinned_count = sum(1 for s in group if s.pinned)
        pinned_total = sum(tm.slots(s.old.end - s.old.start) for s in group if s.pinned and s.old)
        count = sum(_literal(tm, s.var) for s in group)
        total = sum(_contribution(tm, s.var) for s in group)
        tm.cp.add(count <= max(quota.sessions_max, pinned_count))
        owed = max(tm.slots(quota.total_minutes), pinned_total)
        tm.cp.add(total <= owed)
        short = tm.cp.new_int_var(0, owed, f"short[{manager},{kind}]")
        tm.cp.add(short >= owed - total)
        tm.penalties.append((f"missing[{manager},{kind}]", weight, short))
        by_day: dict[int, list[BlockVar]] = defaultdict(list)
        for s in group:
            by_day[s.var.day].append(s.var)
        for pieces in by_day.values():
            pieces.sort(key=lambda v: v.occurrence)
            for first, second in itertools.pairwise(pieces):
                tm.cp.add(first.end <= second.start).only_enforce_if([_literal(tm, first), _literal(tm, second)])


@dataclasses.dataclass
class Groups:
    """Who works together for the rest of the week."""

    members: dict[str, frozenset[str]]
    """Each paired manager's group of the old plan, without managers off for the rest."""
    orphans: list[str]
    """Managers whose every partner is off for the rest of the week."""
    links: dict[tuple[str, str], cp_model.IntVar] = dataclasses.field(default_factory=dict)
    """(orphan, host) -> the orphan works with the host's group for the rest of the week."""


def _old_groups(timetable: Timetable, policy: Policy) -> dict[str, frozenset[str]]:
    partners: dict[str, set[str]] = defaultdict(set)
    for b in timetable.blocks:
        rule = policy.kinds.get(b.kind)
        if rule is not None and rule.group == "pair":
            partners[b.manager].update(b.with_)
    groups: dict[str, frozenset[str]] = {}
    for manager in partners:
        group, todo = {manager}, [manager]
        while todo:
            for other in partners.get(todo.pop(), ()):
                if other not in group:
                    group.add(other)
                    todo.append(other)
        groups[manager] = frozenset(group)
    return groups


def _add_pairs(tm: TimetableModel, slots: Sequence[Slot], situation: Situation) -> Groups:
    """"Pairs: 2 managers, same time, same place" — SPEC §2, for the rest of the week:
    a group of the old plan does its remaining sessions together; a manager whose
    partners are all off joins one other pair (a trio) or another such manager, or his
    remaining pair sessions are dropped (at the cost of the hours missed)."""
    cp = tm.cp
    paired_kinds = [k for k, r in tm.policy.kinds.items() if r.group == "pair"]
    away = {m for m in situation.absences if situation.off_for_the_rest(m)}
    old = _old_groups(situation.timetable, tm.policy)
    members = {m: frozenset(g - away) for m, g in old.items() if m not in away}
    orphans = sorted(m for m, g in members.items() if len(g) == 1 and len(old[m]) > 1)
    groups = Groups(members, orphans)
    free: dict[tuple[str, str], dict[tuple[int, int], BlockVar]] = defaultdict(dict)
    for slot in slots:
        if slot.var.manager is not None and slot.var.kind in paired_kinds and not slot.pinned \
                and slot.date >= situation.today:
            free[(slot.var.manager, slot.var.kind)][(slot.var.day, slot.var.occurrence)] = slot.var

    def same_session(mine: BlockVar, theirs: BlockVar | None, literals: list) -> None:
        present = _literal(tm, mine)
        if theirs is None:
            cp.add_bool_or([~lit for lit in literals] + [~present])
            return
        cp.add(_literal(tm, theirs) == 1).only_enforce_if([*literals, present])
        cp.add(mine.start == theirs.start).only_enforce_if([*literals, present])
        if not (isinstance(mine.size, int) and isinstance(theirs.size, int)):
            cp.add(mine.size == theirs.size).only_enforce_if([*literals, present])

    done: set[frozenset[str]] = set()
    for group in members.values():
        if len(group) < 2 or group in done:
            continue
        done.add(group)
        ordered = sorted(group)
        for kind in paired_kinds:
            for a, b in itertools.pairwise(ordered):
                for key in free[(a, kind)].keys() | free[(b, kind)].keys():
                    x, y = free[(a, kind)].get(key), free[(b, kind)].get(key)
                    if x is not None:
                        same_session(x, y, [])
                    if y is not None:
                        same_session(y, x, [])

    # one host per pair: joining either member joins the same trio
    hosts = sorted({min(g) for m, g in members.items() if m not in orphans and len(g) == 2})
    for orphan in orphans:
        for host in hosts + [o for o in orphans if o > orphan]:
            link = cp.new_bool_var(f"join[{orphan},{host}]")
            groups.links[(orphan, host)] = link
            for kind in paired_kinds:
                for key, x in free[(orphan, kind)].items():
                    same_session(x, free[(host, kind)].get(key), [link])
                if host in orphans:
                    for key, y in free[(host, kind)].items():
                        same_session(y, free[(orphan, kind)].get(key), [link])
    for orphan in orphans:
        mine = [lit for (a, b), lit in groups.links.items() if orphan in (a, b)]
        if mine:
            cp.add_at_most_one(mine)
        for kind in paired_kinds:
            for x in free[(orphan, kind)].values():
                # an orphan's remaining pair session needs someone to work with
                cp.add_bool_or([*mine, ~_literal(tm, x)])
    for host in hosts:
        joined = [lit for (a, b), lit in groups.links.items() if b in members[host]]
        if len(joined) > 1:
            cp.add_at_most_one(joined)
    return groups


def _add_change_costs(tm: TimetableModel, slots: Sequence[Slot], situation: Situation,
                      rules: ReplanRules) -> None:
    """"Change as little as possible": each block after `now` moved, dropped or added
    against the old plan costs `replan.moved_block` (a department slot costs it once
    per manager)."""
    weight = rules.moved_block
    if not weight:
        return
    managers = len(tm.frame.managers)
    for slot in slots:
        if slot.pinned or slot.date < situation.today:
            continue
        var = slot.var
        per = weight * (managers if var.manager is None else 1)
        present = _literal(tm, var)
        who = var.manager or "department"
        if slot.old is None:
            tm.penalties.append((f"added[{who},{var.kind},{slot.date}]", per, present))
            continue
        same = tm.cp.new_bool_var(f"kept[{who},{var.kind},{slot.date}]")
        tm.cp.add(present == 1).only_enforce_if(same)
        tm.cp.add(var.start == slot.old.start // tm.grid).only_enforce_if(same)
        if not isinstance(var.size, int):
            tm.cp.add(var.size == (slot.old.end - slot.old.start) // tm.grid).only_enforce_if(same)
        tm.penalties.append((f"moved[{who},{var.kind},{slot.date}]", per, 1 - same))


def _repaired_start(situation: Situation, groups: Groups, cancelled_kinds: set[tuple[str, str]]) -> list[Block]:
    """The old plan without what the events make impossible: the sick manager's blocks
    once he is off, an orphan's remaining pair sessions, promotion sessions without
    any store left. It keeps every rule of the re-plan, so it is the solver's start."""
    policy = situation.policy
    kept = []
    for b in situation.timetable.blocks:
        if situation.pinned(b.date, b.start):
            kept.append(b)
            continue
        absence = situation.absences.get(b.manager)
        if absence is not None and (absence.covers(b.date, b.start) or absence.covers(b.date, b.end - 1)):
            continue
        rule = policy.kinds.get(b.kind)
        if rule is not None and rule.group == "pair" and b.manager in groups.orphans:
            continue
        if (b.manager, b.kind) in cancelled_kinds:
            continue
        kept.append(b)
    return kept


# -- re-plan -----------------------------------------------------------------------------------


def replan(
    department: Department,
    policy: Policy,
    timetable: Timetable,
    now: dt.datetime,
    events: Sequence[Event],
    routes: Mapping[str, Any] | None = None,
    params: SolveParams | None = None,
    *,
    warm: bool = True,
) -> ReplanResult:
    """Re-plan the rest of the week from `now` for `events` (see the module text).

    `routes` is the week's route plan as JSON data (`fieldweek routes --json`); without
    it only the timetable is re-planned and events about retailers are noted.
    `warm=False` leaves out the repaired old plan as the solver's start (to measure
    what the start is worth; the result may then be worse than the old plan)."""
    started = time.perf_counter()
    params = params or SolveParams()
    rules = replan_rules(policy)
    situation = _situation(department, policy, timetable, now, events)
    notes: list[str] = []
    if situation.today > situation.dates[-1]:
        notes.append("the week is over: everything is pinned, nothing to re-plan")

    frame = _frame(situation)
    tm = TimetableModel(department, policy, frame, explain=False)
    tm.approach = approach_minutes(department, policy, timetable.week_start)
    add_rule_literals(tm)
    add_department_blocks(tm)
    add_attendance(tm)
    add_manager_blocks(tm)
    add_lunches(tm)
    add_leave_intervals(tm)
    slots, unmatched = _match(tm, timetable.blocks, situation)
    lost_pinned = [b for b in unmatched if situation.pinned(b.date, b.start)]
    lost_pinned += _pin(tm, slots, situation)
    for b in unmatched:
        absence = situation.absences.get(b.manager)
        if not situation.pinned(b.date, b.start) and not (absence and absence.covers(b.date, b.end - 1)):
            notes.append(f"{b.manager} {b.kind} {b.date} {format_clock(b.start)}: the block does not fit the "
                         f"policy's week and is dropped")

    add_department_slots(tm)
    add_lunch(tm)
    _add_daily_blocks(tm, slots, situation, rules)
    _add_weekly_quotas(tm, slots, rules)
    groups = _add_pairs(tm, slots, situation)
    cancelled_kinds = _promotions_without_store(situation, groups)
    for manager, kind in cancelled_kinds:
        for slot in slots:
            if slot.var.manager == manager and slot.var.kind == kind and not slot.pinned:
                tm.cp.add(_literal(tm, slot.var) == 0)
        notes.append(f"{manager}: no promotion store is left, the remaining {kind} sessions are cancelled")
    add_one_place_at_a_time(tm)
    for add_rule in SOFT_RULES:
        add_rule(tm)
    _add_change_costs(tm, slots, situation, rules)
    tm.cp.minimize(sum(weight * expr for _, weight, expr in tm.penalties))

    start_plan = None
    if warm:
        hint_from_blocks(tm, _repaired_start(situation, groups, cancelled_kinds))
        start_plan = complete_hints(tm, params.time_limit_s / 4)
        if start_plan is None:
            notes.append("the old plan could not be repaired into a start; the solver started from scratch")
    start_objective = start_plan.objective_value if start_plan is not None else None

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, params.time_limit_s - (time.perf_counter() - started))
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    code = solver.solve(tm.cp)
    status: Status = STATUS_NAMES[code]  # type: ignore[assignment]
    bound = solver.best_objective_bound if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and start_plan is not None:
        solver, code, status = start_plan, cp_model.FEASIBLE, "feasible"
    header: dict[str, Any] = {"department": timetable.department, "policy": timetable.policy,
                              "week_start": timetable.week_start, "managers": timetable.managers,
                              "duties": timetable.duties}
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        message = ("the pinned plan and the events leave no valid week" if code == cp_model.INFEASIBLE
                   else f"no re-plan found within {params.time_limit_s:g} s; allow more time")
        failed = Timetable(status="infeasible" if code == cp_model.INFEASIBLE else "unknown",
                           conflicts=(Conflict(rules=(), message=message),), **header)
        return ReplanResult(week_start=timetable.week_start, now=situation.now, status=failed.status,
                            solve_seconds=round(time.perf_counter() - started, 3), events=tuple(events),
                            timetable=failed, notes=(*notes, message))

    blocks = _extract(tm, solver, slots, situation, groups) + lost_pinned
    blocks.sort(key=lambda b: (b.manager, b.date, b.start, b.kind))
    new_timetable = Timetable(status=status, objective=solver.objective_value, best_bound=bound,
                              solve_seconds=round(time.perf_counter() - started, 3), blocks=tuple(blocks),
                              conflicts=timetable.conflicts, **header)
    stop_changes: list[StopChange] = []
    unplaced: list[UnplacedVisit] = []
    new_routes = None
    if routes is not None:
        new_routes, stop_changes, unplaced = _replan_routes(situation, new_timetable, routes, rules)
    elif any(not isinstance(e, ManagerSick | PromotionStoreCancelled) for e in events) or situation.absences:
        notes.append("the plan has no routes: visits are not re-planned (give the week's routes with the plan)")
    diff = _diff(situation, groups, blocks, stop_changes)
    return ReplanResult(
        week_start=timetable.week_start, now=situation.now, status=status, objective=solver.objective_value,
        start_objective=start_objective, best_bound=bound,
        solve_seconds=round(time.perf_counter() - started, 3), events=tuple(events), timetable=new_timetable,
        routes=new_routes, unplaced=tuple(unplaced), diff=diff, notes=tuple(notes),
    )


def _promotions_without_store(situation: Situation, groups: Groups) -> set[tuple[str, str]]:
    """(manager, kind) whose remaining promotion sessions have no store left at all."""
    if not situation.cancelled_stores:
        return set()
    policy = situation.policy
    stores = [r for r in situation.department.retailers if r.promo_store and r.id not in situation.cancelled_stores]
    if stores:
        return set()
    return {(manager.id, kind) for kind, rule in policy.kinds.items() if rule.at == "promo_store"
            for manager in situation.department.managers}


# -- reading the solution ----------------------------------------------------------------------


def _value(solver: cp_model.CpSolver, expr) -> int:
    return expr if isinstance(expr, int) else int(solver.value(expr))


@dataclasses.dataclass
class _Draft:
    """A block of the re-plan while its partners and place are chosen (times in minutes)."""

    manager: str
    date: dt.date
    kind: str
    start: int
    end: int
    with_: tuple[str, ...] = ()
    retailer: str | None = None
    old: Block | None = None
    pinned: bool = False

    @classmethod
    def of(cls, block: Block) -> _Draft:
        """A pinned block, exactly as it was."""
        return cls(block.manager, block.date, block.kind, block.start, block.end, block.with_, block.retailer,
                   block, pinned=True)

    def block(self) -> Block:
        """The finished block."""
        if self.pinned and self.old is not None:
            return self.old
        return Block.model_validate({"manager": self.manager, "date": self.date, "kind": self.kind,
                                     "start": self.start, "end": self.end, "with": self.with_,
                                     "retailer": self.retailer})


def _extract(tm: TimetableModel, solver: cp_model.CpSolver, slots: Sequence[Slot], situation: Situation,
             groups: Groups) -> list[Block]:
    """The re-planned blocks: pinned ones exactly as they were, the rest from the solver
    with their partners and places chosen again where they changed."""
    grid = tm.grid
    raw: list[_Draft] = []
    attendees: dict[tuple[str, int], list[str]] = defaultdict(list)
    for (manager, kind, occ), var in tm.attendance.items():
        if _value(solver, var.present):
            attendees[(kind, occ)].append(manager)
    department_slots = {id(s.var): s for s in slots if s.var.manager is None}
    for slot in slots:
        var = slot.var
        if var.manager is None:
            continue
        if slot.pinned:
            assert slot.old is not None
            raw.append(_Draft.of(slot.old))
            continue
        if not _value(solver, var.present):
            continue
        start = _value(solver, var.start) * grid
        size = _value(solver, var.size) * grid
        raw.append(_Draft(var.manager, slot.date, var.kind, start, start + size, old=slot.old))
    for (manager, kind, occ), var in tm.attendance.items():
        occurrence = next(o for o in tm.department_blocks[kind] if o.occurrence == occ)
        slot = department_slots[id(occurrence)]
        if slot.pinned:
            for b in situation.timetable.blocks:
                if b.manager == manager and b.kind == kind and b.date == slot.date:
                    raw.append(_Draft.of(b))
            continue
        if not _value(solver, var.present):
            continue
        start = _value(solver, var.start) * grid
        size = _value(solver, var.size) * grid
        others = tuple(m for m in attendees[(kind, occ)] if m != manager)
        raw.append(_Draft(manager, slot.date, kind, start, start + size, with_=others))

    _choose_partners(raw, situation, groups, solver)
    _choose_places(raw, situation)
    return [draft.block() for draft in raw]


def _choose_partners(raw: list[_Draft], situation: Situation, groups: Groups,
                     solver: cp_model.CpSolver) -> None:
    """A new pair session's partners: the managers of its group (or the group an orphan
    joined) who do the same kind at the same time."""
    policy = situation.policy
    allowed: dict[str, set[str]] = {m: set(g) for m, g in groups.members.items()}
    for (orphan, host), link in groups.links.items():
        if not solver.boolean_value(link):
            continue
        allowed.setdefault(orphan, {orphan}).update(groups.members.get(host, {host}))
        for member in groups.members.get(host, {host}):
            allowed.setdefault(member, {member}).add(orphan)
    sessions: dict[tuple[str, dt.date, int, int], list[str]] = defaultdict(list)
    for b in raw:
        rule = policy.kinds.get(b.kind)
        if rule is not None and rule.group == "pair" and not b.pinned:
            sessions[(b.kind, b.date, b.start, b.end)].append(b.manager)
    for b in raw:
        rule = policy.kinds.get(b.kind)
        if rule is None or rule.group != "pair" or b.pinned:
            continue
        together = sessions[(b.kind, b.date, b.start, b.end)]
        b.with_ = tuple(sorted(m for m in together if m != b.manager and m in allowed.get(b.manager, ())))


def _open_during(retailer: Retailer, start: int, end: int) -> bool:
    return retailer.opens <= start and end <= retailer.closes


def _choose_places(raw: list[_Draft], situation: Situation) -> None:
    """The POS household or promotion store of each new session: the old one while it is
    still open and usable, else another of the manager's (the group's) that is."""
    department, policy = situation.department, situation.policy
    retailers = {r.id: r for r in department.retailers}
    centres = department.territory_centres()

    def usable(retailer_id: str | None, date: dt.date, start: int, end: int, at: str) -> bool:
        if retailer_id is None or retailer_id not in retailers:
            return False
        retailer = retailers[retailer_id]
        if (retailer_id, date) in situation.closed or not _open_during(retailer, start, end):
            return False
        cancelled_from = situation.cancelled_stores.get(retailer_id)
        if at == "promo_store" and (not retailer.promo_store or (cancelled_from and date >= cancelled_from)):
            return False
        return not (at == "pos_target" and not retailer.pos_target)

    used_pos: dict[str, set[str]] = defaultdict(set)
    for b in raw:
        if b.pinned and b.retailer and policy.kinds.get(b.kind) and policy.kinds[b.kind].at == "pos_target":
            used_pos[b.manager].add(b.retailer)
    chosen_store: dict[tuple[str, dt.date, int, int, frozenset[str]], str | None] = {}
    for b in sorted(raw, key=lambda b: (b.date, b.start, b.manager)):
        rule = policy.kinds.get(b.kind)
        if rule is None or rule.at is None or b.pinned:
            continue
        date, start, end = b.date, b.start, b.end
        old = b.old
        old_place = old.retailer if old is not None else None
        if rule.at == "pos_target":
            candidates = [old_place] + [r.id for r in department.territory(b.manager) if r.pos_target]
            choice = next((r for r in candidates if r not in used_pos[b.manager]
                           and usable(r, date, start, end, "pos_target")), None)
            if choice is not None:
                used_pos[b.manager].add(choice)
            b.retailer = choice
            continue
        group = frozenset((b.manager, *b.with_))
        key = (b.kind, date, start, end, group)
        if key not in chosen_store:
            own = [r.id for r in department.retailers if r.promo_store and r.manager in group]
            anywhere = [r.id for r in department.retailers if r.promo_store]
            lat = sum(centres[m][0] for m in group) / len(group)
            lon = sum(centres[m][1] for m in group) / len(group)

            def near(r: str, _lat: float = lat, _lon: float = lon) -> tuple[float, str]:
                return (retailers[r].lat - _lat) ** 2 + (retailers[r].lon - _lon) ** 2, r

            kept = [old_place] if old_place in own else []
            candidates = [*kept, *sorted(own, key=near), *sorted(anywhere, key=near)]
            chosen_store[key] = next((r for r in candidates if usable(r, date, start, end, "promo_store")), None)
        b.retailer = chosen_store[key]


# -- routes ------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Visit:
    """A visit to place: where it was planned and where it ends up."""

    retailer: str
    owner: str
    manager: str | None
    date: dt.date | None
    reason: UnplacedReason | None = None
    detail: str = ""
    urgent_by: dt.date | None = None
    assigned: str | None = None
    """The manager an urgent visit is given to."""
    to_manager: str | None = None
    to_date: dt.date | None = None


def _replan_routes(situation: Situation, timetable: Timetable, routes: Mapping[str, Any],
                   rules: ReplanRules) -> tuple[tuple[ReplanRoute, ...], list[StopChange], list[UnplacedVisit]]:
    """Keep the stops before `now`, re-fit the rest into the new visit blocks, and hand
    on what cannot stay (see the module text)."""
    department, policy = situation.department, situation.policy
    retailers = {r.id: r for r in department.retailers}
    managers = [m.id for m in department.managers]
    pinned: dict[tuple[str, dt.date], list[ReplanStop]] = defaultdict(list)
    lunch_taken: set[tuple[str, dt.date]] = set()
    visits: list[_Visit] = []
    candidates: dict[tuple[str, dt.date], list[_Visit]] = defaultdict(list)
    unplaced: list[UnplacedVisit] = []
    for item in routes.get("unvisited", []):
        unplaced.append(UnplacedVisit(retailer=item["retailer"], manager=item.get("manager") or
                                      retailers[item["retailer"]].manager, date=item.get("date"),
                                      reason="not_planned", detail=item.get("detail") or item.get("reason", "")))
    for route in routes.get("routes", []):
        manager, date = route["manager"], dt.date.fromisoformat(str(route["date"]))
        lunch = route.get("lunch_start")
        if lunch is not None and situation.pinned(date, _minutes(lunch)):
            lunch_taken.add((manager, date))
        for stop in route.get("stops", []):
            if stop.get("kind", "visit") != "visit":
                continue
            start = _minutes(stop["start"])
            if situation.pinned(date, start):
                pinned[(manager, date)].append(ReplanStop(retailer=stop["retailer"], arrive=_minutes(stop["arrive"]),
                                                          start=start, end=_minutes(stop["end"]), pinned=True))
                continue
            visit = _Visit(stop["retailer"], retailers[stop["retailer"]].manager, manager, date)
            visits.append(visit)
            absence = situation.absences.get(manager)
            if absence is not None and absence.covers(date, start):
                visit.reason, visit.detail = "manager_absent", f"{manager} is off sick"
            elif (stop["retailer"], date) in situation.closed:
                visit.reason, visit.detail = "retailer_closed", f"closed on {date}"
            else:
                candidates[(manager, date)].append(visit)
    for event in situation.urgent:
        owner = retailers[event.retailer].manager
        visits.append(_Visit(event.retailer, owner, None, None, urgent_by=event.by or situation.today,
                             detail="urgent visit", assigned=event.manager or owner))

    days = {m: {d.date: d for d in field_days(timetable, policy, m)} for m in managers}
    territories = _territories(situation, timetable, rules)
    orders: dict[tuple[str, dt.date], list[str]] = {}
    remainder: dict[tuple[str, dt.date], FieldDay | None] = {}

    def day_of(manager: str, date: dt.date) -> FieldDay | None:
        key = (manager, date)
        if key not in remainder:
            remainder[key] = _remaining_day(days[manager].get(date), pinned.get(key, []), situation,
                                            key in lunch_taken)
        return remainder[key]

    by_id: dict[int, _Visit] = {}
    for (manager, date), planned in sorted(candidates.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        day = day_of(manager, date)
        if day is None:
            for visit in planned:
                visit.reason, visit.detail = "no_room_in_day", "no visit time left on that day after the re-plan"
            continue
        order = [v.retailer for v in planned]
        _, kept, _ = drop_until_feasible(day, order, retailers, territories[manager], policy)
        orders[(manager, date)] = kept
        remaining = list(planned)
        for retailer_id in kept:
            visit = next(v for v in remaining if v.retailer == retailer_id)
            remaining.remove(visit)
            visit.to_manager, visit.to_date = manager, date
            by_id[id(visit)] = visit
        for visit in remaining:
            visit.reason, visit.detail = "no_room_in_day", "it no longer fits its day once the day changed"

    homeless = deque(sorted((v for v in visits if v.to_date is None),
                            key=lambda v: (v.urgent_by is None, v.date or situation.today, v.retailer)))
    centres = department.territory_centres()
    while homeless:
        visit = homeless.popleft()
        options = [(m, d) for m, d in _options(visit, situation, rules, days, centres)
                   if (visit.retailer, d) not in situation.closed and day_of(m, d) is not None
                   and visit.retailer in territories[m].index]
        for manager, date in options:
            order = orders.setdefault((manager, date), [])
            if visit.retailer in order:
                continue
            found = cheapest_feasible_insertion(day_of(manager, date), order, visit.retailer, retailers,  # type: ignore[arg-type]
                                                territories[manager], policy)
            if found is not None:
                orders[(manager, date)] = found[1]
                visit.to_manager, visit.to_date = manager, date
                break
        if visit.urgent_by is not None and visit.to_date is not None and visit.to_date > visit.urgent_by:
            visit.detail = (f"urgent visit due by {visit.urgent_by}: no day up to then has room, "
                            f"{visit.to_date} is the first that does")
        if visit.to_date is None and visit.urgent_by is not None:
            # An urgent visit takes the place of ordinary ones, which then look for another day.
            for manager, date in options:
                order = orders.setdefault((manager, date), [])
                made = _make_room(day_of(manager, date), order, visit.retailer, retailers,  # type: ignore[arg-type]
                                  territories[manager], policy)
                if made is None:
                    continue
                orders[(manager, date)], bumped = made
                visit.to_manager, visit.to_date = manager, date
                for retailer_id in bumped:
                    other = next(v for v in visits if (v.retailer, v.to_manager, v.to_date)
                                 == (retailer_id, manager, date) and v.urgent_by is None)
                    other.to_manager = other.to_date = None
                    other.reason = other.reason or "no_room_in_day"
                    other.detail = f"made room for the urgent visit to {visit.retailer}"
                    homeless.append(other)
                break
        if visit.to_date is None:
            reason: UnplacedReason = visit.reason or "no_room_in_day"
            unplaced.append(UnplacedVisit(retailer=visit.retailer, manager=visit.owner, date=visit.date,
                                          reason=reason, detail=_unplaced_words(visit, rules)))

    out: list[ReplanRoute] = []
    keys = set(pinned) | {k for k, order in orders.items() if order}
    for manager, date in sorted(keys, key=lambda k: (k[0], k[1])):
        stops = list(pinned.get((manager, date), []))
        order = orders.get((manager, date), [])
        day = day_of(manager, date)
        if order and day is not None:
            timed = time_visit_route(day, order, retailers, territories[manager], policy)
            stops += [ReplanStop(retailer=s.retailer, arrive=s.arrive, start=s.start, end=s.end) for s in timed.stops]
        out.append(ReplanRoute(manager=manager, date=date, stops=tuple(stops)))
    return tuple(out), _stop_changes(visits, situation), unplaced


def _make_room(day: FieldDay, order: Sequence[str], retailer_id: str, retailers: Mapping[str, Retailer],
               territory: Territory, policy: Policy) -> tuple[list[str], list[str]] | None:
    """Put `retailer_id` where it adds the fewest km and take out other stops, fewest
    first, until the day keeps every rule: (new order, stops taken out), or None when
    the visit does not fit the day even alone."""
    if not time_visit_route(day, [retailer_id], retailers, territory, policy, first_stop_rule=False).feasible:
        return None
    trials = [[*order[:i], retailer_id, *order[i:]] for i in range(len(order) + 1)]
    trial = min(trials, key=lambda t: route_km(day, t, territory))
    removed: list[str] = []
    timed = time_visit_route(day, trial, retailers, territory, policy)
    while not timed.feasible:
        options = []
        for index, other in enumerate(trial):
            if other == retailer_id:
                continue
            shorter = trial[:index] + trial[index + 1:]
            shorter_timed = time_visit_route(day, shorter, retailers, territory, policy)
            options.append(((shorter_timed.lateness, route_km(day, shorter, territory)), index, shorter_timed))
        if not options:
            return None
        _, index, timed = min(options, key=lambda o: o[0])
        removed.append(trial.pop(index))
    return trial, removed


def _minutes(value: Any) -> int:
    return parse_clock(value)


def _remaining_day(day: FieldDay | None, pinned: Sequence[ReplanStop], situation: Situation,
                   lunch_taken: bool) -> FieldDay | None:
    """The part of a field day still to come: the whole day after today, what is left
    after `now` today (from the last stop already made, the first-stop rule met), none
    before today."""
    if day is None or day.date < situation.today:
        return None
    if day.date > situation.today:
        return day
    now = situation.now_minute
    if now >= day.visiting_ends:
        return None
    changes: dict[str, Any] = {}
    if pinned:
        last = pinned[-1]
        changes.update(block_start=max(now, last.end), start_place=Place("retailer", last.retailer),
                       first_stop_by=day.visiting_ends)
    elif now > day.block_start:
        changes.update(block_start=now, first_stop_by=day.visiting_ends)
    if lunch_taken:
        changes.update(lunch_minutes=0)
    return dataclasses.replace(day, **changes) if changes else day


def _territories(situation: Situation, timetable: Timetable, rules: ReplanRules) -> dict[str, Territory]:
    """Each manager's riding matrix: his retailers, his appointments, the territories he
    may take visits from (a sick neighbour's) and urgent visits given to him."""
    department, policy = situation.department, situation.policy
    centres = department.territory_centres()
    wanted: dict[str, set[str]] = {m.id: {r.id for r in department.territory(m.id)} for m in department.managers}
    for b in timetable.blocks:
        if b.retailer is not None:
            wanted[b.manager].add(b.retailer)
    for sick in situation.absences:
        for manager in _neighbours(sick, centres, rules):
            wanted[manager] |= {r.id for r in department.territory(sick)}
    for event in situation.urgent:
        if event.manager is not None:
            wanted[event.manager].add(event.retailer)
    retailers = {r.id: r for r in department.retailers}
    out = {}
    for manager, ids in wanted.items():
        places = [retailers[i] for i in sorted(ids)]
        matrix = straight_line_matrix(
            [department.office.lat, *(r.lat for r in places)], [department.office.lon, *(r.lon for r in places)],
            ["town", *(r.area for r in places)], policy.travel)
        out[manager] = Territory((None, *(r.id for r in places)), matrix)
    return out


def _neighbours(manager: str, centres: Mapping[str, tuple[float, float]], rules: ReplanRules) -> list[str]:
    """Managers whose territory centre lies within `replan.neighbour_max_km`, nearest first."""
    found = []
    for other, centre in centres.items():
        if other == manager:
            continue
        km = great_circle(centres[manager], centre).km
        if km <= rules.neighbour_max_km:
            found.append((km, other))
    return [m for _, m in sorted(found)]


def _options(visit: _Visit, situation: Situation, rules: ReplanRules, days: Mapping[str, Mapping[dt.date, FieldDay]],
             centres: Mapping[str, tuple[float, float]]) -> list[tuple[str, dt.date]]:
    """Where a visit may go, in order of preference."""
    later = [d for d in situation.dates if d >= situation.today]

    def available(manager: str, dates: Sequence[dt.date]) -> list[tuple[str, dt.date]]:
        absence = situation.absences.get(manager)
        return [(manager, d) for d in dates if d in days[manager]
                and not (absence is not None and absence.date <= d <= absence.until)]

    if visit.urgent_by is not None:
        manager = visit.assigned or visit.owner
        in_time = [d for d in later if d <= visit.urgent_by]
        return available(manager, in_time) + available(manager, [d for d in later if d > visit.urgent_by])
    assert visit.manager is not None and visit.date is not None
    planned = visit.date
    if visit.reason == "retailer_closed":
        return available(visit.manager, [d for d in later if d > planned])
    if visit.reason == "manager_absent":
        options: list[tuple[str, dt.date]] = []
        for way in rules.handover:
            if way == "next_days":
                options += available(visit.manager, [d for d in later if d >= planned])
            else:
                preferred = sorted(later, key=lambda d: (d < planned, abs((d - planned).days)))
                for neighbour in _neighbours(visit.manager, centres, rules):
                    options += available(neighbour, preferred)
        return options
    return available(visit.manager, sorted(later, key=lambda d: (d < planned, abs((d - planned).days))))


def _unplaced_words(visit: _Visit, rules: ReplanRules) -> str:
    if visit.urgent_by is not None:
        return f"urgent visit (by {visit.urgent_by}): no visit day of the week has room for it"
    if visit.reason == "manager_absent":
        ways = " or ".join({"next_days": "his own later days", "neighbour": "a neighbouring territory"}[w]
                           for w in rules.handover) or "nowhere (the policy hands nothing over)"
        return f"{visit.detail}; it could go to {ways}, but none has room"
    if visit.reason == "retailer_closed":
        return f"{visit.detail}; no later visit day of the week has room"
    return f"{visit.detail}; no other visit day of the week has room"


def _stop_changes(visits: Sequence[_Visit], situation: Situation) -> list[StopChange]:
    changes: list[StopChange] = []
    for v in visits:
        if v.manager is None:
            if v.to_date is not None:
                changes.append(StopChange(change="added", retailer=v.retailer, date_after=v.to_date,
                                          manager_after=v.to_manager, reason=v.detail))
            continue
        if (v.to_manager, v.to_date) == (v.manager, v.date):
            continue
        if v.to_date is None:
            changes.append(StopChange(change="cancelled", retailer=v.retailer, date_before=v.date,
                                      manager_before=v.manager, reason=v.detail))
        elif v.to_manager == v.manager:
            changes.append(StopChange(change="moved", retailer=v.retailer, date_before=v.date, date_after=v.to_date,
                                      manager_before=v.manager, manager_after=v.manager, reason=v.detail))
        else:
            for change in ("handed_over", "received"):
                changes.append(StopChange(change=change, retailer=v.retailer, date_before=v.date,  # type: ignore[arg-type]
                                          date_after=v.to_date, manager_before=v.manager,
                                          manager_after=v.to_manager, reason=v.detail))
    return changes


# -- the diff ----------------------------------------------------------------------------------


def _block_key(b: Block) -> tuple:
    return (b.kind, b.date, b.start, b.end)


def _diff(situation: Situation, groups: Groups, blocks: Sequence[Block],
          stop_changes: Sequence[StopChange]) -> tuple[ManagerDiff, ...]:
    """Per manager: blocks after `now` moved, cancelled, added or changed, and stops."""
    old_by: dict[str, list[Block]] = defaultdict(list)
    new_by: dict[str, list[Block]] = defaultdict(list)
    for b in situation.timetable.blocks:
        if not situation.pinned(b.date, b.start):
            old_by[b.manager].append(b)
    for b in blocks:
        if not situation.pinned(b.date, b.start):
            new_by[b.manager].append(b)
    out = []
    for manager in (m.id for m in situation.department.managers):
        old = sorted(old_by[manager], key=_block_key)
        new = sorted(new_by[manager], key=_block_key)
        changes: list[BlockChange] = []
        remaining_new = list(new)
        gone: list[Block] = []
        for b in old:
            twin = next((n for n in remaining_new if _block_key(n) == _block_key(b)), None)
            if twin is None:
                gone.append(b)
                continue
            remaining_new.remove(twin)
            rule = situation.policy.kinds.get(b.kind)
            # who else sits in a department meeting is no change to tell a manager about
            partners_changed = twin.with_ != b.with_ and not (rule is not None and rule.group == "department")
            if partners_changed or twin.retailer != b.retailer:
                changes.append(BlockChange(change="changed", kind=b.kind, before=b, after=twin,
                                           reason=_why(situation, groups, b, twin)))
        for b in gone:
            twin = min((n for n in remaining_new if n.kind == b.kind),
                       key=lambda n: (abs((n.date - b.date).days), abs(n.start - b.start)), default=None)
            if twin is None:
                changes.append(BlockChange(change="cancelled", kind=b.kind, before=b,
                                           reason=_why(situation, groups, b, None)))
            else:
                remaining_new.remove(twin)
                changes.append(BlockChange(change="moved", kind=b.kind, before=b, after=twin,
                                           reason=_why(situation, groups, b, twin)))
        for n in remaining_new:
            changes.append(BlockChange(change="added", kind=n.kind, after=n, reason=_why(situation, groups, None, n)))
        stops = [c for c in stop_changes if (c.manager_after if c.change in ("added", "received")
                                             else c.manager_before) == manager]
        if changes or stops:
            out.append(ManagerDiff(manager=manager, blocks=tuple(changes), stops=tuple(stops)))
    return tuple(out)


def _why(situation: Situation, groups: Groups, before: Block | None, after: Block | None) -> str:
    """The event behind a block change, in words."""
    block = before or after
    assert block is not None
    absence = situation.absences.get(block.manager)
    if absence is not None and before is not None and absence.covers(before.date, before.start):
        return f"{block.manager} is off sick from {absence.date} {format_clock(absence.minute)}"
    partners = set(before.with_ if before else ()) | set(after.with_ if after else ())
    rule = situation.policy.kinds.get(block.kind)
    for partner in sorted(partners) if rule is not None and rule.group == "pair" else ():
        other = situation.absences.get(partner)
        if other is not None:
            return f"partner {partner} is off sick from {other.date} {format_clock(other.minute)}"
    if block.manager in groups.orphans:
        return "re-paired: his partner is off for the rest of the week"
    joined = sorted(set(after.with_ if after else ()) & set(groups.orphans))
    if joined:
        return f"{', '.join(joined)} joins the group: their partner is off for the rest of the week"
    place = (before.retailer if before else None)
    if place in situation.cancelled_stores:
        return f"promotion store {place} is cancelled"
    if place is not None and before is not None and (place, before.date) in situation.closed:
        return f"{place} is closed on {before.date}"
    return "to make room for the changes"
