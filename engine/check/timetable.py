"""An independent judge of a weekly timetable (SPEC §2-3, §6).

`check_timetable` reads a timetable as plain data — the JSON contract of
`fieldweek timetable --json`, or a `Timetable` — and lists every hard rule it
breaks, in words a market manager understands. It works from the policy and the
department alone and shares no code with the CP-SAT model on purpose: a mistake in
the model must not be able to hide in its own check. A timetable typed by hand is
judged the same way as one the solver wrote. Presence, leave and prorated quotas are
read as every judge reads them (engine/check/spec.py); the places of blocks and the rides
between them as engine/check/places.py reads them.

`judge_timetable` gives the whole verdict: the violations, and the deviations — weekly
hours the plan is short of and says so. The checker measures each manager's weekly kind
against the prorated quota itself. Where the plan is short and its `shortfalls` declare
that manager and kind with at least the measured minutes and sessions, the shortfall is
a deviation the verdict lists with its amounts, not a fault (SPEC §2 hours cannot all
fit when the rides of SPEC §3 leave no room, and the plan says so). A shortfall not
declared, or declared for less than the plan lacks, stays a violation of the kind's
rule; a declared shortfall the plan does not have is a violation too (a false claim).
A daily block a part-day leave leaves no room for is not owed, but the week's plan must
declare it all the same (the manager is told), as it declares one the day's fixed slots
left out; so too a department slot (the daily meeting, the weekly site study) his part-day
leave makes him miss, and a `min_per_day` session (the daily report slot) it leaves no room
for, each declared `not_owed`. A dated or not-owed line is taken only where the
department's leave backs it, on that day and for no more than the leave can take
(`_backed_by_leave`); otherwise it is a fault, and the hours it would excuse stay owed.
`check_timetable` returns the violations alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Literal, cast

from pydantic import ValidationError

from engine.check.places import BlockPlaces, Ride
from engine.check.spec import (
    WHOLE_DAY,
    Quota,
    clipped_minutes,
    exempt_from_pairs,
    field_block_ends_by,
    first_stop_deadline,
    late_start_for_leave,
    leave_spans,
    presence,
    prorated_quota,
    riding_minutes,
    working_dates,
)
from engine.domain import Block, Department, HoursShortfall, Timetable
from engine.errors import InputError, Problem
from engine.policy import WEEKDAYS, KindRule, Policy, Weekday, format_clock
from engine.rules import KIND_RULE, RULES

UNKNOWN_REFERENCE = "unknown_reference"
RIDE_BETWEEN_PLACES = "ride_between_places"
VISIT_KIND = "visit"
NOT_SCHEDULED = ("infeasible", "unknown")


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, whose week, when, and what is wrong in plain words.

    `manager`, `date` and `time` are None when the problem is not tied to one manager,
    day or time span (e.g. the department has no site study at all).
    """

    rule: str
    manager: str | None
    date: dt.date | None
    time: str | None
    message: str

    def as_dict(self) -> dict:
        """The violation as JSON-ready data (the date as YYYY-MM-DD)."""
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


@dataclass(frozen=True)
class Shortfall:
    """What a week lacks of one manager's weekly kind, and why that is no fault:
    `planned` of `asked` (in `unit`), where `lost` is the most the week may lack — what
    a re-plan's absence took (engine/check/replan.py), or what the plan itself declares
    short (`Timetable.shortfalls`)."""

    manager: str
    kind: str
    rule: str
    unit: Literal["min", "sessions"]
    planned: int
    asked: int
    lost: int
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TimetableVerdict:
    """The judgement of a week's timetable: the rules it breaks, and the weekly hours it
    is short of and says so (deviations: information with amounts, not faults)."""

    violations: list[Violation]
    deviations: list[Shortfall]

    @property
    def executable(self) -> bool:
        """True when the timetable breaks no rule."""
        return not self.violations

    def as_dict(self) -> dict:
        """The verdict as JSON-ready data."""
        return {
            "executable": self.executable,
            "violations": [v.as_dict() for v in self.violations],
            "deviations": [d.as_dict() for d in self.deviations],
        }


@dataclass(frozen=True)
class _Block:
    """A block as the checker reads it: partners reduced to known managers."""

    manager: str
    date: dt.date
    kind: str
    start: int
    end: int
    partners: frozenset[str]
    retailer: str | None

    @property
    def minutes(self) -> int:
        return max(0, self.end - self.start)

    @property
    def slot(self) -> tuple[dt.date, int, int]:
        return (self.date, self.start, self.end)


def check_timetable(
    department: Department, policy: Policy, timetable: dict | Timetable
) -> list[Violation]:
    """Every hard rule the timetable breaks under `policy`; an empty list means valid
    (`judge_timetable`'s violations; its declared shortfalls are no fault).

    A timetable whose status is infeasible or unknown and that has no blocks is not
    judged (there is nothing to judge: the caller reports the status). A dict that is
    not a timetable at all (a missing field, an unknown kind, a time like 25:00)
    raises `InputError` naming every bad value.
    """
    return judge_timetable(department, policy, timetable).violations


def judge_timetable(
    department: Department, policy: Policy, timetable: dict | Timetable
) -> TimetableVerdict:
    """The verdict on the timetable: every hard rule it breaks, and the weekly hours it
    is short of and declares (see the module text). Not judged, and input errors, as
    `check_timetable`."""
    parsed = _parse(timetable)
    if parsed.status in NOT_SCHEDULED and not parsed.blocks:
        return TimetableVerdict([], [])
    checker = _Checker(department, policy, parsed, no_room_declared=True)
    violations = checker.run()
    return TimetableVerdict(violations, sorted(checker.deviations, key=lambda d: (d.manager, d.kind)))


def hours_by_kind(timetable: dict | Timetable) -> dict[str, dict[str, int]]:
    """Minutes planned per manager and kind, lunch included: {manager: {kind: minutes}}.

    Managers listed on the timetable without any block appear with an empty mapping.
    """
    parsed = _parse(timetable)
    minutes: dict[str, dict[str, int]] = {ref.id: {} for ref in parsed.managers}
    for block in parsed.blocks:
        per_kind = minutes.setdefault(block.manager, {})
        per_kind[block.kind] = per_kind.get(block.kind, 0) + max(0, block.end - block.start)
    return minutes


def _parse(timetable: dict | Timetable) -> Timetable:
    if isinstance(timetable, Timetable):
        return timetable
    try:
        return Timetable.model_validate(timetable)
    except ValidationError as exc:
        raise InputError(
            [
                Problem(
                    file="timetable",
                    column=".".join(str(part) for part in err["loc"]) or None,
                    message=err["msg"].removeprefix("Value error, "),
                )
                for err in exc.errors()
            ]
        ) from None


def _span(start: int, end: int) -> str:
    return f"{format_clock(start)}–{format_clock(end)}"


def _day(date: dt.date) -> str:
    return f"{date:%a} {date.isoformat()}"


def _names(ids: Iterable[str]) -> str:
    ordered = sorted(ids)
    return ", ".join(ordered) if ordered else "nobody"


def _count(number: int, noun: str) -> str:
    """'1 session', '2 sessions'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    return start < other_end and other_start < end


def _add_claim(declared: dict[tuple[str, str], HoursShortfall], claim: HoursShortfall) -> None:
    """Record a declared shortfall; two of one manager's kind add up."""
    key = (claim.manager, claim.kind)
    if key in declared:
        before = declared[key]
        claim = claim.model_copy(update={
            "minutes_short": before.minutes_short + claim.minutes_short,
            "sessions_short": before.sessions_short + claim.sessions_short,
            "reason": "; ".join(r for r in (before.reason, claim.reason) if r),
        })
    declared[key] = claim


def _percent(fraction: Fraction) -> str:
    return f"{float(fraction) * 100:.0f}%"


class _Checker:
    """One judgement of one timetable; each `_check_*` method adds what it finds."""

    def __init__(self, department: Department, policy: Policy, timetable: Timetable,
                 no_room_declared: bool = False):
        self.department = department
        self.no_room_declared = no_room_declared
        """Whether a daily block a part-day leave leaves no room for must be declared short
        (the week planner tells the manager of each; a re-plan reads such days as before)."""
        self.no_room: set[tuple[str, str, dt.date]] = set()
        """(manager, kind, date) of the daily blocks missing where the leave leaves no room."""
        self.kept_beside_leave: dict[tuple[str, str, dt.date], int] = {}
        """(manager, kind, date) -> minutes of a daily block planned shorter beside a part-day
        leave that leaves the whole block no room (the kind's `shortest_beside_leave`)."""
        self.policy = policy
        self.timetable = timetable
        self.found: list[Violation] = []
        self.managers = [m.id for m in department.managers]
        self.known_managers = set(self.managers)
        self.retailers = {r.id: r for r in department.retailers}
        self.working_dates = working_dates(policy, timetable.week_start, department)
        self.leave = leave_spans(department, policy)
        self.presence = presence(department, policy, timetable.week_start)
        self.blocks: list[_Block] = []
        self.groups: dict[str, frozenset[str]] = {}
        self.places = BlockPlaces(department, policy, timetable.week_start)
        self.ride_faults: set[tuple[_Block, _Block]] = set()
        """Consecutive blocks whose gap is short of the ride (the fixed buffer is not
        reported again for them)."""
        self.declared: dict[tuple[str, str], HoursShortfall] = {}
        self.declared_daily: dict[tuple[str, str], HoursShortfall] = {}
        """Daily blocks the plan says it leaves out on days of part-day leave, per manager and kind."""
        self.declared_not_owed: dict[tuple[str, str], HoursShortfall] = {}
        """Department slots and `min_per_day` sessions the plan says a part-day leave takes
        from a manager (not owed, but told), per manager and kind."""
        self.missed_for_leave: dict[tuple[str, str], dict[dt.date, int]] = defaultdict(dict)
        """(manager, kind) -> date -> what a part-day leave took of a department slot
        (minutes) or of a `min_per_day` kind (sessions): to be declared (`_settle_not_owed`)."""
        self.short: dict[tuple[str, str], dict[str, tuple[int, int, bool]]] = defaultdict(dict)
        """(manager, kind) -> unit -> (planned, asked, declared enough) where the plan is short."""
        self.deviations: list[Shortfall] = []

    # -- the whole judgement ------------------------------------------------------

    def run(self) -> list[Violation]:
        self._check_week_and_references()
        self._check_placement()
        self._check_rides()
        self._check_no_overlap()
        self._check_leave()
        self._check_lunch()
        for kind, rule in self.policy.kinds.items():
            if rule.group == "department":
                self._check_department_kind(kind, rule)
            elif rule.group == "pair":
                self._check_paired_hours(kind, rule)
            elif rule.is_daily:
                self._check_daily_kind(kind, rule)
            else:
                self._check_weekly_kind(kind, rule)
        self._check_pairing()
        self._check_retailers()
        self._settle_declared()
        self._settle_not_owed()
        return sorted(
            self.found,
            key=lambda v: (v.manager or "", v.date or dt.date.min, v.time or "", v.rule, v.message),
        )

    def _report(
        self,
        rule: str,
        message: str,
        manager: str | None = None,
        date: dt.date | None = None,
        time: str | None = None,
    ) -> None:
        assert rule in RULES, f"unregistered rule id {rule}"
        self.found.append(Violation(rule, manager, date, time, message))

    # -- presence and leave -------------------------------------------------------

    def _away_all_day(self, manager: str, date: dt.date) -> bool:
        return WHOLE_DAY in self.leave.get((manager, date), [])

    def _on_leave_during(self, manager: str, date: dt.date, start: int, end: int) -> bool:
        return any(_overlaps(start, end, s, e) for s, e in self.leave.get((manager, date), []))

    def _could_fit(
        self,
        manager: str,
        date: dt.date,
        minutes: int,
        earliest: int,
        latest_start: int | None,
        latest_end: int,
    ) -> bool:
        """Whether a block of `minutes` fits the window that day around the manager's leave."""
        grid, day = self.policy.grid_minutes, self.policy.day
        first = math.ceil(max(earliest, day.start) / grid) * grid
        last = min(latest_end, day.end) - minutes
        if latest_start is not None:
            last = min(last, latest_start)
        return any(
            not self._on_leave_during(manager, date, start, start + minutes)
            for start in range(first, last + 1, grid)
        )

    # -- readings a re-plan changes (engine/check/replan.py) ------------------------

    def _cut_from(self, block: _Block) -> _Block | None:
        """The block `block` is the worked part of, when an event cut it short (a re-plan:
        a block under way when its manager fell ill ends then); None for a whole block.
        A cut piece is judged by how it was cut, not by the lengths the policy asks."""
        return None

    def _leave_excused(self, block: _Block) -> bool:
        """Whether the block may overlap its manager's leave (a re-plan: a lunch under way
        when he fell ill stays as it was)."""
        return False

    def _planned_presence(self, block: _Block) -> Fraction | None:
        """The presence the block's session length is asked at when not the week's own (a
        re-plan: a block done, or done before its manager fell ill, as the plan had it, was
        planned for the week without that absence; the absence that prorates his quota later
        does not shorten what he already did). None: the week's own."""
        return None

    # -- labels ------------------------------------------------------------------

    def _label(self, kind: str) -> str:
        """The kind's English label in running text: 'Site study (department)' -> 'site study'."""
        if kind == "lunch":
            return "lunch"
        rule = self.policy.kinds.get(kind)
        text = rule.label_en if rule else kind.replace("_", " ")
        if text.endswith(")") and " (" in text:
            text = text[: text.rindex(" (")]
        if len(text) > 1 and not text[1].isupper():
            text = text[0].lower() + text[1:]
        return text

    def _describe(self, block: _Block) -> str:
        return f"{self._label(block.kind)} on {_day(block.date)} {_span(block.start, block.end)}"

    def _report_block(self, rule: str, block: _Block, message: str) -> None:
        self._report(rule, message, block.manager, block.date, _span(block.start, block.end))

    # -- rule 10 and the week itself ---------------------------------------------

    def _check_week_and_references(self) -> None:
        timetable = self.timetable
        if timetable.week_start.weekday() != 0:
            self._report(
                "working_hours",
                f"the week starts on {_day(timetable.week_start)}; "
                "a timetable week starts on a Monday",
                date=timetable.week_start,
            )
        if timetable.department != self.department.name:
            self._report(
                UNKNOWN_REFERENCE,
                f"the timetable is for department {timetable.department!r}, "
                f"not {self.department.name!r}",
            )
        for ref in timetable.managers:
            if ref.id not in self.known_managers:
                self._report(
                    UNKNOWN_REFERENCE,
                    f"the timetable lists manager {ref.id} ({ref.name}), "
                    "who is not in the department",
                    ref.id,
                )
        duty_names = {duty.name for duty in self.policy.duties}
        for duty in timetable.duties:
            if duty.manager not in self.known_managers:
                self._report(
                    UNKNOWN_REFERENCE,
                    f"duty {duty.duty!r} goes to {duty.manager}, who is not in the department",
                    duty.manager,
                )
            if duty.duty not in duty_names:
                self._report(
                    UNKNOWN_REFERENCE,
                    f"{duty.manager} has duty {duty.duty!r}, which the policy does not define",
                    duty.manager,
                )
        for block in timetable.blocks:
            self._take_block(block)
        self._take_declared(timetable.shortfalls)

    def _part_leave_dates(self, manager: str, kind: str) -> list[dt.date]:
        """The working days the manager owes the daily kind and has leave for part of."""
        per_day = self.policy.kinds[kind].per_day_minutes or {}
        return [
            date
            for date, weekday in self.working_dates.items()
            if weekday in per_day and self.leave.get((manager, date)) and not self._away_all_day(manager, date)
        ]

    def _take_declared(self, shortfalls: Iterable[HoursShortfall]) -> None:
        """The weekly hours the plan says it is short of, per manager and kind (two
        declarations of one manager's kind add up); a daily kind only for a manager with
        part-day leave on a day that owes it (a block the leave and the day's fixed slots
        leave no room for)."""
        weekly = {k for k, r in self.policy.kinds.items() if r.group != "department" and not r.is_daily}
        daily = {k for k, r in self.policy.kinds.items() if r.group != "department" and r.is_daily}
        for claim in shortfalls:
            if claim.manager not in self.known_managers:
                self._report(
                    UNKNOWN_REFERENCE,
                    f"the plan says {claim.manager} is short of {self._label(claim.kind)}, "
                    f"but {claim.manager} is not a manager of the department",
                    claim.manager,
                )
                continue
            if self.no_room_declared and (claim.not_owed or claim.date is not None) \
                    and not self._backed_by_leave(claim):
                continue  # reported: the hours stay owed, and their lack is judged as undeclared
            if claim.kind in daily and self._part_leave_dates(claim.manager, claim.kind):
                _add_claim(self.declared_daily, claim)
                continue
            if claim.not_owed and self._told_when_leave_takes(claim.kind):
                # A re-planned week is not asked for these (its checker reads no_room_declared
                # off), but may carry the plan's: told, not judged.
                if self.no_room_declared:
                    _add_claim(self.declared_not_owed, claim)
                continue
            if claim.kind not in weekly:
                self._report(
                    UNKNOWN_REFERENCE,
                    f"the plan says {claim.manager} is short of {claim.kind!r}, which is not a "
                    "weekly kind of the policy"
                    + (f" (a daily kind may be short only on a day of part-day leave, and "
                       f"{claim.manager} has none this week)" if claim.kind in daily else ""),
                    claim.manager,
                )
                continue
            _add_claim(self.declared, claim)

    def _backed_by_leave(self, claim: HoursShortfall) -> bool:
        """Whether a dated or not-owed line of the plan's shortfalls is backed by the
        department's leave; a fault when not, and the line is not taken (its hours stay
        owed). The week planner dates such lines on a day a leave takes a block from (a
        daily block, a department slot, a `min_per_day` session) and declares them not
        owed, or short beside the leave; the checker took any such line, of any kind, on
        any day or on none, as an ordinary declared shortfall (tester: all 3 of m01's POS
        sessions deleted, declared 180 min "not owed", m01 with no leave at all: exit 0).
        A line is backed when: its kind is one a leave takes by the day (a daily kind, a
        department slot or a `min_per_day` kind: a weekly kind's quota is prorated for the
        leave instead, never excused a day at a time); the day is in the week and the manager has leave that day
        (part-day or whole-day) or does not work it (a holiday, a weekend); and its
        not-owed minutes, with his other not-owed lines of the kind that day, are no more
        than the leave can take: the daily block's minutes that day, the minutes of the
        department's slots of the kind that day his leave overlaps, `min_per_day` of the
        kind's longest session (a not-owed line with no day, typed by hand: no more than
        his leave of the whole week can take of the kind). How much of a daily block fits
        beside a part-day leave (what is owed of it) is the scorer's reading
        (engine/quality.py `room_beside_leave`). Judged in the week's own checker
        (`no_room_declared`); a re-planned week carries the plan's not-owed lines, told, not
        judged, its absences not being the leave file's."""
        manager, rule = claim.manager, self.policy.kinds.get(claim.kind)
        label, says = self._label(claim.kind), f" (the plan says: {claim.reason})" if claim.reason else ""
        what = "not owed" if claim.not_owed else "short"
        amount = f"{claim.minutes_short} min" + (
            f" and {_count(claim.sessions_short, 'session')}" if claim.sessions_short else "")
        fault: str | None = None
        if rule is None:
            return True  # an unknown kind: reported where the line is taken
        by_the_day = rule.per_day_minutes is not None or rule.group == "department" or rule.min_per_day is not None
        if not by_the_day:
            when = f" on {_day(claim.date)}" if claim.date is not None else ""
            fault = (f"the plan says {amount} of {manager}'s {label} are {what}{when}{says}, "
                     f"but {label} is a weekly kind: a leave shortens its quota for the week (prorated), it "
                     "excuses none of it by the day")
        elif claim.date is None:
            # Undated (typed by hand; the planner dates each): backed by the week's leave as a whole.
            week = [self.timetable.week_start + dt.timedelta(days=n) for n in range(7)]
            most = sum(self._leave_can_take(manager, claim.kind, date)[0] for date in week
                       if self.leave.get((manager, date)))
            claimed = sum(c.minutes_short for c in self.timetable.shortfalls
                          if c.not_owed and c.date is None and (c.manager, c.kind) == (manager, claim.kind))
            if claimed > most:
                fault = (f"the plan says {claimed} min of {manager}'s {label} are not owed{says}, names no day, "
                         f"and his leave this week can take at most {most} min of it")
        elif not self.timetable.week_start <= claim.date < self.timetable.week_start + dt.timedelta(days=7):
            fault = (f"the plan says {amount} of {manager}'s {label} are {what} on {_day(claim.date)}{says}, "
                     "a day outside the week")
        elif not self.leave.get((manager, claim.date)) and claim.date in self.working_dates:
            fault = (f"the plan says {amount} of {manager}'s {label} are {what} on {_day(claim.date)}{says}, "
                     "but no leave of his falls on that day")
        elif claim.not_owed:
            most, sessions = self._leave_can_take(manager, claim.kind, claim.date)
            lines = [c for c in self.timetable.shortfalls if c.not_owed and (c.manager, c.kind, c.date) == (
                manager, claim.kind, claim.date)]
            minutes_claimed = sum(c.minutes_short for c in lines)
            sessions_claimed = sum(c.sessions_short for c in lines)
            if minutes_claimed > most or (sessions is not None and sessions_claimed > sessions):
                fault = (f"the plan says {minutes_claimed} min of {manager}'s {label} on {_day(claim.date)} are "
                         f"not owed for his leave{says}, but his leave that day can take at most {most} min"
                         + (f" ({_count(sessions, 'session')})" if sessions is not None else ""))
        if fault is None:
            return True
        self._report(KIND_RULE.get(claim.kind, UNKNOWN_REFERENCE), fault, manager, claim.date)
        return False

    def _leave_can_take(self, manager: str, kind: str, date: dt.date) -> tuple[int, int | None]:
        """The most minutes (and, for a `min_per_day` kind, sessions) of the kind the
        manager's leave can take on `date`: the daily block of the day's rules (of its
        calendar weekday on a day not worked), the department's slots of the kind held that
        day that his leave overlaps (all of them on a day of whole-day leave), `min_per_day`
        sessions of the kind's longest length."""
        rule = self.policy.kinds[kind]
        weekday: Weekday = self.working_dates.get(date) or cast(Weekday, WEEKDAYS[date.weekday()])
        if rule.group == "department":
            slots = {(b.start, b.end) for b in self.blocks if b.kind == kind and b.date == date}
            return sum(end - start for start, end in slots
                       if self._on_leave_during(manager, date, start, end)), None
        if rule.per_day_minutes is not None:
            return rule.per_day_minutes.get(weekday, 0), None
        fewest = rule.min_per_day or 0
        longest = rule.session_minutes[1] if rule.session_minutes else 0
        return fewest * longest, fewest

    def _told_when_leave_takes(self, kind: str) -> bool:
        """A department slot (the daily meeting, the weekly site study: a manager on leave
        during it is absent, not moved) or a weekly kind with `min_per_day` (the daily report
        slot): what a part-day leave takes of it is declared not owed."""
        rule = self.policy.kinds.get(kind)
        return rule is not None and (
            rule.group == "department"
            or (not rule.is_daily and rule.min_per_day is not None)
        )

    def _take_block(self, block: Block) -> None:
        time = _span(block.start, block.end)
        what = f"{self._label(block.kind)} on {_day(block.date)} {time}"
        if block.manager not in self.known_managers:
            self._report(
                UNKNOWN_REFERENCE,
                f"{block.manager} has {what}, "
                f"but {block.manager} is not a manager of the department",
                block.manager,
                block.date,
                time,
            )
            return
        strangers = sorted(set(block.with_) - self.known_managers)
        if strangers:
            self._report(
                UNKNOWN_REFERENCE,
                f"{block.manager}'s {what} is with {_names(strangers)}, "
                "who are not managers of the department",
                block.manager,
                block.date,
                time,
            )
        if block.retailer is not None and block.retailer not in self.retailers:
            self._report(
                UNKNOWN_REFERENCE,
                f"{block.manager}'s {what} is at retailer {block.retailer}, "
                "who is not a retailer of the department",
                block.manager,
                block.date,
                time,
            )
        self.blocks.append(
            _Block(
                manager=block.manager,
                date=block.date,
                kind=block.kind,
                start=block.start,
                end=block.end,
                partners=frozenset(block.with_) & self.known_managers,
                retailer=block.retailer,
            )
        )

    # -- rule 1: working days, grid, day and kind windows --------------------------

    def _check_placement(self) -> None:
        policy = self.policy
        day, grid = policy.day, policy.grid_minutes
        week_start = self.timetable.week_start
        for block in self.blocks:
            kind_rule_id = KIND_RULE[block.kind]
            if block.date not in self.working_dates:
                said = self.department.calendar_day(block.date)
                if said is not None and said.kind == "holiday":
                    why = f"a holiday ({said.name or 'holidays.csv'})"
                elif week_start <= block.date < week_start + dt.timedelta(days=7):
                    why = f"not a working day (the policy works {', '.join(policy.working_days)})"
                else:
                    why = f"outside the week starting {_day(week_start)}"
                self._report_block(
                    "working_hours", block, f"{block.manager} has {self._describe(block)}, {why}"
                )
            if block.start >= block.end:
                self._report_block(
                    "working_hours",
                    block,
                    f"{block.manager}'s {self._describe(block)} does not end after it starts",
                )
            if block.start % grid or block.end % grid:
                self._report_block(
                    "working_hours",
                    block,
                    f"{block.manager}'s {self._describe(block)} "
                    f"is off the policy's {grid}-min grid",
                )
            if block.kind == "lunch":
                window: tuple[int, int | None, int] = (
                    policy.lunch.earliest,
                    None,
                    policy.lunch.latest_end,
                )
                if policy.lunch.during_visit and not self._lunch_apart_from_visits(block.manager, block.date):
                    self._report_block(
                        "lunch",
                        block,
                        f"{block.manager} has a separate lunch on {_day(block.date)}, "
                        "but under this policy lunch is taken on the road inside the visit block",
                    )
            elif block.kind in policy.kinds:
                window = self._kind_window(block.kind, block.date, block.manager)
            else:
                self._report_block(
                    kind_rule_id,
                    block,
                    f"{block.manager} has {self._describe(block)}, but the policy plans no "
                    f"{self._label(block.kind)}",
                )
                window = (day.start, None, day.end)
            self._check_window(block, kind_rule_id, *window)

    def _kind_window(self, kind: str, date: dt.date, manager: str | None = None) -> tuple[int, int | None, int]:
        """(earliest start, latest start, latest end) of a kind on a date: the kind's window
        for the weekday whose rules the date follows (`windows`, e.g. the Monday meeting),
        and for field work no later than the policy's `day.field_ends_by` (SPEC §3); a
        manager's visit block after a leave that took his morning may start as much later
        as the leave kept him (`late_start_for_leave`)."""
        rule = self.policy.kinds[kind]
        late_by = late_start_for_leave(self.policy, date, self.department, manager) if kind == VISIT_KIND else 0
        weekday = self.working_dates.get(date)
        earliest, latest_end = rule.earliest_start, rule.latest_end
        if weekday is not None and weekday in rule.windows:
            earliest, latest_end = rule.windows[weekday]
        field_end = self.policy.day.field_ends_by
        if rule.place == "field" and field_end is not None:
            latest_end = min(latest_end, field_end)
        return earliest, None if rule.latest_start is None else rule.latest_start + late_by, latest_end

    def _whole_block_fits(self, manager: str, kind: str, date: dt.date, minutes: int) -> bool:
        """Whether the day's whole block of a daily kind could start in its window clear of
        the manager's leave (`_could_fit`) and of the department's slots that day whose window
        is exactly their length (the Monday meeting 08:00–08:40, held by everyone not on
        leave then: a far manager's Monday block starts after it, so a leave from 11:00 takes
        its end). The lunch the day asks (`_lunch_optional`) must keep a start in its window
        clear of the block and the leave — of a field block by the policy's field transfer
        too, the least the planner keeps between field work and lunch, so a block the
        planner shortens for that reason alone is not called short (a leave 12:30–13:00
        leaves lunch 11:30–12:30; a visit block after a morning leave reaches into the
        lunch window). On a day of part-day leave the visit block ends in time for his ride
        back to the daily office block that follows the field work (spec.field_block_ends_by,
        SPEC §3 "then back to the office by 16:00 for the daily report"): 111 min out and
        back from leave at 09:00, the 330-min block would end 14:30, past the 14:00 that
        ride allows, so a shorter one beside the leave is no fault."""
        earliest, latest_start, latest_end = self._kind_window(kind, date, manager)
        if kind == VISIT_KIND and self.leave.get((manager, date)):
            ends_by = field_block_ends_by(self.policy, date, self.department, manager)
            latest_end = latest_end if ends_by is None else min(latest_end, ends_by)
        lunch = self.policy.lunch
        lunch_too = not lunch.during_visit and lunch.minutes > 0 and not self._lunch_optional(manager, date)
        fixed = self._fixed_department_slots(manager, date)
        grid = self.policy.grid_minutes
        gap = -(-self.policy.travel.field_transfer_min // grid) * grid if self.policy.kinds[kind].place == "field" else 0
        last = min(latest_end, self.policy.day.end) - minutes
        if latest_start is not None:
            last = min(last, latest_start)
        lunch_starts = range(lunch.earliest, lunch.latest_end - lunch.minutes + 1, grid)
        return any(
            self._could_fit(manager, date, minutes, start, start, start + minutes)
            and not any(_overlaps(start, start + minutes, a, b) for a, b in fixed)
            and (not lunch_too or any(not _overlaps(start, start + minutes + gap, at, at + lunch.minutes)
                                      and not self._on_leave_during(manager, date, at, at + lunch.minutes)
                                      for at in lunch_starts))
            for start in range(-(-max(earliest, self.policy.day.start) // grid) * grid, last + 1, grid))

    def _fixed_department_slots(self, manager: str, date: dt.date) -> list[tuple[int, int]]:
        """The department's daily slots on `date` whose window is exactly their length, which
        the manager holds unless his leave takes part of them."""
        weekday = self.working_dates.get(date)
        fixed = []
        for kind, rule in self.policy.kinds.items():
            minutes = (rule.per_day_minutes or {}).get(weekday) if weekday is not None else None
            if rule.group != "department" or minutes is None:
                continue
            earliest, _, latest_end = self._kind_window(kind, date)
            if latest_end - earliest == minutes and not self._on_leave_during(manager, date, earliest, latest_end):
                fixed.append((earliest, latest_end))
        return fixed

    def _check_window(
        self, block: _Block, rule_id: str, earliest: int, latest_start: int | None, latest_end: int
    ) -> None:
        """Day bounds are `working_hours`; a kind's own, narrower window is the kind's rule."""
        day = self.policy.day
        who = f"{block.manager}'s {self._describe(block)}"
        if block.start < day.start:
            self._report_block(
                "working_hours",
                block,
                f"{who} starts before the working day starts at {format_clock(day.start)}",
            )
        elif block.start < earliest:
            self._report_block(
                rule_id,
                block,
                f"{who} starts before {format_clock(earliest)}, "
                "the earliest the policy allows for it",
            )
        if block.end > day.end:
            self._report_block(
                "working_hours",
                block,
                f"{who} ends after the working day ends at {format_clock(day.end)}",
            )
        elif block.end > latest_end:
            self._report_block(
                rule_id,
                block,
                f"{who} ends after {format_clock(latest_end)}, the latest the policy allows for it",
            )
        if latest_start is not None and block.start > latest_start:
            self._report_block(
                rule_id,
                block,
                f"{who} starts at {format_clock(block.start)}; the policy asks it to start by "
                f"{format_clock(latest_start)}",
            )

    # -- rule 2: one place at a time, with riding time -------------------------------

    def _check_rides(self) -> None:
        """Between two consecutive blocks of a manager's day the gap, less a lunch taken
        in it, is at least the ride between their places (engine/check/places.py).

        A gap shorter than the policy's fixed buffer between the two (`riding_minutes`)
        is `no_overlap`'s to report, unless the ride asks more than the buffer; then it
        is reported here, once."""
        days: dict[tuple[str, dt.date], list[_Block]] = defaultdict(list)
        for block in self.blocks:
            if block.start < block.end:
                days[(block.manager, block.date)].append(block)
        for (manager, date), blocks in sorted(days.items()):
            lunches = [b for b in blocks if b.kind == "lunch"]
            work = sorted((b for b in blocks if b.kind != "lunch"), key=lambda b: (b.start, b.end))
            if work:
                self._check_ride_out_of_the_office(manager, date, work[0])
                if work[0].kind == VISIT_KIND:
                    self._check_ride_into_the_area(manager, date, None, work[0])
                self._check_ride_back_from_leave(manager, date, work, lunches)
                self._check_ride_home(manager, date, work, lunches)
            for first, second in itertools.pairwise(work):
                if second.start < first.end:
                    continue  # an overlap, reported as such
                if second.kind == VISIT_KIND:
                    self._check_ride_into_the_area(manager, date, first, second)
                    continue
                origin = self.places.of(manager, first.kind, first.retailer)
                target = self.places.of(manager, second.kind, second.retailer)
                if origin is None or target is None:
                    continue
                ride = self.places.ride(origin, target)
                lunch = sum(
                    max(0, min(b.end, second.start) - max(b.start, first.end)) for b in lunches
                )
                gap = second.start - first.end
                buffer = riding_minutes(self.policy, first.kind, second.kind)
                if gap - lunch >= ride.minutes or (gap < buffer and ride.minutes <= buffer):
                    continue
                self.ride_faults.add((first, second))
                besides = f", {lunch} min of it lunch" if lunch else ""
                self._report(
                    RIDE_BETWEEN_PLACES,
                    f"{manager} has {self._label(first.kind)} {_span(first.start, first.end)} at "
                    f"{ride.origin} and {self._label(second.kind)} {_span(second.start, second.end)} "
                    f"at {ride.target} on {_day(date)} with {gap} min between them{besides}; "
                    f"the ride takes {ride.minutes} min",
                    manager,
                    date,
                    _span(first.start, second.end),
                )

    def _check_ride_into_the_area(self, manager: str, date: dt.date, before: _Block | None,
                                  visit: _Block) -> None:
        """"First retailer reached by 09:30" — SPEC §3: the route rides into its area inside
        the visit block, from the place of the block before it (the office when the block
        opens the day), so the block starts early enough for that ride to reach the
        nearest retailer due by the policy's first-stop time. A block that starts after
        its latest start is `visit_daily`'s to report, not this rule's."""
        area = self.places.of(manager, VISIT_KIND, None)
        origin = self.places.office if before is None else self.places.of(manager, before.kind, before.retailer)
        if area is None or origin is None:
            return
        ride = self.places.ride(origin, area)
        first_stop_by = first_stop_deadline(self.policy, date, self.department, manager)
        latest = self._kind_window(VISIT_KIND, date, manager)[1]
        if visit.start + ride.minutes <= first_stop_by or (latest is not None and visit.start > latest):
            return
        self.ride_faults.add((before, visit) if before is not None else (visit, visit))
        where = "the office" if before is None else f"{self._label(before.kind)} at {ride.origin}"
        self._report(
            RIDE_BETWEEN_PLACES,
            f"{manager} has {self._label(visit.kind)} {_span(visit.start, visit.end)} at {ride.target} "
            f"on {_day(date)}, after {where}: the {ride.minutes}-min ride reaches the first retailer "
            f"at {format_clock(visit.start + ride.minutes)}, after {format_clock(first_stop_by)}",
            manager,
            date,
            _span(visit.start if before is None else before.start, visit.end),
        )

    def _check_ride_out_of_the_office(self, manager: str, date: dt.date, first: _Block) -> None:
        """"08:00 morning meeting / at the office" — SPEC §3: the day starts at the office,
        so the day's first block at a fixed place starts no earlier than the working day's
        start plus the ride there (a visit block's route rides out inside it)."""
        if first.kind == VISIT_KIND:
            return
        target = self.places.of(manager, first.kind, first.retailer)
        if target is None:
            return
        ride = self.places.ride(self.places.office, target)
        day_start = self.policy.day.start
        if ride.minutes == 0 or first.start - day_start >= ride.minutes:
            return  # a block before the day itself is `working_hours`' to report
        self._report(
            RIDE_BETWEEN_PLACES,
            f"{manager} would leave the office at {format_clock(first.start - ride.minutes)}, before "
            f"the working day starts at {format_clock(day_start)}, to be at {ride.target} for "
            f"{self._label(first.kind)} at {format_clock(first.start)} on {_day(date)}: the ride "
            f"takes {ride.minutes} min",
            manager,
            date,
            _span(first.start, first.end),
        )

    def _check_ride_home(self, manager: str, date: dt.date, work: list[_Block], lunches: list[_Block]) -> None:
        """"Then back to the office" — SPEC §3: the day ends at the office as it starts there
        (`_check_ride_out_of_the_office`), so the day's last block at a fixed place ends no
        later than the working day's end less the ride back, less a lunch taken on the way.
        A visit block's route rides back inside its own timing, a block that ends after the
        day is `working_hours`' to report, and a leave that ends the day is ridden back to by
        its start (`_check_ride_to_leave`)."""
        last = max(work, key=lambda b: b.end)
        day_end = self.policy.day.end
        if last.kind == VISIT_KIND or last.end > day_end or any(
                span != WHOLE_DAY and span[0] >= last.end for span in self.leave.get((manager, date), [])):
            return
        short = self._ride_back_short(manager, last, lunches, day_end)
        if short is None:
            return
        ride, lunch = short
        besides = f" and {lunch} min of lunch" if lunch else ""
        self._report(
            RIDE_BETWEEN_PLACES,
            f"{manager} has {self._label(last.kind)} at {ride.origin} until {format_clock(last.end)} on "
            f"{_day(date)}, the day's last block: {day_end - last.end} min{besides} before the working day "
            f"ends at {format_clock(day_end)} for the {ride.minutes}-min ride back to the office "
            f"(back {format_clock(last.end + lunch + ride.minutes)})",
            manager,
            date,
            _span(last.start, last.end),
        )

    def _check_ride_back_from_leave(self, manager: str, date: dt.date, work: list[_Block],
                                    lunches: list[_Block]) -> None:
        """"The day starts at the office" — SPEC §3, around a part-day leave as at the
        day's start and end: the manager goes on leave from the office and comes back from
        it by the office, so the first block after the leave, at a fixed place, starts no
        earlier than the leave's end plus the ride there, and the last one before it ends
        no later than the leave's start less the ride back, less no lunch taken in between
        (a visit block's route rides out and back inside it). A plan that has him ride
        while on leave cannot be carried out."""
        for span in self.leave.get((manager, date), []):
            if span == WHOLE_DAY:
                continue
            self._check_ride_to_leave(manager, date, work, lunches, span[0])
            back = span[1]
            following = next((b for b in work if b.start >= back), None)
            if following is None or following.kind == VISIT_KIND:
                continue
            target = self.places.of(manager, following.kind, following.retailer)
            if target is None:
                continue
            ride = self.places.ride(self.places.office, target)
            lunch = sum(max(0, min(b.end, following.start) - max(b.start, back)) for b in lunches)
            if following.start - back - lunch >= ride.minutes:
                continue
            besides = f" and {lunch} min of lunch" if lunch else ""
            self._report(
                RIDE_BETWEEN_PLACES,
                f"{manager} is on leave until {format_clock(back)} on {_day(date)} and has "
                f"{self._label(following.kind)} at {ride.target} at {format_clock(following.start)}: "
                f"{following.start - back} min{besides} for the {ride.minutes}-min ride from the office",
                manager,
                date,
                _span(back, following.end),
            )

    def _check_ride_to_leave(self, manager: str, date: dt.date, work: list[_Block], lunches: list[_Block],
                             off: int) -> None:
        """The ride back to the office from the last block before a leave from `off`
        (`_check_ride_back_from_leave`)."""
        before = [b for b in work if b.end <= off]
        if not before or before[-1].kind == VISIT_KIND:
            return
        last = before[-1]
        short = self._ride_back_short(manager, last, lunches, off)
        if short is None:
            return
        ride, lunch = short
        besides = f" and {lunch} min of lunch" if lunch else ""
        self._report(
            RIDE_BETWEEN_PLACES,
            f"{manager} goes on leave at {format_clock(off)} on {_day(date)} and has "
            f"{self._label(last.kind)} at {ride.origin} until {format_clock(last.end)}: "
            f"{off - last.end} min{besides} for the {ride.minutes}-min ride back to the office",
            manager,
            date,
            _span(last.start, off),
        )

    def _ride_back_short(self, manager: str, last: _Block, lunches: list[_Block],
                         by: int) -> tuple[Ride, int] | None:
        """The ride back to the office from `last` and the lunch minutes on the way, when
        they do not fit before `by` (the day's end, a leave); None when they do, or when
        the block's place is not known."""
        origin = self.places.of(manager, last.kind, last.retailer)
        if origin is None:
            return None
        ride = self.places.ride(origin, self.places.office)
        lunch = clipped_minutes(((b.start, b.end) for b in lunches), last.end, by)
        return None if by - last.end - lunch >= ride.minutes else (ride, lunch)

    def _check_no_overlap(self) -> None:
        days: dict[tuple[str, dt.date], list[_Block]] = defaultdict(list)
        for block in self.blocks:
            if block.start < block.end:
                days[(block.manager, block.date)].append(block)
        for (manager, date), blocks in days.items():
            blocks.sort(key=lambda b: (b.start, b.end))
            for index, first in enumerate(blocks):
                for second in blocks[index + 1 :]:
                    time = _span(first.start, max(first.end, second.end))
                    pieces = (
                        f"{self._label(first.kind)} {_span(first.start, first.end)} and "
                        f"{self._label(second.kind)} {_span(second.start, second.end)}"
                    )
                    if second.start < first.end:
                        self._report(
                            "no_overlap",
                            f"{manager}'s {pieces} on {_day(date)} overlap",
                            manager,
                            date,
                            time,
                        )
                        continue
                    gap, needed = (
                        second.start - first.end,
                        riding_minutes(self.policy, first.kind, second.kind),
                    )
                    if gap < needed and (first, second) not in self.ride_faults:
                        self._report(
                            "no_overlap",
                            f"{manager} has {pieces} on {_day(date)} with {gap} min between them; "
                            f"riding from one to the other needs {needed} min",
                            manager,
                            date,
                            time,
                        )

    # -- rule 3: nothing during leave ----------------------------------------------

    def _check_leave(self) -> None:
        for block in self.blocks:
            if self._leave_excused(block):
                continue
            for start, end in self.leave.get((block.manager, block.date), []):
                if _overlaps(block.start, block.end, start, end):
                    when = "all day" if (start, end) == WHOLE_DAY else f"from {_span(start, end)}"
                    self._report_block(
                        "leave",
                        block,
                        f"{block.manager} is on leave {when} on {_day(block.date)} but has "
                        f"{self._label(block.kind)} {_span(block.start, block.end)}",
                    )
                    break
        # A duty is done in the week's admin time: one on leave every working minute
        # of the week cannot carry it.
        for duty in self.timetable.duties:
            if self.working_dates and self.presence.get(duty.manager, Fraction(1)) <= 0:
                self._report(
                    "leave",
                    f"{duty.manager} has duty {duty.duty!r} but is on leave all week",
                    duty.manager,
                )

    # -- rule 5: lunch ---------------------------------------------------------------

    def _lunch_optional(self, manager: str, date: dt.date) -> bool:
        """Lunch is optional only on a day whose leave leaves it no room in its window
        (starts on the policy's grid): back from a leave at 12:00 he still lunches."""
        lunch = self.policy.lunch
        return all(self._on_leave_during(manager, date, start, start + lunch.minutes)
                   for start in range(lunch.earliest, lunch.latest_end - lunch.minutes + 1, self.policy.grid_minutes))

    def _lunch_apart_from_visits(self, manager: str, date: dt.date) -> bool:
        """Under a policy that takes lunch inside the visit block: a day of part-day leave
        whose visit block (if any) does not hold the lunch's minutes inside the lunch
        window — the leave cut it short or took it — so he lunches apart from it."""
        if not self.leave.get((manager, date)) or self._away_all_day(manager, date):
            return False
        lunch = self.policy.lunch
        return not any(min(lunch.latest_end, b.end) - max(lunch.earliest, b.start) >= lunch.minutes
                       for b in self.blocks if b.manager == manager and b.date == date and b.kind == VISIT_KIND)

    def _check_lunch(self) -> None:
        lunch = self.policy.lunch
        window = (
            f"{lunch.minutes} min between {format_clock(lunch.earliest)} "
            f"and {format_clock(lunch.latest_end)}"
        )
        for manager in self.managers:
            for date in self.working_dates:
                if self._away_all_day(manager, date):
                    continue
                if lunch.during_visit and not self._lunch_apart_from_visits(manager, date):
                    continue  # taken inside the visit block; a separate one was reported with the placement
                lunches = [
                    b
                    for b in self.blocks
                    if b.manager == manager and b.date == date and b.kind == "lunch"
                ]
                if not lunches and not self._lunch_optional(manager, date):
                    self._report(
                        "lunch",
                        f"{manager} has no lunch on {_day(date)}; the policy asks {window}",
                        manager,
                        date,
                    )
                if len(lunches) > 1:
                    self._report(
                        "lunch",
                        f"{manager} has {len(lunches)} lunches on {_day(date)}; "
                        "the policy asks one",
                        manager,
                        date,
                    )
                for block in lunches:
                    if block.minutes != lunch.minutes:
                        self._report_block(
                            "lunch",
                            block,
                            f"{manager}'s lunch on {_day(date)} lasts {block.minutes} min; "
                            f"the policy asks {lunch.minutes}",
                        )

    # -- rule 4: daily kinds -----------------------------------------------------------

    def _check_daily_kind(self, kind: str, rule: KindRule) -> None:
        for manager in self.managers:
            self._check_alone(manager, kind)
            missed = self._check_daily_blocks(manager, kind, rule)
            self._settle_missed(manager, kind, missed)

    def _settle_missed(self, manager: str, kind: str, missed: dict[dt.date, int]) -> None:
        """Blocks missing on days of part-day leave (`missed`: date -> the day's minutes),
        where they could fit beside the leave or, in a week the planner declares them, where
        the leave leaves no room: a deviation when the plan declares the manager at least
        their minutes short of the kind (the day's fixed slots or the leave left no room),
        otherwise a fault each; a declaration with no such block missing is false."""
        rule_id, label = KIND_RULE[kind], self._label(kind)
        claim = self.declared_daily.get((manager, kind))
        owed = sum(missed.values())
        says = f" (the plan says: {claim.reason})" if claim is not None and claim.reason else ""
        if claim is not None and not missed:
            if claim.not_owed and not self.no_room_declared:
                return  # a re-planned week carrying the plan's not-owed line: told, not judged
            self._report(
                rule_id,
                f"the plan says {manager} is {claim.minutes_short} min short of {label}{says}, "
                f"but no day of {manager}'s part-day leave lacks it",
                manager,
            )
            return
        if claim is not None and claim.minutes_short >= owed:
            kept = {date: self.kept_beside_leave.get((manager, kind, date)) for date in missed}
            days = ", ".join(_day(date) + (f" ({kept[date]} min kept)" if kept[date] else "")
                             for date in sorted(missed))
            said = (f"{manager} has less {label} on {days} (part-day leave) than the policy asks, {owed} min less"
                    if any(kept.values()) else
                    f"{manager} has no {label} on {days} (part-day leave), {owed} min the policy asks")
            self.deviations.append(Shortfall(manager, kind, rule_id, "min", 0, owed, claim.minutes_short,
                                             f"{said}{says}"))
            return
        declared = f"; the plan declares only {claim.minutes_short} min short" if claim is not None else ""
        for date, minutes in sorted(missed.items()):
            no_room = (" (his leave leaves it no room, so it is not owed, but the plan must declare it short)"
                       if (manager, kind, date) in self.no_room else "")
            self._report(
                rule_id,
                f"{manager} has no {label} on {_day(date)}; the policy asks {minutes} min{declared}{no_room}",
                manager,
                date,
            )

    def _check_daily_blocks(self, manager: str, kind: str, rule: KindRule) -> dict[dt.date, int]:
        """Each working day's block of the daily kind; returns the days of part-day leave
        that lack one where it could fit beside the leave (date -> minutes), for
        `_settle_missed` to judge against what the plan declares."""
        rule_id, label = KIND_RULE[kind], self._label(kind)
        per_day = rule.per_day_minutes or {}
        missed: dict[dt.date, int] = {}
        for date, weekday in self.working_dates.items():
            if self._away_all_day(manager, date):
                continue  # a block on that day is a leave violation, reported once there
            blocks = [
                b
                for b in self.blocks
                if b.manager == manager and b.date == date and b.kind == kind
            ]
            minutes = per_day.get(weekday)
            if minutes is None:
                days = ", ".join(d for d in per_day if d in self.working_dates.values())
                for block in blocks:
                    self._report_block(
                        rule_id,
                        block,
                        f"{manager} has {self._describe(block)}; "
                        f"the policy plans {label} on {days} only",
                    )
                continue
            if not blocks:
                # A partial leave can leave no room for the block; then it is not owed, but
                # the week planner must say so (declared as missed on a day of leave).
                part_leave = bool(self.leave.get((manager, date)))
                if not self._whole_block_fits(manager, kind, date, minutes):
                    if not (part_leave and self.no_room_declared):
                        continue
                    self.no_room.add((manager, kind, date))
                if part_leave:
                    missed[date] = minutes  # owed, unless the plan declares it short
                else:
                    self._report(
                        rule_id,
                        f"{manager} has no {label} on {_day(date)}; "
                        f"the policy asks {minutes} min",
                        manager,
                        date,
                    )
            elif len(blocks) > 1:
                self._report(
                    rule_id,
                    f"{manager} has {len(blocks)} blocks of {label} on {_day(date)}; "
                    f"the policy asks one block of {minutes} min",
                    manager,
                    date,
                )
            elif (blocks[0].minutes < minutes and self._cut_from(blocks[0]) is None
                  and self._shorter_beside_leave(manager, kind, rule, date, minutes, blocks[0])):
                if self.no_room_declared:
                    self.no_room.add((manager, kind, date))
                    self.kept_beside_leave[(manager, kind, date)] = blocks[0].minutes
                    missed[date] = minutes - blocks[0].minutes  # owed, unless the plan declares it short
            elif blocks[0].minutes != minutes and self._cut_from(blocks[0]) is None:
                self._report_block(
                    rule_id,
                    blocks[0],
                    f"{manager} has {blocks[0].minutes} min of {label} "
                    f"on {_day(date)}; the policy asks {minutes}",
                )
        return missed

    def _shorter_beside_leave(self, manager: str, kind: str, rule: KindRule, date: dt.date, minutes: int,
                              block: _Block) -> bool:
        """Whether a daily block shorter than the policy asks is the shorter block its
        `shortest_beside_leave` allows: on a day of part-day leave that leaves the whole
        block no room in its window, and at least that long (a shorter one is reported)."""
        if rule.shortest_beside_leave is None or not self.leave.get((manager, date)):
            return False
        if self._whole_block_fits(manager, kind, date, minutes):
            return False
        if block.minutes < rule.shortest_beside_leave:
            self._report_block(
                KIND_RULE[kind],
                block,
                f"{manager} has {block.minutes} min of {self._label(kind)} on {_day(date)} beside his leave; "
                f"the policy asks at least {rule.shortest_beside_leave} min when the leave leaves no room "
                f"for the whole {minutes}",
            )
        return True

    def _check_alone(self, manager: str, kind: str) -> None:
        for block in self.blocks:
            if block.manager == manager and block.kind == kind and block.partners:
                self._report_block(
                    KIND_RULE[kind],
                    block,
                    f"{manager}'s {self._describe(block)} lists {_names(block.partners)} "
                    "as partners; "
                    f"{self._label(kind)} is done alone",
                )

    # -- rule 4: weekly kinds of one manager, prorated by presence ----------------------

    def _check_weekly_kind(self, kind: str, rule: KindRule) -> None:
        for manager in self.managers:
            self._check_alone(manager, kind)
            share = self.presence[manager]
            note = "" if share == 1 else f" (prorated: present {_percent(share)} of the week)"
            quota = prorated_quota(rule, share, self.policy.grid_minutes)
            self._check_sessions(manager, kind, rule, quota, note)

    def _check_sessions(
        self, manager: str, kind: str, rule: KindRule, quota: Quota, note: str
    ) -> None:
        """Total minutes, number and length of sessions, days apart, sessions a day."""
        rule_id, label = KIND_RULE[kind], self._label(kind)
        blocks = [b for b in self.blocks if b.manager == manager and b.kind == kind]
        self._check_total(manager, kind, blocks, quota, note)
        self._check_count(manager, kind, blocks, quota, note)
        for block in blocks:
            planned = self._planned_presence(block)
            lengths = quota if planned is None else prorated_quota(rule, planned, self.policy.grid_minutes)
            if self._cut_from(block) is None and not lengths.shortest <= block.minutes <= lengths.longest:
                asked = (
                    f"{lengths.shortest} min"
                    if lengths.shortest == lengths.longest
                    else f"{lengths.shortest}–{lengths.longest} min"
                )
                self._report_block(
                    rule_id,
                    block,
                    f"{manager}'s {self._describe(block)} lasts "
                    f"{block.minutes} min; a session of {label} lasts {asked}",
                )
        per_date = Counter(b.date for b in blocks)
        if rule.min_per_day is not None:
            self._check_each_day(manager, kind, rule.min_per_day, quota, per_date)
        limit = 1 if rule.different_days else rule.max_per_day
        for date, count in sorted(per_date.items()):
            if limit is not None and count > limit:
                asked = "on different days" if limit == 1 else f"at most {limit} a day"
                self._report(
                    rule_id,
                    f"{manager} has {count} sessions of {label} on {_day(date)}; "
                    f"the policy asks them {asked}",
                    manager,
                    date,
                )

    def _check_each_day(
        self, manager: str, kind: str, fewest: int, quota: Quota, per_date: Counter[dt.date]
    ) -> None:
        """`min_per_day` (e.g. the office slot for the daily report): that many sessions on
        every working day the manager is in, where a session can still fit around leave;
        where his part-day leave leaves no room, the plan declares it (`_settle_not_owed`)."""
        for date in self.working_dates:
            if per_date.get(date, 0) >= fewest or self._away_all_day(manager, date) or quota.total == 0:
                continue
            if not self._could_fit(manager, date, quota.shortest, *self._kind_window(kind, date)):
                if self.no_room_declared and self.leave.get((manager, date)):
                    # Not owed, but the week planner tells the manager (`_settle_not_owed`).
                    self.missed_for_leave[(manager, kind)][date] = fewest - per_date.get(date, 0)
                continue
            self._report(
                KIND_RULE[kind],
                f"{manager} has {_count(per_date.get(date, 0), 'session')} of {self._label(kind)} "
                f"on {_day(date)}; the policy asks at least {fewest} every working day",
                manager,
                date,
            )

    def _check_total(
        self, manager: str, kind: str, blocks: list[_Block], quota: Quota, note: str
    ) -> None:
        """The week's minutes of the kind are the quota's, or short by what the plan declares."""
        total = sum(b.minutes for b in blocks)
        if total < quota.total and self._declared_short(manager, kind, "min", total, quota.total):
            return
        if total != quota.total:
            self._report(
                KIND_RULE[kind],
                f"{manager} has {total} min of {self._label(kind)} this week; "
                f"the policy asks {quota.total}{note}{self._declared_words(manager, kind, 'min')}",
                manager,
            )

    def _check_count(
        self, manager: str, kind: str, blocks: list[_Block], quota: Quota, note: str
    ) -> None:
        """The week's number of sessions of the kind is within the quota's, or short by
        what the plan declares."""
        count = len(blocks)
        if count < quota.fewest and self._declared_short(manager, kind, "sessions", count, quota.fewest):
            return
        if not quota.fewest <= len(blocks) <= quota.most:
            asked = (
                str(quota.fewest)
                if quota.fewest == quota.most
                else f"{quota.fewest} to {quota.most}"
            )
            self._report(
                KIND_RULE[kind],
                f"{manager} has {_count(len(blocks), 'session')} of {self._label(kind)} "
                f"this week; the policy asks {asked}{note}"
                f"{self._declared_words(manager, kind, 'sessions')}",
                manager,
            )

    # -- weekly hours the plan declares short ---------------------------------------------

    def _declared_short(
        self, manager: str, kind: str, unit: Literal["min", "sessions"], planned: int, asked: int
    ) -> bool:
        """Record that the plan has `planned` of the `asked` (in `unit`); True when the
        plan declares at least that much short, so the shortfall is no fault."""
        claim = self.declared.get((manager, kind))
        declared = 0 if claim is None else claim.minutes_short if unit == "min" else claim.sessions_short
        enough = claim is not None and declared >= asked - planned
        self.short[(manager, kind)][unit] = (planned, asked, enough)
        return enough

    def _declared_words(self, manager: str, kind: str, unit: str) -> str:
        """What the plan declares of a shortfall it under-declares, to add to the fault."""
        claim = self.declared.get((manager, kind))
        if claim is None:
            return ""
        amount = f"{claim.minutes_short} min" if unit == "min" else _count(claim.sessions_short, "session")
        return f"; the plan declares only {amount} short"

    def _settle_declared(self) -> None:
        """Each declared shortfall is a deviation when it covers all the plan is measured
        short of that kind, a false claim (a violation) when the plan is not short of it.
        An under-declared one was reported as a fault of the kind's rule already."""
        for (manager, kind), claim in sorted(self.declared.items()):
            measured = self.short.get((manager, kind), {})
            label = self._label(kind)
            says = f" (the plan says: {claim.reason})" if claim.reason else ""
            if not measured:
                self._report(
                    KIND_RULE[kind],
                    f"the plan says {manager} is {claim.minutes_short} min"
                    + (f" and {_count(claim.sessions_short, 'session')}" if claim.sessions_short else "")
                    + f" short of {label}{says}, but the week has all the policy asks of it",
                    manager,
                )
                continue
            if not all(enough for _, _, enough in measured.values()):
                continue
            parts = [
                f"{asked - planned} min" if unit == "min" else _count(asked - planned, "session")
                for unit, (planned, asked, _) in sorted(measured.items())
            ]
            unit, (planned, asked, _) = min(measured.items())  # minutes first
            lost = claim.minutes_short if unit == "min" else claim.sessions_short
            has = f"{planned} of the {asked} min" if unit == "min" else f"{planned} of the {asked} sessions"
            self.deviations.append(
                Shortfall(
                    manager,
                    kind,
                    KIND_RULE[kind],
                    "min" if unit == "min" else "sessions",
                    planned,
                    asked,
                    lost,
                    f"{manager} is {' and '.join(parts)} short of {label} ({has} the policy asks)"
                    f"{says}",
                )
            )

    def _settle_not_owed(self) -> None:
        """What a part-day leave took of a department slot (minutes) or a `min_per_day`
        kind (sessions) is no fault when the plan declares it, at least that much; else a
        fault each day. A declaration with nothing taken is a false claim."""
        for key in sorted(set(self.missed_for_leave) | set(self.declared_not_owed)):
            manager, kind = key
            missed, claim = self.missed_for_leave.get(key, {}), self.declared_not_owed.get(key)
            rule_id, label = KIND_RULE[kind], self._label(kind)
            per_day = self.policy.kinds[kind].min_per_day is not None
            says = f" (the plan says: {claim.reason})" if claim is not None and claim.reason else ""
            if claim is not None and not missed:
                self._report(rule_id, f"the plan says {manager} misses the {label} for his leave{says}, but "
                             "no leave of his takes it from him", manager)
                continue
            declared = 0 if claim is None else claim.sessions_short if per_day else claim.minutes_short
            if declared >= sum(missed.values()):
                continue
            for date, amount in sorted(missed.items()):
                took = _count(amount, "session") if per_day else f"{amount} min"
                self._report(rule_id, f"{manager} has no {label} on {_day(date)} ({took}): "
                             "his leave takes it, so it is not owed, but the plan must declare it",
                             manager, date)

    # -- rules 4 and 6: paired kinds --------------------------------------------------

    def _exempt(self, manager: str) -> bool:
        return exempt_from_pairs(self.presence[manager], self.policy)

    def _check_paired_hours(self, kind: str, rule: KindRule) -> None:
        for manager in self.managers:
            if self._exempt(manager):
                continue  # paired blocks of an exempt manager are a pairing violation
            share = self._calendar_share()
            note = "" if share == 1 else f" (prorated: the calendar works {_percent(share)} of the week)"
            self._check_sessions(manager, kind, rule, prorated_quota(rule, share, self.policy.grid_minutes), note)

    def _calendar_share(self) -> Fraction:
        """The share of the policy's week the department's calendar works, at most all of
        it: data/README.md prorates every weekly quota for a holiday as for a day of leave,
        and a holiday is everyone's, so a pair's two members owe the same prorated share of
        its paired kinds (their own leave does not scale them: below the policy's
        `pairs.exempt_below_presence` they are exempt, else they owe that share)."""
        days = len(self.policy.working_days)
        return min(Fraction(len(self.working_dates), days), Fraction(1)) if days else Fraction(0)

    def _check_pairing(self) -> None:
        paired_kinds = [k for k, r in self.policy.kinds.items() if r.group == "pair"]
        if not paired_kinds:
            return
        threshold = _percent(Fraction(str(self.policy.pairs.exempt_below_presence)))
        paired = [m for m in self.managers if not self._exempt(m)]
        declared: dict[str, set[frozenset[str]]] = {m: set() for m in self.managers}
        for block in self.blocks:
            if block.kind not in paired_kinds:
                continue
            if self._exempt(block.manager):
                self._report_block(
                    "pairing",
                    block,
                    f"{block.manager} is present {_percent(self.presence[block.manager])} "
                    "of the week, "
                    f"below the {threshold} needed to be paired, yet has {self._describe(block)}",
                )
                continue
            if block.manager in block.partners:
                self._report_block(
                    "pairing",
                    block,
                    f"{block.manager}'s {self._describe(block)} "
                    "lists the manager as their own partner",
                )
            declared[block.manager].add(block.partners | {block.manager})
        for manager in paired:
            groups = declared[manager]
            if not groups:
                self._report("pairing", f"{manager} works in no pair this week", manager)
            elif len(groups) > 1:
                partners = "; ".join(_names(g - {manager}) for g in sorted(groups, key=sorted))
                self._report(
                    "pairing",
                    f"{manager} works with different partners during the week "
                    f"({partners}); a group stays together for the whole week",
                    manager,
                )
            else:
                self.groups[manager] = next(iter(groups))
        settled: set[frozenset[str]] = set()
        for manager, group in self.groups.items():
            fits = True
            for partner in sorted(group - {manager}):
                if self._exempt(partner):
                    fits = False
                    self._report(
                        "pairing",
                        f"{manager} is paired with {partner}, who is present "
                        f"{_percent(self.presence[partner])} of the week, below the {threshold} "
                        "needed to be paired",
                        manager,
                    )
                elif self.groups.get(partner) != group:
                    fits = False
                    theirs = self.groups.get(partner)
                    says = (
                        f"works with {_names(theirs - {partner})}"
                        if theirs
                        else "has no single group"
                    )
                    self._report(
                        "pairing",
                        f"{manager} works with {_names(group - {manager})}, but {partner} {says}",
                        manager,
                    )
            if fits:
                settled.add(group)
        self._check_group_sizes(paired, settled)
        for group in settled:
            for kind in paired_kinds:
                self._check_together(group, kind)

    def _check_group_sizes(self, paired: list[str], groups: set[frozenset[str]]) -> None:
        odd = self.policy.pairs.odd_headcount
        if len(paired) == 1 and odd == "trio":
            self._report(
                "pairing",
                f"only {paired[0]} is present enough to be paired; a pair needs two managers",
            )
            return
        leftover_size = {"trio": 3, "solo": 1}[odd] if len(paired) % 2 else None
        leftovers = sorted((g for g in groups if len(g) != 2), key=sorted)
        for group in leftovers:
            members = _names(group)
            if len(group) != leftover_size:
                why = (
                    "an even number of managers is paired, so everyone works in pairs"
                    if leftover_size is None
                    else "the odd one out joins a pair as a group of three"
                    if leftover_size == 3
                    else "the odd one out works alone"
                )
                together = "works alone" if len(group) == 1 else f"work as a group of {len(group)}"
                self._report("pairing", f"{members} {together}; {why}")
        if leftover_size is not None and sum(len(g) == leftover_size for g in leftovers) > 1:
            self._report(
                "pairing",
                f"there are several groups of {leftover_size}; "
                "only one is allowed, for the odd one out",
            )

    def _check_together(
        self, group: frozenset[str], kind: str, blocks: Iterable[_Block] | None = None
    ) -> None:
        """Every session of the kind (among `blocks`, all of the week by default) is
        shared by the whole group, at one store for all."""
        among = list(self.blocks if blocks is None else blocks)
        slots: dict[str, dict[tuple, _Block]] = {
            m: {b.slot: b for b in among if b.manager == m and b.kind == kind} for m in group
        }
        for manager in sorted(group):
            for slot, block in sorted(slots[manager].items()):
                missing = sorted(m for m in group if slot not in slots[m])
                if missing:
                    self._report_block(
                        "pairing",
                        block,
                        f"{manager} has {self._describe(block)}, but "
                        f"{'partner' if len(missing) == 1 else 'partners'} {_names(missing)} "
                        f"{'has' if len(missing) == 1 else 'have'} no such session; "
                        "partners work at the same time",
                    )
                    continue
                lead = min(group)
                if manager != lead and block.retailer != slots[lead][slot].retailer:
                    self._report_block(
                        "pairing",
                        block,
                        f"{manager}'s {self._describe(block)} is at "
                        f"{block.retailer or 'no store'}, but {lead} is at "
                        f"{slots[lead][slot].retailer or 'no store'}; "
                        "partners work at the same store",
                    )

    # -- rule 7: department kinds ----------------------------------------------------

    def _check_department_kind(self, kind: str, rule: KindRule) -> None:
        # A manager whose attendance an event cut short was at the slot the others share.
        blocks = [self._cut_from(b) or b for b in self.blocks if b.kind == kind]
        if rule.per_day_minutes is None:
            assert rule.sessions is not None and rule.session_minutes is not None
            anyone = any(self.presence[m] > 0 for m in self.managers)
            self._check_occasion(
                kind,
                rule,
                blocks,
                rule.sessions,
                rule.session_minutes,
                rule.total_minutes or 0,
                None,
                anyone,
            )
            return
        for date, weekday in self.working_dates.items():
            day_blocks = [b for b in blocks if b.date == date]
            minutes = rule.per_day_minutes.get(weekday)
            if minutes is None:
                for block in day_blocks:
                    if not self._away_all_day(block.manager, date):
                        self._report_block(
                            KIND_RULE[kind],
                            block,
                            f"{block.manager} has "
                            f"{self._describe(block)}; the policy plans none that day",
                        )
                continue
            anyone = any(
                not self._away_all_day(m, date)
                and self._could_fit(m, date, minutes, *self._kind_window(kind, date))
                for m in self.managers
            )
            self._check_occasion(
                kind, rule, day_blocks, (1, 1), (minutes, minutes), minutes, date, anyone
            )

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
        """One meeting day, or the site-study week: shared slots, attended by all who are in."""
        rule_id, label = KIND_RULE[kind], self._label(kind)
        when = f"on {_day(date)}" if date else "this week"
        by_slot: dict[tuple, list[_Block]] = defaultdict(list)
        for block in blocks:
            by_slot[block.slot].append(block)
        # The best-attended slots are the department's; the rest are managers gone astray.
        ranked = sorted(by_slot, key=lambda s: (-len({b.manager for b in by_slot[s]}), s))
        fewest, most = sessions
        main, stray = ranked[:most], ranked[most:]
        if owed and len(main) < fewest:
            if date:
                found = f"there is no {label} {when}; the policy asks {lengths[0]} min"
            else:
                found = f"the department has {_count(len(main), 'slot')} of {label} {when}; "
                found += f"the policy asks {fewest}"
            self._report(rule_id, f"{found} with everyone together", date=date)
        strays = {b.manager for s in stray for b in by_slot[s]}
        for slot in stray:
            for block in by_slot[slot]:
                others = "; ".join(f"{_day(s[0])} {_span(s[1], s[2])}" for s in main)
                self._report_block(
                    rule_id,
                    block,
                    f"{block.manager} has {self._describe(block)}, apart from the rest of the "
                    f"department ({others})",
                )
        shortest, longest = lengths
        lengths_ok = True
        for slot_date, start, end in main:
            if not shortest <= end - start <= longest:
                lengths_ok = False
                asked = f"{shortest} min" if shortest == longest else f"{shortest}–{longest} min"
                self._report(
                    rule_id,
                    f"the {label} on {_day(slot_date)} {_span(start, end)} lasts "
                    f"{end - start} min; the policy asks {asked}",
                    date=slot_date,
                    time=_span(start, end),
                )
        planned = sum(end - start for _, start, end in main)
        # Only a count and lengths within the rules can still add up wrong.
        if lengths_ok and len(main) >= fewest and planned != total:
            self._report(
                rule_id,
                f"the department has {planned} min of {label} {when}; the policy asks {total}",
                date=date,
            )
        per_date = Counter(slot[0] for slot in main)
        limit = 1 if rule.different_days else rule.max_per_day
        for slot_date, count in sorted(per_date.items()):
            if not date and limit is not None and count > limit:
                self._report(
                    rule_id,
                    f"the department has {count} slots of {label} on "
                    f"{_day(slot_date)}; the policy asks at most {limit} a day",
                    date=slot_date,
                )
        for slot in main:
            self._check_attendance(kind, slot, by_slot[slot], strays)

    def _check_attendance(
        self, kind: str, slot: tuple, blocks: list[_Block], strays: set[str]
    ) -> None:
        rule_id, label = KIND_RULE[kind], self._label(kind)
        date, start, end = slot
        attending = {b.manager for b in blocks}
        for manager in self.managers:
            if manager in attending or manager in strays:
                continue
            if self._on_leave_during(manager, date, start, end):
                # The week's slot (the site study) on a day he is away all day is told too,
                # when he works some other day of the week; a daily one is simply not owed.
                if self.no_room_declared and self._told_when_leave_takes(kind) and (
                        not self._away_all_day(manager, date)
                        or (not self.policy.kinds[kind].is_daily and self.presence[manager] > 0)):
                    # Not owed, but the week planner tells the manager (`_settle_not_owed`).
                    self.missed_for_leave[(manager, kind)][date] = end - start
                continue
            self._report(
                rule_id,
                f"{manager} misses the {label} on {_day(date)} {_span(start, end)}",
                manager,
                date,
                _span(start, end),
            )
        for block in blocks:
            others = attending - {block.manager}
            if block.partners != others:
                self._report_block(
                    rule_id,
                    block,
                    f"{block.manager}'s {self._describe(block)} lists {_names(block.partners)} "
                    "as attending, but "
                    + (
                        f"the others there are {_names(others)}"
                        if others
                        else "nobody else is there"
                    ),
                )

    # -- rules 6 and 8: where promotion and POS-project sessions happen ---------------

    def _check_retailers(self) -> None:
        used: dict[tuple[str, str], list[_Block]] = defaultdict(list)
        for block in self.blocks:
            rule = self.policy.kinds.get(block.kind)
            if rule is None or rule.at is None:
                continue
            rule_id = KIND_RULE[block.kind]
            wanted = "POS-target household" if rule.at == "pos_target" else "promotion store"
            who = f"{block.manager}'s {self._describe(block)}"
            if block.retailer is None:
                self._report_block(
                    rule_id, block, f"{who} names no retailer; it must be at a {wanted}"
                )
                continue
            retailer = self.retailers.get(block.retailer)
            if retailer is None:
                continue  # reported as an unknown reference
            if rule.group == "pair":
                # The block's own partners; whether they are the right ones is `pairing`'s call.
                owners = block.partners | {block.manager}
            elif rule.group == "department":
                owners = frozenset(self.managers)
            else:
                owners = frozenset({block.manager})
            flagged = retailer.pos_target if rule.at == "pos_target" else retailer.promo_store
            if not flagged:
                self._report_block(
                    rule_id,
                    block,
                    f"{who} is at {retailer.id} ({retailer.name}), which is not a {wanted}",
                )
            elif retailer.manager not in owners:
                self._report_block(
                    rule_id,
                    block,
                    f"{who} is at {retailer.id} ({retailer.name}) of "
                    f"{retailer.manager}'s territory, not of {_names(owners)}",
                )
            if rule.at == "pos_target":
                used[(block.manager, retailer.id)].append(block)
        for (manager, retailer_id), blocks in sorted(used.items()):
            if len(blocks) > 1:
                self._report(
                    KIND_RULE[blocks[0].kind],
                    f"{manager} goes to household {retailer_id} in "
                    f"{len(blocks)} sessions of {self._label(blocks[0].kind)} this week; "
                    "each session needs a different household",
                    manager,
                )
