"""The domain, modelled once (SPEC §1, §4, §7): department, manager, retailer, leave,
pair history, block, timetable. The API schemas and exports reuse these models."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.policy import Clock
from engine.public_calendar import DayKind, public_days

Area = Literal["town", "country"]
BlockKind = Literal[
    "visit", "maintenance", "site_study", "promotion", "pos_project", "phone", "meeting", "admin", "lunch"
]
Status = Literal["optimal", "feasible", "infeasible", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class GeoPoint(_Model):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Manager(_Model):
    """A customer manager (客户经理)."""

    id: str = Field(min_length=1)
    name: str
    years: float = Field(ge=0, le=60, description="years of experience")
    skills: tuple[str, ...] = ()
    extra: dict[str, str] = Field(default_factory=dict)


HANDED_OVER_WEEK = "handed_over_week"
"""An extra column of retailers.csv (an applied capacity proposal, engine/capacity): the
Monday of the week whose visits a neighbour makes for the retailer's manager."""
HANDED_OVER_TO = "handed_over_to"
"""The extra column naming that neighbour."""


class Retailer(_Model):
    """A retailer (零售户) in a manager's territory (SPEC §4)."""

    id: str = Field(min_length=1)
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    manager: str
    retailer_class: str = Field(alias="class", min_length=1)
    visits_per_4_weeks: int = Field(ge=0, le=20)
    area: Area
    opens: Clock
    closes: Clock
    service_min: int = Field(ge=1, le=480)
    pos_target: bool = False
    promo_store: bool = False
    volatile: bool = False
    enterprise: bool = False
    extra: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _opens_before_closes(self) -> Retailer:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class Leave(_Model):
    """A manager's leave: a whole day (no times) or part of one."""

    manager: str
    date: dt.date
    start: Clock | None = None
    end: Clock | None = None

    @model_validator(mode="after")
    def _times(self) -> Leave:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither for a whole day")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    @property
    def whole_day(self) -> bool:
        return self.start is None


class PairHistory(_Model):
    """A pair from a recent week (history.csv)."""

    week_start: dt.date
    manager: str
    partner: str
    kind: str


class CalendarDay(_Model):
    """A day the department's calendar sets apart (holidays.csv, SPEC §5): a holiday is no
    working day; a workday (调休, e.g. a Saturday) is one."""

    date: dt.date
    kind: DayKind
    name: str = ""


class Department(_Model):
    """A market manager's department: its managers, their retailers, leave and pair history.

    Its calendar is data both the planners and the judges read: `public_calendar` names
    the country whose public holidays and make-up working days apply (copied from the
    policy by the loader; None: no public holidays) and `calendar_days` are the
    department's own days (holidays.csv), which add to or override the public ones.
    """

    name: str
    office: GeoPoint
    policy: str = Field(description="built-in policy name or path to a TOML file")
    market_manager: str
    managers: tuple[Manager, ...]
    retailers: tuple[Retailer, ...] = ()
    leave: tuple[Leave, ...] = ()
    history: tuple[PairHistory, ...] = ()
    public_calendar: str | None = None
    calendar_days: tuple[CalendarDay, ...] = ()
    street_network: str | None = Field(
        default=None,
        description="department.toml's street network (GraphML or OSM extract), a path relative "
        "to the department folder; the route map draws its streets (SPEC §1: the exports)",
    )

    @field_validator("managers")
    @classmethod
    def _some_managers(cls, managers: tuple[Manager, ...]) -> tuple[Manager, ...]:
        if not managers:
            raise ValueError("a department needs at least one manager")
        return managers

    def calendar_day(self, date: dt.date) -> CalendarDay | None:
        """What the calendar says of a date: the department's own day first, then the
        public calendar's; None for an ordinary day."""
        for day in self.calendar_days:
            if day.date == date:
                return day
        if self.public_calendar is None:
            return None
        found = public_days(self.public_calendar, date.year).get(date)
        return None if found is None else CalendarDay(date=date, kind=found[0], name=found[1])

    def manager(self, manager_id: str) -> Manager:
        for manager in self.managers:
            if manager.id == manager_id:
                return manager
        raise KeyError(manager_id)

    def leave_within(self, manager_id: str, date: dt.date, start: int, end: int) -> list[tuple[int, int]]:
        """The manager's leave on `date` clipped to the window [start, end) (minutes, e.g.
        the policy's working day), merged where rows overlap or touch, in time order; a
        whole-day row is the whole window."""
        spans = sorted(
            (start, end) if entry.start is None or entry.end is None else (max(entry.start, start), min(entry.end, end))
            for entry in self.leave if entry.manager == manager_id and entry.date == date)
        merged: list[tuple[int, int]] = []
        for span_start, span_end in spans:
            if span_end <= span_start:
                continue
            if merged and span_start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], span_end))
            else:
                merged.append((span_start, span_end))
        return merged

    def away_all_day(self, manager_id: str, date: dt.date, start: int, end: int) -> bool:
        """Whether the manager's leave on `date` takes the whole window [start, end): a
        whole-day row, or part-day rows that alone or together cover it (a 08:00–17:30 row
        on a 08:00–17:30 working day is a whole day of leave)."""
        return self.leave_within(manager_id, date, start, end) == [(start, end)]

    def territory(self, manager_id: str) -> list[Retailer]:
        return [r for r in self.retailers if r.manager == manager_id]

    def territory_centres(self) -> dict[str, tuple[float, float]]:
        """Mean (lat, lon) of each manager's retailers; the office for a manager without any."""
        sums: dict[str, list[float]] = {}
        for r in self.retailers:
            acc = sums.setdefault(r.manager, [0.0, 0.0, 0.0])
            acc[0] += r.lat
            acc[1] += r.lon
            acc[2] += 1
        office = (self.office.lat, self.office.lon)
        return {m.id: (sums[m.id][0] / sums[m.id][2], sums[m.id][1] / sums[m.id][2]) if m.id in sums
                else office for m in self.managers}


class Block(_Model):
    """One block of a manager's week on the timetable."""

    manager: str
    date: dt.date
    kind: BlockKind
    start: Clock
    end: Clock
    with_: tuple[str, ...] = Field(default=(), alias="with")
    retailer: str | None = None


class Duty(_Model):
    manager: str
    duty: str


class DutyGap(_Model):
    """A specialist duty the department cannot fill as the policy asks: fewer managers
    hold it than it needs (never hidden: printed and in the timetable JSON)."""

    duty: str
    managers_needed: int = Field(ge=1)
    managers_assigned: int = Field(ge=0)
    reason: str


class Conflict(_Model):
    """Rules that cannot all hold together, in words a market manager understands."""

    rules: tuple[str, ...]
    message: str


class HoursShortfall(_Model):
    """Weekly hours of one kind a manager's week cannot hold, said with amounts: the week
    is planned short rather than not at all when the rides between its places leave no
    room for every hour the policy asks (SPEC §2 hours, §3 rides)."""

    manager: str
    kind: str
    minutes_short: int = Field(ge=0)
    sessions_short: int = Field(default=0, ge=0)
    reason: str = ""
    not_owed: bool = False
    """A daily block a part-day leave leaves no room for: not owed that day, so not hours
    the week lost (told to the manager all the same)."""
    date: dt.date | None = None
    """The day a not-owed block falls on (None for weekly hours short)."""


class ManagerRef(_Model):
    id: str
    name: str


class Timetable(_Model):
    """A department's week: the JSON contract of `fieldweek timetable --json`."""

    department: str
    policy: str
    week_start: dt.date
    status: Status
    objective: float | None = None
    best_bound: float | None = None
    solve_seconds: float = 0.0
    first_feasible_seconds: float | None = None
    """Seconds from the call to the first whole week known (None: none was found)."""
    proof_seconds: float | None = None
    """Seconds from the call to the proof of optimality (None: not proven within the limit)."""
    managers: tuple[ManagerRef, ...] = ()
    blocks: tuple[Block, ...] = ()
    duties: tuple[Duty, ...] = ()
    unfilled_duties: tuple[DutyGap, ...] = ()
    """Duties left unfilled or short of managers, each with its reason."""
    conflicts: tuple[Conflict, ...] = ()
    week_notes: tuple[str, ...] = ()
    """What the calendar does to this week that a reader would not expect, in words (a
    make-up working day adding its daily blocks to the weekly hours)."""
    shortfalls: tuple[HoursShortfall, ...] = ()
    """Hours the planner knowingly left out (never hidden: the judges measure them too)."""
    hours_short_floor_minutes: int | None = None
    """No week of this department can be short of fewer weekly minutes than this: proven
    group by group (engine/timetable/group_floors.py). None: not looked for (the quotas
    are hard, too many pairs for the time, or the search was told not to), or nothing
    above 0 proven in the time."""

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)
