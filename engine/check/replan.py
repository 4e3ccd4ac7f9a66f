"""An independent judge of a re-planned week (SPEC §1-2, §6).

A re-plan answers what really happens in a week: at a moment `now` the plan made for
the week (`before`) meets a manager off sick, a retailer closed on a day or a promotion
store cancelled, and the rest of the week is planned again (`after`). `check_replan`
judges `after` from the department, the policy, `before`, `now`, the sicknesses and the
closures alone. Like the timetable checker it shares no code with the planners, so a
mistake in the re-plan cannot hide in its own check.

What a re-planned week must be:

1. **The past is fixed.** Every block of `before` that started before `now` is in
   `after` as it was, and `after` has no other block starting before `now`
   (`replan_past_changed`); but a sick manager's block under way when he falls ill
   ends then (rule 2): `after` has the part he worked, from its start to the start of
   his absence, and nothing of it when he fell ill in the grid slot it started in.
   A lunch is no work to cut: it stays as it was (rule 3d).
2. **Nothing during an absence.** A sickness is leave (SPEC §2). The sick manager is off
   from when he falls ill, before `now` too (work planned inside his sickness was not
   done, though it lies in the past), from the start of the policy's grid slot that
   moment is in, to the end of `until` (the week's end when not given): no block of
   his overlaps his absence (`leave`), not even one under way when he fell ill (it ends
   then, rule 1) or one before `now` (it is gone), save the lunch he was taking (rule 3d). The part of a block he worked
   is judged as the part it is: its length is not the policy's, and a meeting he left
   when he fell ill was his meeting with the others.
3. **Every other rule of the week** holds on `after` with the sicknesses as leave, read
   as `check_timetable` reads a week, except four readings that a mid-week event changes:

   a. *Pairs.* Whether a manager is present enough to be paired is judged for the
      blocks from `now` on; the blocks before `now` were planned while he was present,
      and rule 1 keeps them as they were. From `now` on a group keeps the members who
      are still in, and takes in a new partner only for a manager whom the absences
      left without any partner for the rest of the week; he joins the group for the
      sessions he still owes, and they share each session they do together.
   b. *Weekly quotas.* A manager whose week an event cut into may fall short of a
      weekly quota, by at most the minutes and sessions of that kind `before` had for
      him that the events made impossible: his own blocks from `now` on overlapping his
      absence, and the part after he fell ill of his block under way then (the session
      too when nothing of it is left); pair blocks from `now` on whose partner is absent
      at that time; blocks from `now` on at a retailer closed that day (rule 4); less
      what the re-plan holds again of them (the same session in its slot at another
      store or with another partner, or sessions it made up at other times beyond the
      other ones it moved). The rest of the week may have no room left for them. Such a
      shortfall is returned as a `Shortfall`, in words that give its figures, never hidden; a shortfall beyond that bound, or of a manager
      no event touched, is a violation. A sick manager's quota that his absence prorated
      below what he had already done before `now` is no fault either, as long as nothing
      of that kind is added from `now` on, nor one below what `before` gave him of the
      kind outside his absence, when the re-planned week holds no more than that.
   c. *Daily blocks.* A daily block (a visit, a phone slot, a meeting) missing from a
      day is owed only where it could still start: at `now` or later, once the block
      under way at `now` is over and ridden from (a sick manager's block under way that
      runs into his absence: he is in it until he falls ill, so nothing more that day);
      the time before `now` is the plan's as it was (rule 1).
   d. *Lunch.* A re-plan never takes a lunch away to make room: a lunch of `before` from
      `now` on that its manager is not off sick for has a lunch in its place that day,
      even where a leave leaving the lunch window no room would make lunch optional in a
      week planned afresh; and a sick manager's lunch that starts before he falls ill (or
      before `now`) on the day he does, over or under way when he falls ill, is in
      `after` as it was (under way, it may run into his absence).
4. **Nothing at a closed place.** No block from `now` on is held at a retailer on a day
   it is closed, or at a promotion store from the day it is cancelled (the kind's rule).
   Before that day the store is still usable: a session from `now` on that the plan held
   there is not moved to another store in the same slot with the same partners on a day
   the store is neither cancelled nor closed (the kind's rule; the events do not call for it).
5. **Routes** (given the week's routes before and after the re-plan):

   a. *First stop* (`first_stop`). A day's first visit after the re-plan is reached by
      the manager's first-stop time (`spec.first_stop_deadline`), unless it is the
      plan's first stop as it was, or `now` was already past that time on that day.
   b. *No visit dropped from a day nothing changed* (`replan_visit_cancelled`). A visit
      of the plan the manager had not set out for at `now` (its arrival less its ride,
      else its start, is not before `now`) is in some route after the re-plan, unless
      its day changed: the manager is off sick that day, the retailer is closed that
      day, his blocks of the day are not those of the plan, or his route that day took
      in a visit the plan did not have there.
   c. *Urgent visits made by their deadline* (`replan_urgent_late`). Each urgent visit
      asked (its retailer, its deadline: the day of `now` when not given) has a stop at
      its retailer in the re-plan's routes on a day up to its deadline that is not over
      before `now` (a visit made before the call does not answer it). One made only
      after its deadline that the re-plan declares late (its `late`: the retailer, the
      deadline, the day and manager it is made by, as the routes have it, and a reason)
      is a declared shortfall, as hours short are: nothing in the week is impossible to
      carry out, and the re-plan says what it could not do and why. One in no route that
      the re-plan declares not made (in its `unplaced`, with a reason) is a declared
      shortfall too when the checker finds for itself that no day up to its deadline could
      take it: each worked day from `now` to the deadline has the retailer closed (an
      event's closure), or, on the day of `now`, too little time left before it closes
      for its service, or its manager off (sick, or on the department's leave) for all of
      its hours left that day and no colleague the policy lets take his visits (under its
      hand-over to a neighbour, one whose territory centre lies within
      `replan.neighbour_max_km` of his) at work for its service in them (or no worked day
      is left). One made late undeclared, or in no
      route without that declaration and that cause, is a fault.
   d. *Key customers first* (`replan_key_customer_dropped`, SPEC §4's 20/80 rule, as
      check/visit_value.py judges the week). A visit of the policy's key class that the
      plan had to come after `now` is in no route after it while the manager it was
      planned with (or, when he is off sick that day and the policy hands over to
      neighbours, a manager whose territory centre lies within `replan.neighbour_max_km`
      of his) makes visits of the least class after `now`, and the key visit could have
      taken the place of a run of his visits after `now` of other classes than the key
      one on a day the retailer is open: from the first of the run, reached as planned, a
      ride to the key retailer, its visit in its opening hours, and a ride back to the
      last one's place by the end of its visit (the rest of the day then goes on as
      planned). A visit planned before `now` at a retailer closed that day was not made,
      and is owed as one to come; so is one under way when its manager fell ill that he
      broke off before its service was done (rule 5f).
   e. *Once a day* (`replan_visited_twice`, as the week's routes: check/routes.py). A
      retailer has at most one visit a day: two stops at it on one day that both come
      after `now` (set out for at `now` or later), or two that overlap in time (two
      managers at one shop at once), are a fault. A visit to come beside one made
      before `now` is none: an urgent visit asked after the retailer's visit of the
      morning is the event's other visit.
   f. *A visit is its whole service* (`replan_visit_broken_off`). A stop of the
      re-plan's routes is a visit made only when it lasts its service, the retailer's
      minutes and at least the policy's `route.min_service_min`: a shorter one (a
      visit a sickness broke off, kept as if made) counts a visit as made that was not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from engine.check.spec import (
    Point,
    Quota,
    clipped_minutes,
    first_stop_deadline,
    great_circle_km,
    presence,
    ride,
    territory_centres,
    working_dates,
)
from engine.check.timetable import (
    NOT_SCHEDULED,
    Shortfall,
    Violation,
    _Block,
    _Checker,
    _count,
    _day,
    _names,
    _overlaps,
    _parse,
    _percent,
    _span,
)
from engine.domain import Block, Department, Leave, Retailer, Timetable
from engine.errors import InputError, Problem
from engine.policy import KindRule, Policy, format_clock, parse_clock
from engine.rules import KIND_RULE

PAST_CHANGED = "replan_past_changed"
FIRST_STOP = "first_stop"
VISIT_CANCELLED = "replan_visit_cancelled"
URGENT_LATE = "replan_urgent_late"
KEY_DROPPED = "replan_key_customer_dropped"
VISITED_TWICE = "replan_visited_twice"
BROKEN_OFF = "replan_visit_broken_off"


@dataclass(frozen=True)
class Sickness:
    """A manager off sick from `start` (a date and time) to the end of `until` (a date;
    the end of the week when None)."""

    manager: str
    start: dt.datetime
    until: dt.date | None = None


@dataclass(frozen=True)
class Closure:
    """A retailer the events take out of use: closed all day on `date`, or (`onwards`:
    a promotion store cancelled) from `date` to the end of the week."""

    retailer: str
    date: dt.date
    onwards: bool = False

    def covers(self, retailer: str | None, date: dt.date) -> bool:
        """True when the retailer cannot be used on `date`."""
        return retailer == self.retailer and (date == self.date or (self.onwards and date >= self.date))

    @property
    def words(self) -> str:
        """"R01012 closed on Thu 2026-11-26", or "promotion store R01003 cancelled from …"."""
        if self.onwards:
            return f"promotion store {self.retailer} cancelled from {_day(self.date)}"
        return f"{self.retailer} closed on {_day(self.date)}"


@dataclass(frozen=True)
class Urgent:
    """A retailer that must be visited by the end of `by` (rule 5c), by `manager` when
    the event names one (else by the retailer's own, or a neighbour of his)."""

    retailer: str
    by: dt.date
    manager: str | None = None


@dataclass(frozen=True)
class DeclaredLate:
    """An urgent visit the re-plan declares it makes after its deadline (its `late`):
    the retailer, the deadline, the day and manager it is made by, and why."""

    retailer: str
    due_by: dt.date
    date: dt.date
    manager: str
    reason: str


@dataclass(frozen=True)
class UrgentMadeLate:
    """An urgent visit made after its deadline as the re-plan declares (rule 5c): a
    declared shortfall, information like the hours short, not a fault."""

    retailer: str
    manager: str
    due_by: dt.date
    date: dt.date
    message: str

    def as_dict(self) -> dict:
        return {"retailer": self.retailer, "manager": self.manager, "due_by": self.due_by.isoformat(),
                "date": self.date.isoformat(), "message": self.message}


@dataclass(frozen=True)
class DeclaredNotMade:
    """An urgent visit the re-plan declares it does not make (in its `unplaced`): the
    retailer, the manager it was asked of, and why."""

    retailer: str
    manager: str
    reason: str


@dataclass(frozen=True)
class UrgentNotMade:
    """An urgent visit no day up to its deadline could take, declared not made by the
    re-plan (rule 5c): a declared shortfall, not a fault."""

    retailer: str
    manager: str
    due_by: dt.date
    message: str

    def as_dict(self) -> dict:
        return {"retailer": self.retailer, "manager": self.manager, "due_by": self.due_by.isoformat(),
                "message": self.message}


@dataclass(frozen=True)
class UrgentReach:
    """What the checker reads to find for itself that no day up to an urgent visit's
    deadline could take it (rule 5c): the week's worked days, the retailers (their
    hours, their service, their manager), the events' closures, who is away when (leave
    and sickness) and who may make an absent manager's visits."""

    days: Collection[dt.date]
    retailers: Mapping[str, Retailer]
    closures: Sequence[Closure] = ()
    away: Mapping[tuple[str, dt.date], Sequence[tuple[int, int]]] = dataclasses.field(default_factory=dict)
    """Each manager-day's leave and sickness, as spans of minutes (a whole day: the working day)."""
    takers: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)
    """Manager -> the colleagues who may make his visits on a day he is away: under the
    policy's hand-over to a neighbour, those whose territory centre lies within
    `replan.neighbour_max_km` of his, nearest first (none without it)."""
    working_day: tuple[int, int] = (0, 24 * 60)
    """The policy's working day (start, end) in minutes."""
    nearest: Mapping[str, tuple[str, float]] = dataclasses.field(default_factory=dict)
    """Manager -> his nearest colleague and how far their territory centres lie apart (km)."""
    max_km: float | None = None
    """The policy's `replan.neighbour_max_km` when it hands over to neighbours, else None."""

    @classmethod
    def of(cls, department: Department, policy: Policy, week_start: dt.date,
           closures: Sequence[Closure], sicknesses: Sequence[Sickness] = ()) -> UrgentReach:
        """The reach of the week from the department (its leave), the policy (its working
        day, its hand-over) and the events (closures, `sicknesses` as the leave they are)."""
        day = (policy.day.start, policy.day.end)
        away: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
        for entry in (*department.leave, *_sick_leave_of_week(policy, week_start, sicknesses, department)):
            span = day if entry.start is None or entry.end is None else (entry.start, entry.end)
            away[(entry.manager, entry.date)].append(span)
        centres = territory_centres(department)
        km = {m: {o: great_circle_km(*centres[m], *c) for o, c in centres.items() if o != m} for m in centres}
        rules = policy.replan
        max_km = rules.neighbour_max_km if rules is not None and "neighbour" in rules.handover else None
        takers = {m: sorted((o for o, d in near.items() if max_km is not None and d <= max_km), key=near.__getitem__)
                  for m, near in km.items()}
        nearest = {m: min(((o, d) for o, d in near.items()), key=lambda od: od[1]) for m, near in km.items() if near}
        return cls(set(working_dates(policy, week_start, department)), {r.id: r for r in department.retailers},
                   tuple(closures), dict(away), takers, day, max_km=max_km, nearest=nearest)

    def no_day_for(self, asked: Urgent, now: dt.datetime) -> str | None:
        """Why no day from `now` to the deadline can take the visit, or None when one
        could: on each, the retailer is closed, or too little time is left before it
        closes today, or the manager the event names and the retailer's own are away and
        no colleague who may take his visits (`takers`) is there with time for it in its
        hours."""
        retailer = self.retailers.get(asked.retailer)
        if retailer is None:
            return None
        causes: list[str] = []
        clock = now.hour * 60 + now.minute
        for date in sorted(d for d in self.days if now.date() <= d <= asked.by):
            closure = next((c for c in self.closures if c.covers(asked.retailer, date)), None)
            if closure is not None:
                causes.append(closure.words)
            elif date == now.date() and clock + retailer.service_min > retailer.closes:
                causes.append(f"on {_day(date)} at {format_clock(clock)} {asked.retailer}, closing at "
                              f"{format_clock(retailer.closes)}, has no time left for its "
                              f"{retailer.service_min} min visit")
            elif (short := self._no_time(retailer, date, clock if date == now.date() else None)) is not None:
                causes.append(short)
            elif (nobody := self._nobody_there(asked, retailer, date, clock if date == now.date() else None)) \
                    is not None:
                causes.append(nobody)
            else:
                return None
        return "; ".join(causes) or f"no worked day is left up to {_day(asked.by)}"

    def _no_time(self, retailer: Retailer, date: dt.date, clock: int | None) -> str | None:
        """Why nobody, away or not, has the retailer's service in its hours within the
        working day on `date` (from `clock` on, the time of `now` on its day); None when
        the day leaves room for it."""
        begin = max(self.working_day[0], retailer.opens, clock or 0)
        end = min(self.working_day[1], retailer.closes)
        if end - begin >= retailer.service_min:
            return None
        hours = (f"{retailer.id}'s hours {format_clock(retailer.opens)}-{format_clock(retailer.closes)} "
                 f"within the working day {format_clock(self.working_day[0])}-{format_clock(self.working_day[1])}")
        if clock is not None and clock > max(self.working_day[0], retailer.opens):
            return f"on {_day(date)} at {format_clock(clock)} no time is left in {hours} for its " \
                   f"{retailer.service_min} min visit"
        return f"on {_day(date)} {hours} leave no room for its {retailer.service_min} min visit"

    def _there(self, manager: str, retailer: Retailer, date: dt.date, clock: int | None) -> bool:
        """Whether his leave and sickness leave him the retailer's service in its hours on
        `date` (from `clock` on, the time of `now` on its day)."""
        begin = max(self.working_day[0], retailer.opens, clock or 0)
        end = min(self.working_day[1], retailer.closes)
        for start, stop in sorted(self.away.get((manager, date), ())):
            if min(start, end) - begin >= retailer.service_min:
                return True
            begin = max(begin, stop)
        return end - begin >= retailer.service_min

    def _nobody_there(self, asked: Urgent, retailer: Retailer, date: dt.date, clock: int | None) -> str | None:
        """Why nobody who may make the urgent visit can on `date`: the manager the event
        names and the retailer's own away, and no colleague who may take his visits
        there; None when one can."""
        owner = retailer.manager
        if any(self._there(m, retailer, date, clock) for m in {asked.manager or owner, owner}):
            return None
        takers = self.takers.get(owner, ())
        if any(self._there(t, retailer, date, clock) for t in takers):
            return None
        named = "" if asked.manager in (None, owner) else f"{asked.manager}, whom the event names, and "
        why = f"on {_day(date)} {named}{owner}, whose retailer it is, {'are' if named else 'is'} off " \
              "(sick or on leave)"
        if self.max_km is None:
            return f"{why} and the policy's replan.handover names no neighbour to take it"
        if takers:
            return (f"{why}, and his neighbours within {self.max_km:g} km (replan.neighbour_max_km), "
                    f"{', '.join(takers)}, are off too or have no time in its hours")
        near = self.nearest.get(owner)
        return f"{why} and no colleague's territory centre lies within {self.max_km:g} km of his " \
               f"(replan.neighbour_max_km)" + (f": the nearest, {near[0]}, is {near[1]:.1f} km away" if near else "")


@dataclass(frozen=True)
class ReplanVerdict:
    """The judgement of a re-planned week: the rules it breaks, and the hours the
    absences cost it and the urgent visits they made late, as the re-plan declares them
    (information, not faults)."""

    violations: list[Violation]
    shortfalls: list[Shortfall]
    late: list[UrgentMadeLate] = dataclasses.field(default_factory=list)
    not_made: list[UrgentNotMade] = dataclasses.field(default_factory=list)

    @property
    def executable(self) -> bool:
        """True when the re-planned week breaks no rule."""
        return not self.violations

    def as_dict(self) -> dict:
        """The verdict as JSON-ready data."""
        return {
            "executable": self.executable,
            "violations": [v.as_dict() for v in self.violations],
            "shortfalls": [s.as_dict() for s in self.shortfalls],
            "late": [late.as_dict() for late in self.late],
            "not_made": [n.as_dict() for n in self.not_made],
        }


def check_replan(
    department: Department,
    policy: Policy,
    before: dict | Timetable,
    after: dict | Timetable,
    now: dt.datetime,
    sicknesses: Sequence[Sickness],
    closures: Sequence[Closure] = (),
    routes_before: Mapping | None = None,
    routes_after: Sequence[Mapping] | None = None,
    urgent: Sequence[Urgent] = (),
    declared_late: Sequence[DeclaredLate] = (),
    declared_not_made: Sequence[DeclaredNotMade] = (),
) -> ReplanVerdict:
    """Judge the re-planned week `after` of `before` at `now` (see the module text);
    with `routes_before` (the week's route plan: `{"routes": [...]}`) and `routes_after`
    (the re-plan's routes) their rule 5 too, `urgent` the urgent visits asked,
    `declared_late` those the re-plan declares made after their deadline and
    `declared_not_made` those it declares not made.

    `department` is the department as the week was planned, without the sicknesses; they
    are read as leave here. A re-plan that found no week (infeasible or unknown, no
    blocks) is not judged. A sickness of a manager, or a closure of a retailer, the
    department does not have raises `InputError`."""
    old, new = _parse(before), _parse(after)
    if new.status in NOT_SCHEDULED and not new.blocks:
        return ReplanVerdict([], [])
    now = now.replace(tzinfo=None)
    known = {m.id for m in department.managers}
    problems = [
        Problem(f"no manager '{s.manager}' in the department", file="absences", row=n, column="manager")
        for n, s in enumerate(sicknesses)
        if s.manager not in known
    ]
    retailers = {r.id for r in department.retailers}
    problems += [
        Problem(f"no retailer '{c.retailer}' in the department", file="closures", row=n, column="retailer")
        for n, c in enumerate(closures)
        if c.retailer not in retailers
    ]
    if problems:
        raise InputError(problems)
    leave = sick_leave(policy, old, now, sicknesses, department)
    sick_department = department.model_copy(update={"leave": (*department.leave, *leave)})
    # A manager sick twice fell ill at the first (the re-plan holds overlapping ones as one).
    fell_ill: dict[str, dt.datetime] = {}
    for s in sorted(sicknesses, key=lambda s: s.start.replace(tzinfo=None), reverse=True):
        fell_ill[s.manager] = s.start.replace(tzinfo=None)
    checker = _ReplanChecker(sick_department, policy, new, old, now, leave, closures, fell_ill)
    violations = checker.run()
    if routes_before is not None and routes_after is not None:
        violations += check_replan_routes(department, policy, old, new, now, sicknesses, closures,
                                          routes_before, routes_after)
    late: list[UrgentMadeLate] = []
    not_made: list[UrgentNotMade] = []
    if routes_after is not None:
        faults, late, not_made = judge_urgent(now, urgent, routes_after, declared_late, declared_not_made,
                                              UrgentReach.of(department, policy, new.week_start, closures,
                                                             sicknesses))
        violations += faults
    # What the absences cost, then what else the week declares short that the timetable
    # checker accepts as declared (a daily block part-day leave leaves out, a weekly kind
    # short by no more than it declares): one list, as the timetable's `shortfalls`.
    found = {(s.manager, s.kind, s.unit) for s in checker.shortfalls}
    shortfalls = [*checker.shortfalls, *(d for d in checker.deviations if (d.manager, d.kind, d.unit) not in found)]
    return ReplanVerdict(violations, sorted(shortfalls, key=lambda s: (s.manager, s.kind, s.unit)), late, not_made)


@dataclass
class _Loss:
    """What the events took of one manager's weekly kind (rule 3b), as the bound on how
    short the re-planned week may be and as the words that say so: the figures of the
    words are the figures of the bound."""

    whole: list[Block] = dataclasses.field(default_factory=list)
    """Sessions the events took whole and the re-plan does not hold again."""
    cut_minutes: int = 0
    """The part after he fell ill of his sessions under way then."""
    who: set[str] = dataclasses.field(default_factory=set)
    held_again: list[Block] = dataclasses.field(default_factory=list)
    """Sessions the events took that the re-plan holds again (another store, partner or time)."""
    held_who: set[str] = dataclasses.field(default_factory=set)
    made_up_sessions: int = 0
    made_up_minutes: int = 0
    """Of `whole` and `cut_minutes`, what the re-plan made up at other times."""
    declared_minutes: int = 0
    declared_sessions: int = 0
    declared_who: set[str] = dataclasses.field(default_factory=set)
    """What the re-planned week this re-plan starts from declared short, and for what."""

    @property
    def minutes(self) -> int:
        return sum(b.end - b.start for b in self.whole) + self.cut_minutes - self.made_up_minutes \
            + self.declared_minutes

    @property
    def sessions(self) -> int:
        return len(self.whole) - self.made_up_sessions + self.declared_sessions

    def words(self) -> str:
        """"m02 off sick from Wed 2026-11-25 09:30 took 2 planned sessions (Wed 14:00–15:30,
        Thu 12:40–14:10), 180 min in all", with what the re-plan holds again or made up and
        what the week it starts from was already short of."""
        parts = []
        if self.whole or self.cut_minutes:
            took = []
            if self.whole:
                when = ", ".join(f"{b.date:%a} {_span(b.start, b.end)}" for b in self.whole)
                took.append(f"{_count(len(self.whole), 'planned session')} ({when})")
            if self.cut_minutes:
                took.append(f"the last {self.cut_minutes} min of one he was in when he fell ill")
            total = sum(b.end - b.start for b in self.whole) + self.cut_minutes
            in_all = " in all" if len(self.whole) + bool(self.cut_minutes) > 1 else ""
            parts.append(f"{' and '.join(sorted(self.who))} took {' and '.join(took)}, {total} min{in_all}")
            if self.made_up_sessions or self.made_up_minutes:
                made = _amount(self.made_up_sessions, self.made_up_minutes)
                lost = _amount(len(self.whole) - self.made_up_sessions, total - self.made_up_minutes)
                parts.append(f"the re-plan made up {made} of that at other times, so the events cost it "
                             f"{lost or 'nothing'}")
        if self.held_again:
            when = ", ".join(f"{b.date:%a} {_span(b.start, b.end)}" for b in self.held_again)
            parts.append(f"{' and '.join(sorted(self.held_who))} also took "
                         f"{_count(len(self.held_again), 'planned session')} ({when}), which the re-plan holds "
                         "in its slot at another store or with another partner: not lost")
        if self.declared_minutes or self.declared_sessions:
            short = _amount(self.declared_sessions, self.declared_minutes)
            parts.append(f"the re-planned week this re-plan starts from was already {short} short "
                         f"of it for {' and '.join(sorted(self.declared_who))}, as it declared")
        return "; ".join(parts) if parts else "nothing the events took"


def _amount(sessions: int, minutes: int) -> str:
    """"1 session and 110 min", "10 min", "" for nothing."""
    return " and ".join([*([_count(sessions, "session")] if sessions else []),
                         *([f"{minutes} min"] if minutes else [])])


def sick_leave(
    policy: Policy, before: dict | Timetable, now: dt.datetime, sicknesses: Iterable[Sickness],
    department: Department | None = None,
) -> tuple[Leave, ...]:
    """Each sickness as leave rows (rule 2 of the module text): part of the day he falls
    ill (before `now` too), from the start of the grid slot he falls ill in, and whole days after, to the
    end of `until`; over the department's working days when given (a make-up working
    day is one, a holiday is not), else the policy's working weekdays."""
    return _sick_leave_of_week(policy, _parse(before).week_start, sicknesses, department)


def _sick_leave_of_week(policy: Policy, week_start: dt.date, sicknesses: Iterable[Sickness],
                        department: Department | None = None) -> tuple[Leave, ...]:
    """`sick_leave` for the week starting on `week_start`."""
    dates = sorted(working_dates(policy, week_start, department))
    grid, day = policy.grid_minutes, policy.day
    leave: list[Leave] = []
    for sickness in sicknesses:
        start = sickness.start.replace(tzinfo=None)
        first, minute = start.date(), start.hour * 60 + start.minute
        until = sickness.until or dates[-1]
        for date in dates:
            if not first <= date <= until:
                continue
            if date == first and minute > day.start:
                begin = math.floor(minute / grid) * grid
                if begin < day.end:
                    leave.append(Leave(manager=sickness.manager, date=date, start=begin, end=day.end))
            else:
                leave.append(Leave(manager=sickness.manager, date=date))
    return tuple(leave)


def _started_before(block: Block | _Block, now: dt.datetime) -> bool:
    return (block.date, block.start) < (now.date(), now.hour * 60 + now.minute)


def _key(block: Block) -> tuple:
    return (block.manager, block.date, block.start, block.end, block.kind, tuple(sorted(block.with_)),
            block.retailer or "")


class _ReplanChecker(_Checker):
    """The timetable checker with the readings of a re-planned week (module text)."""

    def __init__(
        self,
        department: Department,
        policy: Policy,
        timetable: Timetable,
        before: Timetable,
        now: dt.datetime,
        sick: Sequence[Leave],
        closures: Sequence[Closure] = (),
        fell_ill: dict[str, dt.datetime] | None = None,
    ):
        super().__init__(department, policy, timetable)
        self.before = before
        # The presence each manager had when the week was planned: the sickness's leave left out.
        without_sickness = department.model_copy(update={"leave": tuple(
            entry for entry in department.leave if entry not in set(sick))})
        self.presence_as_planned = presence(without_sickness, policy, timetable.week_start)
        self.now = now
        # When each sick manager fell ill, as the event says (the leave rows start a
        # whole day at midnight, which is no time to tell anyone).
        self.fell_ill = dict(fell_ill or {})
        self.closures = list(closures)
        self.moment = f"{_day(now.date())} {format_clock(now.hour * 60 + now.minute)}"
        self.sick: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
        for entry in sick:
            span = (entry.start, entry.end) if entry.start is not None and entry.end is not None \
                else (0, 24 * 60)
            self.sick[(entry.manager, entry.date)].append(span)
        self.shortfalls: list[Shortfall] = []
        self.paired_kinds = [k for k, r in policy.kinds.items() if r.group == "pair"]
        # Rule 1: what `after` keeps of the blocks that started before `now`, and the
        # pieces of the blocks a sickness cut (piece -> the block it is the worked part of).
        self.past: list[Block] = []
        self.cut: dict[tuple, Block] = {}
        # Past sessions whose partner fell ill before them: (manager, date, kind, start) ->
        # the partners who were not there.
        self.absent_partners: dict[tuple[str, dt.date, str, int], frozenset[str]] = {}
        kept_of = [(block, self._as_kept(block)) for block in before.blocks if _started_before(block, now)]
        held = {(b.manager, b.date, b.kind, b.start) for _, b in kept_of if b is not None}
        for block, kept in kept_of:
            if kept is None:
                continue
            cut = kept != block
            alone = self._without_the_absent(kept, held)
            if alone != kept:
                self.absent_partners[(kept.manager, kept.date, kept.kind, kept.start)] = \
                    frozenset(kept.with_) - frozenset(alone.with_)
            kept = alone
            # A partner who fell ill at `now` leaves a part alone that starts at `now`: no past.
            self.past += [b for b in self._split_where_a_partner_fell_ill(kept, held) if _started_before(b, now)]
            if cut:
                self.cut[_key(kept)] = block
        # A re-plan of a re-planned week: `before` already holds the part a manager worked
        # of a block under way when he fell ill (the earlier re-plan cut it), which ends
        # where his absence begins. It is judged as the piece it is, as in that re-plan.
        self.cut_earlier: dict[tuple, Block] = {
            _key(b): self._whole_of_earlier_piece(b) for b in self.past
            if _key(b) not in self.cut and b.kind != "lunch" and self._ill_at(b.manager, b.date) == b.end}
        self.kept_lunches = {_key(b) for b in self._lunches_kept()}

    def run(self) -> list[Violation]:
        self._check_past()
        self._check_partners_held()
        self._check_closures()
        self._check_stores_kept_until_cancelled()
        return super().run()

    # -- rule 1: the past is fixed -------------------------------------------------------

    def _check_ride_to_leave(self, manager: str, date: dt.date, work: list[_Block], lunches: list[_Block],
                             off: int) -> None:
        """A sickness is no leave he rides to: he falls ill where he is (rule 2)."""
        if not any(start == off for start, _ in self.sick.get((manager, date), [])):
            super()._check_ride_to_leave(manager, date, work, lunches, off)

    def _ill_at(self, manager: str, date: dt.date) -> int | None:
        """The minute the manager's absence starts on `date` (None: he is not off that day)."""
        spans = self.sick.get((manager, date))
        return min(s for s, _ in spans) if spans else None

    def _as_kept(self, block: Block) -> Block | None:
        """What rule 1 keeps of a block of `before` that started before `now`: the block;
        but a sick manager's block that runs into his absence ends when he falls ill (None
        when nothing of it is before then); a lunch he began before he fell ill stays as it
        was (rule 3d), one planned after that he never took."""
        if not self._sick_during(block.manager, block.date, block.start, block.end):
            return block
        if block.kind == "lunch":
            return block if self._lunch_before_ill(block) else None
        ill = self._ill_at(block.manager, block.date)
        assert ill is not None
        return block.model_copy(update={"end": ill}) if ill > block.start else None

    def _without_the_absent(self, block: Block, held: Collection[tuple[str, dt.date, str, int]]) -> Block:
        """A past block names no sick manager who has no block of its kind at its time
        among `held` (he fell ill before it began): the others' session was theirs alone."""
        gone = {m for m in block.with_ if self._sick_during(m, block.date, block.start, block.end)
                and (m, block.date, block.kind, block.start) not in held}
        return block.model_copy(update={"with_": tuple(m for m in block.with_ if m not in gone)}) if gone else block

    def _split_where_a_partner_fell_ill(self, block: Block,
                                        held: Collection[tuple[str, dt.date, str, int]]) -> list[Block]:
        """A past paired session a partner fell ill in by `now`, the part he worked held
        (`held`): the one who went on holds it in two parts, the first naming him, the
        second not (engine.replan.situation.split_where_a_partner_fell_ill); else the
        block as it is."""
        if block.kind not in self.paired_kinds:
            return [block]
        cuts: dict[int, set[str]] = defaultdict(set)
        for m in block.with_:
            ill = self._ill_at(m, block.date)
            if ill is not None and block.start < ill < block.end and (m, block.date, block.kind, block.start) in held \
                    and (block.date, ill) <= (self.now.date(), self.now.hour * 60 + self.now.minute):
                cuts[ill].add(m)
        pieces, start, with_ = [], block.start, block.with_
        for end in sorted(cuts):
            pieces.append(block.model_copy(update={"start": start, "end": end, "with_": with_}))
            start, with_ = end, tuple(m for m in with_ if m not in cuts[end])
        return [*pieces, block.model_copy(update={"start": start, "with_": with_})] if pieces else [block]

    def _check_week_and_references(self) -> None:
        """The blocks as the rules read them: a session split where a partner fell ill
        (`_split_where_a_partner_fell_ill`) is the one session it is."""
        super()._check_week_and_references()
        blocks = list(self.blocks)
        at = {(b.manager, b.date, b.kind, b.retailer, b.start): i for i, b in enumerate(blocks)}
        gone: set[int] = set()
        for i, b in sorted(enumerate(blocks), key=lambda ib: (ib[1].manager, ib[1].date, -ib[1].start)):
            after = at.get((b.manager, b.date, b.kind, b.retailer, b.end))
            if after is None or after in gone or b.kind not in self.paired_kinds:
                continue
            rest = blocks[after]
            if rest.partners < b.partners and all(self._ill_at(m, b.date) == b.end for m in b.partners - rest.partners):
                blocks[i] = dataclasses.replace(b, end=rest.end)
                gone.add(after)
        self.blocks = [b for i, b in enumerate(blocks) if i not in gone]

    def _check_partners_held(self) -> None:
        """A block started before `now` names only partners who have a block of its kind
        at its time (department kinds: `meetings_together` and the like say so)."""
        held = {(b.manager, b.date, b.kind, b.start) for b in self.timetable.blocks}
        for block in self.timetable.blocks:
            rule = self.policy.kinds.get(block.kind)
            if not _started_before(block, self.now) or (rule is not None and rule.group == "department"):
                continue
            for partner in sorted(set(block.with_) - {block.manager}):
                if (partner, block.date, block.kind, block.start) not in held:
                    self._report(
                        "pairing",
                        f"{block.manager}'s {self._label(block.kind)} on {_day(block.date)} "
                        f"{_span(block.start, block.end)} names {partner} as partner, but {partner} has "
                        "no such block then" + (f" (off sick from {self._sick_since(partner)})"
                                                 if any(m == partner for m, _ in self.sick) else ""),
                        block.manager,
                        block.date,
                        _span(block.start, block.end),
                    )

    def _check_retailers(self) -> None:
        """A past session a partner fell ill before was held at the group's store, which
        may be his: its store is read with him among its owners. In a re-plan of a
        re-planned week `before` already names him no more (the earlier re-plan took him
        off): a member of the week's group off sick through a past paired session with no
        session of its kind at its time is read so too, as the earlier re-plan read it."""
        blocks = self.blocks
        absent = dict(self.absent_partners)
        old = self._old_groups()
        held = {(b.manager, b.date, b.kind, b.start) for b in self.timetable.blocks}
        for b in blocks:
            key = (b.manager, b.date, b.kind, b.start)
            if key in absent or b.kind not in self.paired_kinds or not _started_before(b, self.now):
                continue
            ill = frozenset(m for m in old.get(b.manager, frozenset()) - b.partners - {b.manager}
                            if self._sick_during(m, b.date, b.start, b.end)
                            and (m, b.date, b.kind, b.start) not in held)
            if ill:
                absent[key] = ill
        self.blocks = [dataclasses.replace(b, partners=b.partners | absent[key])
                       if (key := (b.manager, b.date, b.kind, b.start)) in absent else b for b in blocks]
        try:
            super()._check_retailers()
        finally:
            self.blocks = blocks

    def _whole_of_earlier_piece(self, piece: Block) -> Block:
        """The block an earlier cut `piece` stands for: a department slot as the others
        attended it (the longest of theirs at its time), else the piece itself (its
        planned end is not in `before` any more)."""
        rule = self.policy.kinds.get(piece.kind)
        if rule is None or rule.group != "department":
            return piece
        same = [b for b in self.before.blocks if (b.date, b.kind, b.start) == (piece.date, piece.kind, piece.start)]
        return max(same, key=lambda b: b.end).model_copy(update={"manager": piece.manager})

    def _cut_from(self, block: _Block) -> _Block | None:
        key = (block.manager, block.date, block.start, block.end, block.kind, tuple(sorted(block.partners)),
               block.retailer or "")
        old = self.cut.get(key) or self.cut_earlier.get(key)
        if old is None:
            return None
        return _Block(old.manager, old.date, old.kind, old.start, old.end, block.partners, old.retailer)

    def _planned_presence(self, block: _Block) -> Fraction | None:
        """A block of `before` kept as it was that started before `now` (rule 1 pins it),
        or ends by the moment its manager fell ill, was planned for his week without the
        sickness: its session length is asked at his presence then, not at the one the
        sickness prorates the quota to (a shorter week asks shorter sessions). A block the
        re-plan added or moved is new, and is asked the week's own (None)."""
        if not _started_before(block, self.now):
            ill = self.fell_ill.get(block.manager)
            if ill is None or (block.date, block.end) > (ill.date(), ill.hour * 60 + ill.minute):
                return None
        planned = (block.manager, block.date, block.kind, block.start, block.end, block.retailer)
        if not any((b.manager, b.date, b.kind, b.start, b.end, b.retailer) == planned for b in self.before.blocks):
            return None
        return self.presence_as_planned.get(block.manager)

    def _check_past(self) -> None:
        old = Counter(_key(b) for b in self.past)
        new = Counter(_key(b) for b in self.timetable.blocks if _started_before(b, self.now))
        whole = {_key(b): piece for piece, b in self.cut.items()}
        for missing, keys in ((True, old - new), (False, new - old)):
            for key in sorted(keys.elements()):
                manager, date, start, end, kind, partners, retailer = key
                where = f" at {retailer}" if retailer else ""
                together = f" with {_names(partners)}" if partners else ""
                what = f"{manager}'s {self._label(kind)} on {_day(date)}"
                if missing and key in self.cut:
                    cut = self.cut[key]
                    why = (f"{what} {_span(cut.start, cut.end)}{together}{where} was under way when he fell "
                           f"ill ({self._sick_since(manager)}): the part he worked, {_span(start, end)}, stays "
                           "in the week, but the re-planned week does not have it")
                elif not missing and key in whole:
                    piece = whole[key][3]
                    why = (f"{what} {_span(start, end)}{together}{where} was under way when he fell ill "
                           f"({self._sick_since(manager)}): it ends then, at {format_clock(piece)}, but the "
                           "re-planned week has all of it")
                elif not missing and self._sick_during(manager, date, start, end) and kind != "lunch":
                    why = (f"{what} {_span(start, end)}{together}{where} lies inside his sickness (off sick "
                           f"from {self._sick_since(manager)}): he did not work it, though it is before the "
                           f"re-plan's moment ({self.moment}), but the re-planned week keeps it as done")
                elif missing:
                    why = (f"{what} {_span(start, end)}{together}{where} started before the re-plan's "
                           f"moment ({self.moment}) and is not in the re-planned week as it was")
                else:
                    why = (f"{what} {_span(start, end)}{together}{where} starts before the re-plan's "
                           f"moment ({self.moment}), but the plan of the week did not have it")
                self._report(PAST_CHANGED, why, manager, date, _span(start, end))

    # -- department kinds: owed only while someone can still come ----------------------------

    def _check_occasion(
        self,
        kind: str,
        rule: KindRule,
        blocks: list[_Block],
        sessions: tuple[int, int],
        lengths: tuple[int, int],
        total: int,
        date: dt.date | None,
        owed: bool,
    ) -> None:
        """A department slot the week does not hold is owed only when someone could still
        attend one from `now` on: what lies before `now` is done, and a slot nobody can
        come to (the whole department off sick) is no slot to hold."""
        if owed and not blocks:
            owed = self._someone_could_still_come(kind, lengths[0], date)
        super()._check_occasion(kind, rule, blocks, sessions, lengths, total, date, owed)

    def _someone_could_still_come(self, kind: str, minutes: int, date: dt.date | None) -> bool:
        """A slot of `minutes` of the kind (on `date`, or any day of the week) could still be
        held from `now` on: at some start everyone not on leave then is free (today after
        what he started before `now`), and someone is."""
        grid, day_start = self.policy.grid_minutes, self.policy.day.start
        for day in [date] if date is not None else sorted(self.working_dates):
            if day < self.now.date():
                continue
            earliest, latest_start, latest_end = self._kind_window(kind, day)
            last = min(latest_end, self.policy.day.end) - minutes
            if latest_start is not None:
                last = min(last, latest_start)
            first = -(-max(earliest, day_start) // grid) * grid
            for start in range(first, last + 1, grid):
                present = [m for m in self.managers if not self._on_leave_during(m, day, start, start + minutes)]
                if present and all(self._free_from(m, day) <= start for m in present):
                    return True
        return False

    def _free_from(self, manager: str, date: dt.date) -> int:
        """The first grid minute on `date` the manager is free to start something new: on
        the day of `now`, after `now` and after the blocks he started before it."""
        if date != self.now.date():
            return 0
        grid = self.policy.grid_minutes
        under_way = [b.end for b in self.timetable.blocks
                     if b.manager == manager and b.date == date and _started_before(b, self.now)]
        return -(-max([self.now.hour * 60 + self.now.minute, *under_way]) // grid) * grid

    # -- rule 3d: lunch ---------------------------------------------------------------------

    def _lunches_kept(self) -> list[Block]:
        """The lunches of `before` that stay as they were: a sick manager's on the day he
        falls ill that start before he does (one planned after it, before `now` too, he
        never took)."""
        return [b for b in self.before.blocks if b.kind == "lunch" and self._lunch_before_ill(b)]

    def _lunch_before_ill(self, block: Block) -> bool:
        """A lunch on the day its manager falls ill that starts before he does."""
        ill = self._ill_at(block.manager, block.date)
        if ill is None or any(m == block.manager and d < block.date for m, d in self.sick):
            return False  # not off that day, or off since an earlier day
        fell_ill = self.fell_ill.get(block.manager)
        return block.start < ill or (fell_ill is not None and (block.date, block.start)
                                     < (fell_ill.date(), fell_ill.hour * 60 + fell_ill.minute))

    def _leave_excused(self, block: _Block) -> bool:
        return block.kind == "lunch" and (block.manager, block.date, block.start, block.end, block.kind,
                                          tuple(sorted(block.partners)), block.retailer or "") in self.kept_lunches

    def _lunch_optional(self, manager: str, date: dt.date) -> bool:
        """As a week reads it, except on a day whose lunch stays as it was (rule 3d): a
        missing one is reported by that rule, in its words, not twice."""
        return super()._lunch_optional(manager, date) or any(
            b.manager == manager and b.date == date for b in self._lunches_kept())

    def _check_lunch(self) -> None:
        super()._check_lunch()
        lunch = self.policy.lunch
        if lunch.during_visit:
            return
        planned = Counter(_key(b) for b in self.timetable.blocks)
        for block in self._lunches_kept():
            if not _started_before(block, self.now) and not planned[_key(block)]:
                self._report(
                    "lunch",
                    f"{block.manager}'s lunch on {_day(block.date)} {_span(block.start, block.end)} starts "
                    f"before he falls ill ({self._sick_since(block.manager)}) and stays as it was, but the "
                    "re-planned week does not have it",
                    block.manager,
                    block.date,
                    _span(block.start, block.end),
                )
        has_lunch = {(b.manager, b.date) for b in self.blocks if b.kind == "lunch"}
        for block in self.before.blocks:
            if block.kind != "lunch" or not self._from_now(block) or _key(block) in self.kept_lunches \
                    or self._sick_during(block.manager, block.date, block.start, block.end) \
                    or (block.manager, block.date) in has_lunch:
                continue
            # Where the lunch is owed, the week's reading has reported it already.
            if super()._lunch_optional(block.manager, block.date):
                self._report(
                    "lunch",
                    f"{block.manager} has no lunch on {_day(block.date)}; the plan of the week gave "
                    f"him one ({_span(block.start, block.end)}), and a re-plan never takes a lunch "
                    "away to make room",
                    block.manager,
                    block.date,
                )

    # -- rule 4: nothing at a closed place ----------------------------------------------

    def _check_closures(self) -> None:
        for block in self.timetable.blocks:
            if block.retailer is None or _started_before(block, self.now):
                continue
            closure = next((c for c in self.closures if c.covers(block.retailer, block.date)), None)
            if closure is None:
                continue
            retailer = self.retailers.get(block.retailer)
            name = f" ({retailer.name})" if retailer is not None else ""
            self._report(
                KIND_RULE.get(block.kind, "unknown_reference"),
                f"{block.manager}'s {self._label(block.kind)} on {_day(block.date)} "
                f"{_span(block.start, block.end)} is at {block.retailer}{name}, but {closure.words}",
                block.manager,
                block.date,
                _span(block.start, block.end),
            )

    def _check_stores_kept_until_cancelled(self) -> None:
        """Rule 4, its other side: a promotion store is cancelled from its `date`, not
        before. A session from `now` on that `before` held at a store cancelled from a
        later day, and `after` holds in the same slot with the same partners at another
        store, is a change the events do not call for (the store was open to it that day)."""
        at_a_store = {k for k, r in self.policy.kinds.items() if r.at == "promo_store"}
        planned = {_key(b)[:6]: b.retailer for b in self.before.blocks
                   if b.kind in at_a_store and b.retailer is not None and not _started_before(b, self.now)}
        for block in self.timetable.blocks:
            store = planned.get(_key(block)[:6])
            if store is None or block.retailer == store or _started_before(block, self.now) \
                    or any(c.covers(store, block.date) for c in self.closures):
                continue
            cancelled = next((c for c in self.closures if c.onwards and c.retailer == store
                              and c.date > block.date), None)
            if cancelled is None:
                continue
            together = f" with {_names(block.with_)}" if block.with_ else ""
            self._report(
                KIND_RULE.get(block.kind, "unknown_reference"),
                f"{block.manager}'s {self._label(block.kind)} on {_day(block.date)} "
                f"{_span(block.start, block.end)}{together} is moved from {store} to {block.retailer or 'no place'}, "
                f"but promotion store {store} is cancelled only from {_day(cancelled.date)}: it can still be "
                f"used that day, the events do not call for the change",
                block.manager,
                block.date,
                _span(block.start, block.end),
            )

    # -- the absences ---------------------------------------------------------------------

    def _from_now(self, block: Block | _Block) -> bool:
        return not _started_before(block, self.now)

    def _left_of_the_plan(self, manager: str, kind: str, unit: Literal["min", "sessions"]) -> int:
        """The minutes or sessions of the kind the week's plan gave the manager outside
        his sickness."""
        kept = [b for b in self.before.blocks if b.manager == manager and b.kind == kind
                and not self._sick_during(manager, b.date, b.start, b.end)]
        return sum(b.end - b.start for b in kept) if unit == "min" else len(kept)

    def _sick_during(self, manager: str, date: dt.date, start: int, end: int) -> bool:
        return any(_overlaps(start, end, s, e) for s, e in self.sick.get((manager, date), []))

    def _lost(self, manager: str, kind: str) -> _Loss:
        """What the events took of the kind the old plan had for the manager (rule 3b):
        the sessions they made impossible, less those the re-plan holds again (the same
        session at another store, with another partner, or made up at another time), and
        what an earlier re-plan of the week declared they took."""
        loss = _Loss()
        possible: Counter[tuple[dt.date, int, int]] = Counter()
        taken: list[tuple[Block, frozenset[str]]] = []
        for block in self.before.blocks:
            if block.manager != manager or block.kind != kind:
                continue
            if not self._from_now(block):
                # Before `now` only his own block under way when he fell ill is lost, from
                # then on; a partner's stays as it was (rule 1).
                if self._sick_during(manager, block.date, block.start, block.end):
                    kept = self._as_kept(block)
                    if kept is None:
                        loss.whole.append(block)
                    else:
                        loss.cut_minutes += block.end - kept.end
                    loss.who.add(f"{manager} off sick from {self._sick_since(manager)}")
                continue
            mates = block.with_ if kind in self.paired_kinds else ()
            # A partner off so long he is below the share to be paired does no paired
            # session this week: his absence takes all of them, not only those it covers.
            away = {
                m
                for m in {manager, *mates}
                if self._sick_during(m, block.date, block.start, block.end)
                or (m != manager and self._exempt(m))
            }
            closed = [c for c in self.closures if c.covers(block.retailer, block.date)]
            if away or closed:
                taken.append((block, frozenset({f"{m} off sick from {self._sick_since(m)}" for m in away}
                                               | {c.words for c in closed})))
            else:
                possible[(block.date, block.start, block.end)] += 1
        held = Counter((b.date, b.start, b.end) for b in self.timetable.blocks
                       if b.manager == manager and b.kind == kind and self._from_now(b))
        # What the re-plan holds beyond the possible sessions it kept stands in for taken
        # ones, net of possible ones it let go (a session moved into a taken one's slot).
        stand_ins, let_go = held - possible, possible - held
        spare_sessions = max(0, stand_ins.total() - let_go.total())
        spare_minutes = max(0, sum((e - s) * n for (_, s, e), n in stand_ins.items())
                            - sum((e - s) * n for (_, s, e), n in let_go.items()))
        for block, who in taken:
            minutes, slot = block.end - block.start, (block.date, block.start, block.end)
            if stand_ins[slot] and spare_sessions and spare_minutes >= minutes:
                # Held again in its own slot: at another store or with another partner.
                stand_ins[slot] -= 1
                spare_sessions -= 1
                spare_minutes -= minutes
                loss.held_again.append(block)
                loss.held_who |= who
            else:
                loss.whole.append(block)
                loss.who |= who
        # What stands in beyond that makes up part of the rest, at other times.
        loss.made_up_sessions = min(spare_sessions, len(loss.whole))
        loss.made_up_minutes = min(spare_minutes, sum(b.end - b.start for b in loss.whole) + loss.cut_minutes)
        for declared in self.before.shortfalls:
            # `before` is a re-planned week (a re-plan of a re-plan): what its absences
            # already took is gone from its blocks, and its re-plan declared it short,
            # naming the sickness; that sickness, carried here, still took it.
            named = {f"{m} off sick from {self._sick_since(m)}" for m in {m for m, _ in self.sick}}
            named = {words for words in named if words in declared.reason}
            if declared.manager == manager and declared.kind == kind and not declared.not_owed and named:
                loss.declared_minutes += declared.minutes_short
                loss.declared_sessions += declared.sessions_short
                loss.declared_who |= named
        return loss

    def _sick_since(self, manager: str) -> str:
        """When the manager's absence starts, as the re-plan says it: the grid slot he fell
        ill in ("Wed 2026-11-25 13:00"), not the midnight a whole day of leave starts at."""
        fell_ill = self.fell_ill.get(manager)
        if fell_ill is not None:
            grid = self.policy.grid_minutes
            return f"{_day(fell_ill.date())} {format_clock((fell_ill.hour * 60 + fell_ill.minute) // grid * grid)}"
        date, spans = min((d, spans) for (m, d), spans in self.sick.items() if m == manager)
        return f"{_day(date)} {format_clock(min(s for s, _ in spans))}"

    def _gone(self) -> set[str]:
        """Managers off sick for the rest of the week, or off so long that they are
        present below the share to be paired (SPEC §2): either way they do no paired
        session from `now` on, and their partners are left without any."""
        last = max(self.working_dates)
        return {m for (m, date) in self.sick if date == last or self._exempt(m)}

    def _could_fit(
        self,
        manager: str,
        date: dt.date,
        minutes: int,
        earliest: int,
        latest_start: int | None,
        latest_end: int,
    ) -> bool:
        """Rule 3c: a block missing from the week is owed only where it could still start:
        at `now` or later, once the block under way then is over and ridden from; nothing
        of a manager's day in a block under way that runs into his sickness."""
        if date < self.now.date():
            return False
        if date == self.now.date():
            minute = self.now.hour * 60 + self.now.minute
            if any(b.manager == manager and b.date == date and b.start < minute < b.end
                   and self._sick_during(manager, date, b.start, b.end) for b in self.before.blocks):
                return False  # in a block under way until he falls ill (rule 2)
            ride = max(self.policy.travel.field_transfer_min, self.policy.travel.office_field_buffer_min)
            ends = [b.end + ride for b in self.blocks
                    if b.manager == manager and b.date == date and b.start < minute < b.end]
            earliest = max(earliest, minute, *ends)
        return super()._could_fit(manager, date, minutes, earliest, latest_start, latest_end)

    # -- rule 3b: weekly quotas a mid-week absence may leave short ------------------------

    def _check_total(
        self, manager: str, kind: str, blocks: list[_Block], quota: Quota, note: str
    ) -> None:
        total = sum(b.minutes for b in blocks)
        if self._excused(manager, kind, blocks, "min", total, quota.total, note):
            return
        super()._check_total(manager, kind, blocks, quota, note)

    def _check_count(
        self, manager: str, kind: str, blocks: list[_Block], quota: Quota, note: str
    ) -> None:
        count = len(blocks)
        if count > quota.most and self._excused(manager, kind, blocks, "sessions", count, quota.most, note):
            return
        if count < quota.fewest and self._excused(manager, kind, blocks, "sessions", count, quota.fewest, note):
            return
        super()._check_count(manager, kind, blocks, quota, note)

    def _excused(
        self,
        manager: str,
        kind: str,
        blocks: list[_Block],
        unit: Literal["min", "sessions"],
        planned: int,
        asked: int,
        note: str = "",
    ) -> bool:
        """Whether the week's `planned` against `asked` is a fact of the absences, not a
        fault of the re-plan; a shortfall so excused is recorded, its words giving the
        figures of its fields (`lost` is what the events took, `_Loss.words`) and, when
        the quota is prorated (`note`), from what and why."""
        if planned > asked:
            # Done before the absence prorated the quota down, with nothing added since;
            # or no more than the week's plan held of it on his days in: what the absence
            # left of the plan is no excess to cut (tester d7 evA, m02's admin).
            sick = any(m == manager for m, _ in self.sick)
            return sick and (not any(self._from_now(b) for b in blocks)
                             or planned <= self._left_of_the_plan(manager, kind, unit))
        if planned == asked:
            return True
        loss = self._lost(manager, kind)
        lost = loss.minutes if unit == "min" else loss.sessions
        if asked - planned > lost:
            return False
        # Measured short, so a shortfall the re-planned timetable declares is no false claim.
        self.short[(manager, kind)][unit] = (planned, asked, True)
        if unit == "min":
            has, short = f"{planned} min", f"{asked - planned} min short of the {asked}"
        else:
            has, short = _count(planned, "session"), f"{asked - planned} fewer than the {asked}"
        self.shortfalls.append(
            Shortfall(
                manager,
                kind,
                KIND_RULE[kind],
                unit,
                planned,
                asked,
                lost,
                f"{manager} has {has} of {self._label(kind)} this week, {short} the policy asks"
                f"{self._prorated_words(kind, unit, planned, asked, note)}: {loss.words()}, and "
                f"{self._no_room_words()}",
            )
        )
        return True

    def _prorated_words(self, kind: str, unit: Literal["min", "sessions"], planned: int, asked: int,
                        note: str) -> str:
        """" (180 for a whole week, prorated: present 67% of the week)" when the quota
        `asked` is prorated (`note`, the timetable checker's words for why), else ""."""
        rule = self.policy.kinds.get(kind)
        if not note or rule is None or rule.sessions is None:
            return ""
        full = rule.total_minutes if unit == "min" else rule.sessions[0 if planned < asked else 1]
        if full is None or full == asked:
            return ""
        return f" ({full} for a whole week, {note.strip().removeprefix('(').removesuffix(')')})"

    def _no_room_words(self) -> str:
        """Why the rest of the week does not make up what the absences took: proven only
        by a re-plan solved to optimality; one stopped by its time limit proved nothing
        (as the week planner says, engine.timetable.shortfalls.NOT_PROVEN). Judged after
        the week's working time ended, no room is the cause: no time is left at all."""
        last, end = max(self.working_dates), self.policy.day.end
        if (self.now.date(), self.now.hour * 60 + self.now.minute) >= (last, end):
            return f"the week is over (its working time ended {_day(last)} {format_clock(end)})"
        if self.timetable.status == "optimal":
            # Proven beside the other work the re-plan keeps: it does not trade the old
            # plan's hours of one kind for another's (tester: "no room" read as false beside
            # a pair's Friday afternoon of office work).
            return "the rest of the week has no room for them beside the other work it keeps"
        return ("it is not proven that the rest of the week has no room for them (the re-plan stopped "
                "at its time limit: more time may find a week that keeps them)")

    # -- rule 3a: pairs from `now` on -----------------------------------------------------

    def _old_groups(self) -> dict[str, frozenset[str]]:
        """Each manager's group in the plan of the week."""
        groups: dict[str, set[str]] = defaultdict(set)
        for block in self.before.blocks:
            if block.kind in self.paired_kinds:
                groups[block.manager] |= {block.manager, *block.with_}
        return {m: frozenset(g) for m, g in groups.items()}

    def _check_pairing(self) -> None:
        if not self.paired_kinds:
            return
        threshold = _percent(Fraction(str(self.policy.pairs.exempt_below_presence)))
        old, gone = self._old_groups(), self._gone()
        orphans = {m for m, g in old.items() if len(g) > 1 and g - {m} <= gone}
        coming = [b for b in self.blocks if b.kind in self.paired_kinds and self._from_now(b)]
        declared: dict[str, set[frozenset[str]]] = defaultdict(set)
        held = {b.manager for b in coming if not self._exempt(b.manager)}
        for block in coming:
            if self._exempt(block.manager):
                self._report_block(
                    "pairing",
                    block,
                    f"{block.manager} is present {_percent(self.presence[block.manager])} of the "
                    f"week, below the {threshold} needed to be paired, yet has "
                    f"{self._describe(block)}",
                )
            elif block.manager in block.partners:
                self._report_block(
                    "pairing",
                    block,
                    f"{block.manager}'s {self._describe(block)} lists the manager as their own partner",
                )
            else:
                declared[block.manager].add(self._group_of(block, old, gone, held))
        self._check_someone_paired(orphans)
        groups: dict[str, frozenset[str]] = {}
        for manager, found in sorted(declared.items()):
            # A manager left alone may join another group for only the sessions he still owes.
            if len({g - (orphans - {manager}) for g in found}) > 1:
                partners = "; ".join(_names(g - {manager}) for g in sorted(found, key=sorted))
                self._report(
                    "pairing",
                    f"{manager} works with different partners from {self.moment} on "
                    f"({partners}); a group stays together for the whole week",
                    manager,
                )
            else:
                groups[manager] = frozenset().union(*found)
        settled = {
            group
            for manager, group in groups.items()
            if self._group_holds(manager, group, groups, old, orphans, gone, threshold)
        }
        self._check_sizes_from_now(settled)
        self._check_shared(coming, {m for g in settled for m in g})

    def _group_of(self, block: _Block, old: dict[str, frozenset[str]], gone: set[str],
                  held: set[str]) -> frozenset[str]:
        """The group a paired session is held by: the partners it names, and the members
        of the week's group off sick or on leave at its time who are back later in the
        week or hold a paired session from `now` on before they fall ill (`held`): two of
        a group of three hold its sessions while the third is ill, still that group, not
        a new one. One gone for all the rest of the week leaves the two as the group. A
        session held alone, or with anyone from outside the week's group, is not read so."""
        named, week_group = block.partners | {block.manager}, old.get(block.manager, frozenset())
        if len(named) < 2 or not named < week_group:
            return frozenset(named)
        away = {m for m in week_group - named - (gone - held)
                if self._sick_during(m, block.date, block.start, block.end)
                or self._on_leave_during(m, block.date, block.start, block.end)}
        return frozenset(named | away)

    def _check_shared(self, coming: list[_Block], settled: set[str]) -> None:
        """Every pair session from `now` on of a settled group is shared by the partners
        it names: the same kind, time and store, and the same group."""
        by_slot = {(b.manager, b.kind, b.slot): b for b in coming}
        for block in coming:
            if block.manager not in settled:
                continue
            group = block.partners | {block.manager}
            for partner in sorted(block.partners):
                theirs = by_slot.get((partner, block.kind, block.slot))
                if theirs is None or theirs.partners | {partner} != group:
                    self._report_block(
                        "pairing",
                        block,
                        f"{block.manager} has {self._describe(block)} with {partner}, who has "
                        "no such session with the same partners; partners work at the same time",
                    )
                elif theirs.retailer != block.retailer:
                    self._report_block(
                        "pairing",
                        block,
                        f"{block.manager}'s {self._describe(block)} is at {block.retailer or 'no store'}, "
                        f"but {partner} is at {theirs.retailer or 'no store'}; partners work at the same store",
                    )

    def _check_someone_paired(self, orphans: set[str]) -> None:
        """A manager present enough to be paired works in a pair this week, unless the
        absences took his partners' sessions."""
        for manager in self.managers:
            if self._exempt(manager) or manager in orphans:
                continue
            if any(b.manager == manager and b.kind in self.paired_kinds for b in self.blocks):
                continue
            if any(self._lost(manager, kind).sessions for kind in self.paired_kinds):
                continue
            self._report("pairing", f"{manager} works in no pair this week", manager)

    def _group_holds(
        self,
        manager: str,
        group: frozenset[str],
        groups: dict[str, frozenset[str]],
        old: dict[str, frozenset[str]],
        orphans: set[str],
        gone: set[str],
        threshold: str,
    ) -> bool:
        """The manager's group from `now` on: everyone in it present enough and of the
        same group, partners old ones unless an absence left someone without any, and
        no old partner still in working elsewhere."""
        holds = True
        mine = old.get(manager, frozenset({manager}))
        for partner in sorted(group - {manager}):
            if self._exempt(partner):
                holds = False
                self._report(
                    "pairing",
                    f"{manager} is paired from {self.moment} on with {partner}, who is present "
                    f"{_percent(self.presence[partner])} of the week, below the {threshold} "
                    "needed to be paired",
                    manager,
                )
            elif groups.get(partner) != group:
                holds = False
                theirs = groups.get(partner)
                says = f"works with {_names(theirs - {partner})}" if theirs else "has no single group"
                self._report(
                    "pairing",
                    f"{manager} works with {_names(group - {manager})} from {self.moment} on, "
                    f"but {partner} {says}",
                    manager,
                )
            elif partner not in mine and manager not in orphans and partner not in orphans:
                holds = False
                self._report(
                    "pairing",
                    f"{manager} works with {partner} from {self.moment} on, but his partners "
                    f"for the week are {_names(mine - {manager})}; a group takes in a new partner "
                    "only when an absence leaves one without any",
                    manager,
                )
        for partner in sorted(mine - group - gone):
            if partner in groups:
                holds = False
                self._report(
                    "pairing",
                    f"{manager} and {partner}, partners for the week and both still in, work "
                    f"apart from {self.moment} on; a group stays together for the whole week",
                    manager,
                )
        return holds

    def _check_sizes_from_now(self, groups: set[frozenset[str]]) -> None:
        """From `now` on a group is a pair, a pair that took in a partner left alone, or
        (where the policy lets the odd one out work alone) a single manager."""
        size = self.policy.pairs.size
        smallest = 1 if self.policy.pairs.odd_headcount == "solo" else size
        for group in sorted(groups, key=sorted):
            if not smallest <= len(group) <= size + 1:
                self._report(
                    "pairing",
                    f"{_names(group)} work as a group of {len(group)} from {self.moment} on; "
                    f"a group has {smallest} to {size + 1} managers",
                )


# -- rule 5: the routes ------------------------------------------------------------------


def check_replan_routes(
    department: Department,
    policy: Policy,
    before: dict | Timetable,
    after: dict | Timetable,
    now: dt.datetime,
    sicknesses: Sequence[Sickness],
    closures: Sequence[Closure],
    routes_before: Mapping,
    routes_after: Sequence[Mapping],
) -> list[Violation]:
    """Rules 5a and 5b of the module text alone: the re-plan's routes (`routes_after`)
    against the week's route plan (`routes_before`, `{"routes": [...]}`)."""
    old, new = _parse(before), _parse(after)
    now = now.replace(tzinfo=None)
    leave = sick_leave(policy, old, now, sicknesses, department)
    return _RouteJudge(department, policy, old, new, now, leave, closures).run(
        routes_before.get("routes") or [], routes_after)


def check_urgent_visits(now: dt.datetime, urgent: Sequence[Urgent], routes_after: Sequence[Mapping],
                        declared_late: Sequence[DeclaredLate] = ()) -> list[Violation]:
    """Rule 5c of the module text alone: each urgent visit asked has a stop in the
    re-plan's routes (`routes_after`) on a day up to its deadline, not over before `now`,
    or one after it that the re-plan declares late (`declared_late`)."""
    return judge_urgent_visits(now, urgent, routes_after, declared_late)[0]


def judge_urgent_visits(now: dt.datetime, urgent: Sequence[Urgent], routes_after: Sequence[Mapping],
                        declared_late: Sequence[DeclaredLate] = ()) -> tuple[list[Violation], list[UrgentMadeLate]]:
    """Rule 5c: the faults, and the urgent visits made late as the re-plan declares them."""
    faults, late, _ = judge_urgent(now, urgent, routes_after, declared_late)
    return faults, late


def judge_urgent(now: dt.datetime, urgent: Sequence[Urgent], routes_after: Sequence[Mapping],
                 declared_late: Sequence[DeclaredLate] = (), declared_not_made: Sequence[DeclaredNotMade] = (),
                 reach: UrgentReach | None = None,
                 ) -> tuple[list[Violation], list[UrgentMadeLate], list[UrgentNotMade]]:
    """Rule 5c: the faults, the urgent visits made late as the re-plan declares them, and
    those made on no day as it declares them that no day up to the deadline could take
    (read from `reach`; without it, every visit not made is a fault)."""
    now = now.replace(tzinfo=None)
    moment = (now.date(), now.hour * 60 + now.minute)
    replanned = _visit_stops(routes_after)
    found: list[Violation] = []
    declared: list[UrgentMadeLate] = []
    not_made: list[UrgentNotMade] = []
    for asked in urgent:
        made = sorted((s for stops in replanned.values() for s in stops
                       if s.retailer == asked.retailer and (s.date, s.end) > moment), key=lambda s: (s.date, s.arrive))
        if any(s.date <= asked.by for s in made):
            continue
        if made:
            late = made[0]
            said = next((d for d in declared_late if (d.retailer, d.due_by, d.date, d.manager)
                         == (asked.retailer, asked.by, late.date, late.manager) and d.reason.strip()), None)
            if said is not None:
                declared.append(UrgentMadeLate(
                    asked.retailer, late.manager, asked.by, late.date,
                    f"the urgent visit to {asked.retailer}, due by {_day(asked.by)}, is made on {_day(late.date)} "
                    f"by {late.manager}, after its deadline, as the re-plan declares: {said.reason}"))
                continue
            found.append(Violation(
                URGENT_LATE, late.manager, late.date, format_clock(late.arrive),
                f"the urgent visit to {asked.retailer}, due by {_day(asked.by)}, is made on {_day(late.date)} "
                f"by {late.manager}, after its deadline, and the re-plan does not declare it late"))
        else:
            said_not = next((d for d in declared_not_made if d.retailer == asked.retailer and d.reason.strip()),
                            None)
            cause = reach.no_day_for(asked, now) if reach is not None and said_not is not None else None
            if said_not is not None and cause is not None:
                not_made.append(UrgentNotMade(
                    asked.retailer, said_not.manager, asked.by,
                    f"the urgent visit to {asked.retailer}, due by {_day(asked.by)}, is not made, as the re-plan "
                    f"declares, and no day up to its deadline could take it ({cause})"))
                continue
            found.append(Violation(
                URGENT_LATE, None, asked.by, None,
                f"the urgent visit to {asked.retailer}, due by {_day(asked.by)}, is in no route of the "
                "re-plan: it is not made" + ("" if said_not is None else
                                              ", and the checker finds a day up to its deadline that could take it")))
    return found, declared, not_made


@dataclass(frozen=True)
class _Stop:
    manager: str
    date: dt.date
    retailer: str
    arrive: int
    set_out: int
    """When the manager set out for it: its arrival less its ride, else its start."""
    end: int
    start: int | None = None
    """When its service began (None: at its arrival)."""

    @property
    def service_start(self) -> int:
        """From when its service counts: a stop's length is from its start to its end."""
        return self.arrive if self.start is None else self.start


def _runs_below(day: Sequence[_Stop], retailers: Mapping[str, Retailer], key_class: str) -> list[list[_Stop]]:
    """Every run of consecutive visits of a day's route of other classes than the key one
    (worth less, `VisitValueRules`), in visiting order."""
    order = sorted(day, key=lambda s: s.arrive)
    runs = []
    for first in range(len(order)):
        for last in range(first, len(order)):
            retailer = retailers.get(order[last].retailer)
            if retailer is None or retailer.retailer_class == key_class:
                break
            runs.append(order[first:last + 1])
    return runs


def _visit_stops(routes: Iterable[Mapping]) -> dict[tuple[str, dt.date], list[_Stop]]:
    """Each manager-day's visit stops in visiting order (other kinds of stop left out)."""
    days: dict[tuple[str, dt.date], list[_Stop]] = defaultdict(list)
    for route in routes:
        manager, date = str(route["manager"]), dt.date.fromisoformat(str(route["date"]))
        for stop in route.get("stops") or []:
            if stop.get("kind", "visit") != "visit":
                continue
            arrive, start = parse_clock(stop["arrive"]), parse_clock(stop["start"])
            ride = stop.get("ride_min")
            set_out = start if ride is None else min(start, arrive - round(ride))
            days[(manager, date)].append(_Stop(manager, date, str(stop["retailer"]), arrive, set_out,
                                               parse_clock(stop["end"]), start))
    return days


class _RouteJudge:
    """Rule 5 of the module text: the re-plan's routes against the plan's."""

    def __init__(self, department: Department, policy: Policy, before: Timetable, after: Timetable,
                 now: dt.datetime, sick: Sequence[Leave], closures: Sequence[Closure]):
        self.department, self.policy, self.now = department, policy, now
        self.now_minute = now.hour * 60 + now.minute
        self.closures = list(closures)
        self.sick_days = {(entry.manager, entry.date) for entry in sick}
        self.ill_from = {(entry.manager, entry.date): entry.start or 0 for entry in sick}
        """The minute each sick manager-day's absence starts (0: the whole day)."""
        self.retailers = {r.id: r for r in department.retailers}
        self.blocks_before = self._blocks_by_day(before)
        self.blocks_after = self._blocks_by_day(after)
        self.lunches_after: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
        for block in after.blocks:
            if block.kind == "lunch":
                self.lunches_after[(block.manager, block.date)].append((block.start, block.end))

    @staticmethod
    def _blocks_by_day(timetable: Timetable) -> dict[tuple[str, dt.date], set[tuple]]:
        days: dict[tuple[str, dt.date], set[tuple]] = defaultdict(set)
        for block in timetable.blocks:
            days[(block.manager, block.date)].add(_key(block))
        return days

    def run(self, before: Iterable[Mapping], after: Iterable[Mapping]) -> list[Violation]:
        planned, replanned = _visit_stops(before), _visit_stops(after)
        return (self._first_stops(planned, replanned) + self._cancelled(planned, replanned)
                + self._key_customers(planned, replanned) + self._back_for_leave(replanned)
                + self._once_a_day(replanned) + self._whole_service(replanned))

    def _service(self, retailer: Retailer) -> int:
        """A visit's service: the retailer's minutes, at least the policy's minimum."""
        return max(retailer.service_min, self.policy.route.min_service_min)

    def _broken_off(self, stop: _Stop) -> bool:
        """A stop under way when its manager fell ill, short of its service by then."""
        ill = self.ill_from.get((stop.manager, stop.date))
        retailer = self.retailers.get(stop.retailer)
        return (ill is not None and retailer is not None and stop.service_start < ill < stop.end
                and ill - stop.service_start < self._service(retailer))

    def _once_a_day(self, replanned: Mapping[tuple[str, dt.date], list[_Stop]]) -> list[Violation]:
        """Rule 5e: at most one visit of a retailer a day, none two at once."""
        by_day: dict[tuple[str, dt.date], list[_Stop]] = defaultdict(list)
        for stops in replanned.values():
            for stop in stops:
                by_day[(stop.retailer, stop.date)].append(stop)

        def to_come(stop: _Stop) -> bool:
            return (stop.date, stop.set_out) >= (self.now.date(), self.now_minute)

        found = []
        for (retailer, date), stops in sorted(by_day.items()):
            stops = sorted(stops, key=lambda s: (s.service_start, s.manager))
            for index, first in enumerate(stops):
                for second in stops[index + 1:]:
                    at_once = second.service_start < first.end
                    if not (to_come(first) and to_come(second)) \
                            and not (at_once and (to_come(first) or to_come(second))):
                        continue
                    how = "at the same time" if at_once else "twice on one day"
                    found.append(Violation(
                        VISITED_TWICE, second.manager, date, format_clock(second.arrive),
                        f"{retailer} is visited {how} on {_day(date)}: by {first.manager} "
                        f"{format_clock(first.service_start)}-{format_clock(first.end)} and by {second.manager} "
                        f"{format_clock(second.service_start)}-{format_clock(second.end)} (a retailer is "
                        "visited once a day at most)"))
        return found

    def _whole_service(self, replanned: Mapping[tuple[str, dt.date], list[_Stop]]) -> list[Violation]:
        """Rule 5f: a stop shorter than its service is no visit made."""
        found = []
        for (manager, date), stops in sorted(replanned.items()):
            for stop in stops:
                retailer = self.retailers.get(stop.retailer)
                if retailer is None or stop.end - stop.service_start >= self._service(retailer):
                    continue
                found.append(Violation(
                    BROKEN_OFF, manager, date, format_clock(stop.service_start),
                    f"the visit to {stop.retailer} by {manager} on {_day(date)} "
                    f"({format_clock(stop.service_start)}-{format_clock(stop.end)}) lasts "
                    f"{stop.end - stop.service_start} min, short of its {self._service(retailer)} min service: it "
                    "was broken off, not made, yet the re-plan keeps it as a visit"))
        return found

    def _back_for_leave(self, replanned: Mapping[tuple[str, dt.date], list[_Stop]]) -> list[Violation]:
        """Rule 4 (every rule of the week): a part-day leave of the department's is taken
        from the office (SPEC §3), so the last visit to come before it leaves the ride back
        there, lunch on the way not ridden through (the re-plan's routes rode into it)."""
        found = []
        office: Point = (self.department.office.lat, self.department.office.lon, "town")
        retailers = {r.id: r for r in self.department.retailers}
        for entry in self.department.leave:
            if entry.start is None or (entry.date, entry.start) < (self.now.date(), self.now_minute):
                continue
            stops = [s for s in replanned.get((entry.manager, entry.date), []) if s.end <= entry.start]
            if not stops or stops[-1].retailer not in retailers:
                continue
            last = stops[-1]
            shop = retailers[last.retailer]
            lunch = clipped_minutes(self.lunches_after.get((entry.manager, entry.date), []), last.end, entry.start)
            back = last.end + ride(self.policy, (shop.lat, shop.lon, shop.area), office)[1] + lunch
            if back > entry.start + 1:  # a minute of rounding, as the week's judges allow
                found.append(Violation(
                    "ride_between_places", entry.manager, entry.date, format_clock(last.end),
                    f"{entry.manager} goes on leave at {format_clock(entry.start)} on {_day(entry.date)} from "
                    f"the office, but is back there from {last.retailer} at {format_clock(back)} at the earliest"))
        return found

    def _key_customers(self, planned: Mapping[tuple[str, dt.date], list[_Stop]],
                       replanned: Mapping[tuple[str, dt.date], list[_Stop]]) -> list[Violation]:
        """Rule 5d: each key-class visit owed left out while a taker makes least-class
        visits to come and a run of his less valuable visits to come could have made
        way for it."""
        rules = self.policy.visit_value
        if rules is None:
            return []
        retailers = {r.id: r for r in self.department.retailers}

        def to_come(stop: _Stop) -> bool:
            return (stop.date, stop.set_out) >= (self.now.date(), self.now_minute)

        made = {s.retailer for stops in replanned.values() for s in stops if to_come(s)}
        least = {s.manager for stops in replanned.values() for s in stops if to_come(s)
                 and (r := retailers.get(s.retailer)) is not None and r.retailer_class == rules.least_class}
        found = []
        for (manager, date), stops in sorted(planned.items()):
            for stop in stops:
                key = retailers.get(stop.retailer)
                owed = to_come(stop) or any(c.covers(stop.retailer, date) for c in self.closures) \
                    or self._broken_off(stop)
                if key is None or key.retailer_class != rules.key_class or not owed or key.id in made:
                    continue
                for taker in (t for t in self._takers(manager, date) if t in least):
                    runs = [run for (m, d), day in sorted(replanned.items()) if m == taker
                            and not any(c.covers(key.id, d) for c in self.closures)
                            and key.id not in {s.retailer for s in day}
                            for run in _runs_below(day, retailers, rules.key_class) if to_come(run[0])]
                    run = next((r for r in runs if self._fits_instead(key, r, retailers)), None)
                    if run is None:
                        continue
                    by = "" if taker == manager else f" by {taker}, who takes {manager}'s visits while he is off sick"
                    found.append(Violation(
                        KEY_DROPPED, manager, date, format_clock(stop.arrive),
                        f"{key.id} (class {rules.key_class}) planned for {manager} on {_day(date)} is in no route "
                        f"of the re-plan while class-{rules.least_class} visits after now are made{by}; in place "
                        f"of the less valuable {', '.join(s.retailer for s in run)} on {_day(run[0].date)} "
                        f"({format_clock(run[0].arrive)}-{format_clock(run[-1].end)}) a visit of it fits"))
                    break
        return found

    def _takers(self, manager: str, date: dt.date) -> list[str]:
        """Who may make a manager's visit: he, and when he is off sick that day and the
        policy hands over to neighbours, those whose territory centre lies within
        `replan.neighbour_max_km` of his, nearest first."""
        rules = self.policy.replan
        if (manager, date) not in self.sick_days or rules is None or "neighbour" not in rules.handover:
            return [manager]
        centres = territory_centres(self.department)
        if manager not in centres:
            return [manager]
        km = {m: great_circle_km(*centres[manager], *c) for m, c in centres.items() if m != manager}
        return [manager, *sorted((m for m, d in km.items() if d <= rules.neighbour_max_km), key=km.__getitem__)]

    def _fits_instead(self, key: Retailer, run: Sequence[_Stop], retailers: Mapping[str, Retailer]) -> bool:
        """Whether a visit of `key` fits in place of the run: from the first one's place at
        its arrival, a ride there, its visit in its hours, and a ride back to the last
        one's place by its end."""

        def point(retailer: Retailer) -> Point:
            return retailer.lat, retailer.lon, retailer.area

        first, last = retailers[run[0].retailer], retailers[run[-1].retailer]
        start = max(run[0].arrive + ride(self.policy, point(first), point(key))[1], key.opens)
        end = start + max(key.service_min, self.policy.route.min_service_min)
        return end <= key.closes and end + ride(self.policy, point(key), point(last))[1] <= run[-1].end

    def _first_stops(self, planned: Mapping[tuple[str, dt.date], list[_Stop]],
                     replanned: Mapping[tuple[str, dt.date], list[_Stop]]) -> list[Violation]:
        found = []
        for (manager, date), stops in sorted(replanned.items()):
            if not stops or date < self.now.date():
                continue
            first = min(stops, key=lambda s: s.arrive)
            deadline = first_stop_deadline(self.policy, date, self.department, manager)
            as_planned = any((s.retailer, s.arrive) == (first.retailer, first.arrive)
                             for s in planned.get((manager, date), []))
            too_late_at_now = date == self.now.date() and self.now_minute >= deadline
            if first.arrive > deadline and not as_planned and not too_late_at_now:
                found.append(Violation(
                    FIRST_STOP, manager, date, format_clock(first.arrive),
                    f"{manager}'s first retailer on {_day(date)}, {first.retailer}, is reached at "
                    f"{format_clock(first.arrive)} after the re-plan, after his first-stop time "
                    f"{format_clock(deadline)}"))
        return found

    def _cancelled(self, planned: Mapping[tuple[str, dt.date], list[_Stop]],
                   replanned: Mapping[tuple[str, dt.date], list[_Stop]]) -> list[Violation]:
        visited = {s.retailer for stops in replanned.values() for s in stops}
        found = []
        for (manager, date), stops in sorted(planned.items()):
            for stop in stops:
                if stop.retailer in visited or (date, stop.set_out) < (self.now.date(), self.now_minute) \
                        or self._day_changed(manager, date, stop.retailer, stops, replanned.get((manager, date), [])):
                    continue
                found.append(Violation(
                    VISIT_CANCELLED, manager, date, format_clock(stop.arrive),
                    f"the visit to {stop.retailer} planned for {manager} on {_day(date)} at "
                    f"{format_clock(stop.arrive)} is in no route of the re-plan, though nothing changed "
                    "that day: no sickness, no closure, the same blocks and no visit taken in"))
        return found

    def _day_changed(self, manager: str, date: dt.date, retailer: str, planned: Sequence[_Stop],
                     replanned: Sequence[_Stop]) -> bool:
        """Whether an event or the re-plan changed the manager's day (rule 5b)."""
        return ((manager, date) in self.sick_days
                or any(c.covers(retailer, date) for c in self.closures)
                or self.blocks_before.get((manager, date), set()) != self.blocks_after.get((manager, date), set())
                or bool({s.retailer for s in replanned} - {s.retailer for s in planned}))
