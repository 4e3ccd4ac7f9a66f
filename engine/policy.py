"""The policy: every business number of the product, loaded from a TOML file (SPEC §5).

Nothing in engine/ may hard-code hours, clock times, stop counts or pair sizes;
they come from a `Policy`. Policies ship in `data/policies/` (installed as the
package `fieldweek_policies`) and a department may name its own file instead.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from engine.errors import InputError, Problem

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES: dict[str, str] = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                    "Saturday", "Sunday"), strict=True))


def parse_clock(value: object) -> int:
    """'HH:MM' -> minutes after midnight; ints pass through (already minutes)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a time HH:MM, got {value!r}")
    if isinstance(value, int):
        minutes = value
    else:
        text = str(value).strip()
        parts = text.split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise ValueError(f"expected a time HH:MM, got {text!r}")
        hours, mins = int(parts[0]), int(parts[1])
        if hours > 24 or mins > 59:
            raise ValueError(f"{text!r} is not a time of day")
        minutes = hours * 60 + mins
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"{value!r} is not a time of day")
    return minutes


def format_clock(minutes: int) -> str:
    """Minutes after midnight -> 'HH:MM'."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Clock = Annotated[int, BeforeValidator(parse_clock), PlainSerializer(format_clock, return_type=str)]
"""A clock time, held as minutes after midnight, written as HH:MM."""


def _written_clock(value: object) -> int:
    """A policy's clock as the file must spell it, "HH:MM" in quotes: a bare number is
    ambiguous (540 read as minutes is 09:00, 930 meant as 09:30 is 15:30), so it is
    refused rather than guessed."""
    if isinstance(value, dt.time):
        raise ValueError(f'{value:%H:%M:%S} is a TOML time, not text: write it as "{value:%H:%M}"')
    if not isinstance(value, str):
        raise ValueError(f'{value!r} is not a clock time written as text: write it as "HH:MM" in quotes, '
                         f'e.g. "09:30"')
    return parse_clock(value)


PolicyClock = Annotated[int, BeforeValidator(_written_clock), PlainSerializer(format_clock, return_type=str)]
"""A clock setting of a policy file: `Clock`, but only ever written "HH:MM" (never minutes)."""

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Setting = Literal["field", "office"]
"""Where a kind of work is done: in the field (ridden to) or at the office."""
Group = Literal["single", "pair", "department"]


def _wants_number(annotation: object) -> bool:
    """Whether a field takes a number or yes/no (alone, or among None)."""
    if annotation in (int, float, bool):
        return True
    args = [a for a in get_args(annotation) if a is not type(None) and a is not Ellipsis]
    return get_origin(annotation) is not Literal and bool(args) and all(_wants_number(a) for a in args)


def _number_text(value: object) -> bool:
    """A number or yes/no written as text ("35", "0.9", "true"), alone or in a list."""
    if isinstance(value, list | tuple):
        return any(_number_text(item) for item in value)
    if not isinstance(value, str):
        return False
    text = value.strip().lower()
    if text in ("true", "false"):
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_not_quoted(cls, value: object, info: ValidationInfo) -> object:
        """A number in quotes ("35") is text in TOML: pydantic would read it as the number and
        let a policy file pass that a stricter reader refuses; say so instead."""
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and field.annotation in (bool, bool | None) and not isinstance(value, bool | None):
            raise ValueError(f"{value!r} is not true or false: write true or false, without quotes")
        clock = field is not None and any(getattr(m, "func", None) is _written_clock for m in field.metadata)
        if field is not None and not clock and _wants_number(field.annotation) and _number_text(value):
            raise ValueError(f"{value!r} is text where a number (or true/false) belongs: write it without quotes")
        return value


class DayRules(_Strict):
    start: PolicyClock
    end: PolicyClock
    normal_end: PolicyClock
    field_ends_by: PolicyClock | None = Field(
        default=None, description="every field block (any kind) ends by this time (SPEC §3); none: each kind's own")

    @model_validator(mode="after")
    def _ordered(self) -> DayRules:
        if not self.start < self.normal_end <= self.end:
            raise ValueError(
                f"the working day must start before its normal end, and end no earlier than that: day.start "
                f"({format_clock(self.start)}), day.normal_end ({format_clock(self.normal_end)}) and day.end "
                f"({format_clock(self.end)}) are not in that order")
        if self.field_ends_by is not None and not self.start < self.field_ends_by <= self.end:
            raise ValueError(
                f"day.field_ends_by ({format_clock(self.field_ends_by)}) must lie within the working day "
                f"{format_clock(self.start)}–{format_clock(self.end)} (day.start, day.end)")
        return self


class LunchRules(_Strict):
    minutes: int = Field(ge=0, le=180)
    earliest: PolicyClock
    latest_end: PolicyClock
    during_visit: bool = False

    @model_validator(mode="after")
    def _fits(self) -> LunchRules:
        if self.earliest + self.minutes > self.latest_end:
            raise ValueError(
                f"lunch of {self.minutes} min cannot fit between {format_clock(self.earliest)} "
                f"and {format_clock(self.latest_end)}"
            )
        return self


class TravelRules(_Strict):
    office_field_buffer_min: int = Field(ge=0, le=120)
    field_transfer_min: int = Field(ge=0, le=120)
    town_speed_kmh: float = Field(gt=0, le=80)
    country_speed_kmh: float = Field(gt=0, le=120)
    detour_factor: float = Field(ge=1.0, le=3.0)
    territory_max_km: float | None = Field(
        default=None, gt=0,
        description="the farthest (straight line) a retailer may lie from the department's office; "
        "one beyond it is refused on loading as a coordinate mistake. None: not checked")


class RouteRules(_Strict):
    first_stop_by: PolicyClock
    first_stop_by_on: dict[Weekday, PolicyClock] = Field(
        default_factory=dict,
        description="per weekday: the latest first-stop time on a day following that weekday's rules, a cap "
        "used only as far as a manager's ride after the day's morning meeting needs; a manager who can reach "
        "his nearest due retailer by `first_stop_by` after the meeting still does (SPEC §3: Monday's meeting "
        "comes first, the ride to the first retailer after it; engine/routing/approach.py)")
    visiting_ends_by: PolicyClock
    later_first_stop_after_leave: bool = Field(
        default=False,
        description="a part-day leave that takes a manager's morning (it begins before his first stop is due, "
        "before even the shortest visit block worth planning fits ahead of it, or leaves more of the visit "
        "window after it than before it) moves that day's first-stop time "
        "and the visit block's latest start on by as long as the leave keeps him past the working day's start: "
        "back at 10:00 from a leave from 08:00, he reaches his first retailer by first_stop_by + 2 h "
        "(engine/routing/approach.back_from_leave). false: such a day keeps only the visit block that fits "
        "before the leave, or none")
    late_first_stop_when_far: bool = Field(
        default=False,
        description="a manager whose ride from the office to his nearest retailer due that week cannot reach it "
        "by the day's first-stop time even from the visit block's earliest start (after the day's fixed "
        "department slots) reaches it as soon as that ride allows, rounded up to the grid, and the week's "
        "notes name him and the time (engine/routing/approach.first_stop_time). false: such a week has no "
        "timetable, and the conflict names him")
    min_service_min: int = Field(ge=1, le=240)
    min_stops_town: int = Field(ge=0, le=200)
    min_stops_country: int = Field(ge=0, le=200)

    @model_validator(mode="after")
    def _ordered(self) -> RouteRules:
        if self.first_stop_by >= self.visiting_ends_by:
            raise ValueError("route.first_stop_by must be before route.visiting_ends_by")
        for weekday, clock in self.first_stop_by_on.items():
            if clock >= self.visiting_ends_by:
                raise ValueError(f"route.first_stop_by_on.{weekday} ({format_clock(clock)}) must be before "
                                 f"route.visiting_ends_by ({format_clock(self.visiting_ends_by)})")
        return self

    def first_stop_on(self, weekday: Weekday) -> int:
        """"First retailer reached by 09:30" — SPEC §3: the latest first-stop time of a day
        following `weekday`'s rules (a make-up working day follows the policy's
        `makeup_day_rules`), for any manager; a manager's own time that day is
        engine/routing/approach.first_stop_time."""
        return self.first_stop_by_on.get(weekday, self.first_stop_by)


class PairRules(_Strict):
    size: int = Field(ge=2, le=2, description="only pairs are modelled; an odd head-count adds a trio or a solo")
    odd_headcount: Literal["trio", "solo"] = "trio"
    senior_years: float = Field(ge=0)
    newcomer_years: float = Field(ge=0)
    history_weeks: int = Field(ge=0, le=52)
    exempt_below_presence: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> PairRules:
        if self.newcomer_years > self.senior_years:
            raise ValueError("pairs.newcomer_years must not exceed pairs.senior_years")
        return self


class ObjectiveWeights(_Strict):
    senior_newcomer_pair: int = Field(ge=0)
    repeated_partner: int = Field(ge=0)
    pair_distance_per_km: int = Field(ge=0)
    office_piece: int = Field(ge=0)
    late_finish_per_10min: int = Field(ge=0)
    max_late_finish_per_10min: int = Field(ge=0)
    site_study_absence: int = Field(ge=0)
    meeting_absence: int = Field(default=0, ge=0, description=(
        "penalty per manager missing a department meeting for a leave the meeting could have avoided "
        "(a leave that overlaps it); 0: a meeting may fall in anyone's leave at no cost"))
    missing_weekly_hours_per_10min: int | None = Field(
        default=None, ge=1, description="a week the rides cannot hold is planned short at this cost per 10 min of "
        "missing weekly hours, and says so; none: the weekly hours are hard (no plan rather than a short one)")


class KindRule(_Strict):
    """How one block kind is scheduled.

    Either `per_day_minutes` (one block of a fixed length on each listed day: visit,
    phone, meeting) or a weekly quota `total_minutes` split into `sessions` of
    `session_minutes` each (maintenance, promotion, pos_project, admin, site_study).
    """

    label_zh: str
    label_en: str
    place: Setting
    group: Group = "single"
    per_day_minutes: dict[Weekday, int] | None = None
    sessions: tuple[int, int] | None = None
    session_minutes: tuple[int, int] | None = None
    total_minutes: int | None = Field(default=None, ge=0)
    different_days: bool = False
    max_per_day: int | None = Field(default=None, ge=1)
    min_per_day: int | None = Field(
        default=None, ge=1, description="at least this many sessions on each day a manager works (a daily report slot)")
    at: Literal["promo_store", "pos_target"] | None = None
    shortest_beside_leave: int | None = Field(
        default=None, ge=1,
        description="minutes: on a day a part-day leave leaves no room for the whole daily block, the "
        "longest block that fits beside the leave is planned, when at least this long (not set: the "
        "block is not owed that day)")
    earliest_start: PolicyClock
    latest_start: PolicyClock | None = None
    latest_end: PolicyClock
    windows: dict[Weekday, tuple[PolicyClock, PolicyClock]] = Field(
        default_factory=dict,
        description="per weekday: (earliest start, latest end) replacing the kind's own on that day "
        "(the Monday meeting that opens the week, the Friday review)")

    @model_validator(mode="after")
    def _consistent(self) -> KindRule:
        daily = self.per_day_minutes is not None
        weekly = self.total_minutes is not None
        if daily == weekly:
            raise ValueError("give either per_day_minutes or total_minutes (with sessions, session_minutes)")
        if daily:
            for day, minutes in (self.per_day_minutes or {}).items():
                if minutes <= 0:
                    raise ValueError(f"per_day_minutes.{day} must be positive")
                if self.earliest_start + minutes > self.latest_end:
                    raise ValueError(
                        f"{minutes} min on {day} cannot fit between {format_clock(self.earliest_start)} "
                        f"and {format_clock(self.latest_end)}"
                    )
        else:
            if self.sessions is None or self.session_minutes is None:
                raise ValueError("a weekly quota needs sessions = [min, max] and session_minutes = [min, max]")
            (smin, smax), (mmin, mmax) = self.sessions, self.session_minutes
            if not 1 <= smin <= smax or not 1 <= mmin <= mmax:
                raise ValueError("sessions and session_minutes must be [min, max] with 1 <= min <= max")
            total = self.total_minutes or 0
            if not smin * mmin <= total <= smax * mmax:
                raise ValueError(
                    f"total_minutes {total} cannot be split into {smin}-{smax} sessions "
                    f"of {mmin}-{mmax} min"
                )
            if self.earliest_start + mmin > self.latest_end:
                raise ValueError("a session cannot fit between earliest_start and latest_end")
        if self.latest_start is not None and self.latest_start < self.earliest_start:
            raise ValueError("latest_start is before earliest_start")
        if self.latest_start is not None and self.latest_start > self.latest_end:
            # Read as a rule that holds, it said nothing (a tester's 18:00 against 17:30 loaded
            # silently); a latest start a longer block cannot use is only loose, and stays.
            raise ValueError(f"latest_start {format_clock(self.latest_start)} is after latest_end "
                             f"{format_clock(self.latest_end)}")
        for day, (earliest, latest_end) in self.windows.items():
            minutes = (self.per_day_minutes or {}).get(day) or (self.session_minutes or (0, 0))[0]
            if earliest + minutes > latest_end:
                raise ValueError(f"the {day} window {format_clock(earliest)}-{format_clock(latest_end)} "
                                 f"cannot hold {minutes} min")
        if self.shortest_beside_leave is not None:
            if not daily or self.group != "single":
                raise ValueError("shortest_beside_leave is for a manager's own daily kind (per_day_minutes, "
                                 "group single)")
            if any(self.shortest_beside_leave >= m for m in (self.per_day_minutes or {}).values()):
                raise ValueError("shortest_beside_leave must be shorter than the day's block on every day")
        if self.min_per_day is not None and self.is_daily:
            raise ValueError("min_per_day is for a weekly quota; a daily kind has its block every day already")
        if self.min_per_day is not None and self.max_per_day is not None and self.min_per_day > self.max_per_day:
            raise ValueError("min_per_day must not exceed max_per_day")
        return self

    def window(self, weekday: Weekday) -> tuple[int, int]:
        """(earliest start, latest end) of the kind on a day following `weekday`'s rules."""
        return self.windows.get(weekday, (self.earliest_start, self.latest_end))

    @property
    def is_daily(self) -> bool:
        return self.per_day_minutes is not None

    def weekly_minutes(self, working_days: tuple[str, ...]) -> int:
        if self.per_day_minutes is not None:
            return sum(m for d, m in self.per_day_minutes.items() if d in working_days)
        return self.total_minutes or 0


class DutyRule(_Strict):
    """A specialist duty (SPEC §2): assigned by skill, done in admin time."""

    name: str
    label_zh: str
    label_en: str
    skill: str
    managers: int = Field(ge=1, le=10)
    fallback: Literal["most_senior", "none"] = "none"


class ReplanRules(_Strict):
    """Mid-week re-planning (SPEC §1): what a change to the plan costs, and where the
    due visits of an absent manager may go."""

    moved_block: int = Field(ge=0, description="penalty per block moved, added or dropped after now")
    missing_per_10min: int = Field(ge=0, description="penalty per 10 min of weekly hours the re-plan cannot keep")
    handover: tuple[Literal["next_days", "neighbour"], ...] = Field(
        description="where an absent manager's due visits go, in order of preference; empty: nowhere"
    )
    neighbour_max_km: float = Field(gt=0, description="a neighbouring territory's centre lies this close")


class FeedbackRules(_Strict):
    """The Friday feedback sheet (工作时间实行情况反馈表): when a deviation is flagged."""

    deviation_flag_percent: float = Field(ge=0, le=100)
    deviation_flag_minutes: int = Field(ge=0)


class MonthRules(_Strict):
    """The month's rhythm (SPEC §3) and how evenly a retailer's visits are spread."""

    focus_days: tuple[int, int] = Field(description="first and last day of the month of the focus window")
    focus_flags: tuple[Literal["volatile", "enterprise"], ...]
    min_gap_share: float = Field(gt=0, le=1)
    max_gap_share: float = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> MonthRules:
        first, last = self.focus_days
        if not 1 <= first <= last <= 31:
            raise ValueError("month.focus_days must be [first, last] with 1 <= first <= last <= 31")
        return self


class CapacityRules(_Strict):
    """What `fieldweek capacity` may propose when due visits exceed the visit blocks
    (SPEC §4, §6 "every retailer due is visited"): the share of visit minutes kept free,
    whose frequency may be lowered and how far, and which managers are neighbours."""

    margin_percent: float = Field(ge=0, lt=100)
    lowerable_classes: tuple[str, ...] = Field(
        description="retailer classes whose visits_per_4_weeks may be lowered; never class A")
    min_visits_per_4_weeks: int = Field(ge=1, le=20)
    neighbour_max_km: float = Field(gt=0)
    max_rounds: int = Field(ge=1, le=10)
    phone_classes: tuple[str, ...] = Field(
        default=(), description="classes whose visits may be made by phone (电话拜访, SPEC §2) for a cycle "
                                "when no move or lowering is left for them; never A")
    phone_kind: str | None = Field(default=None, description="the timetable kind whose minutes hold those calls")
    phone_call_minutes: int | None = Field(default=None, ge=1, le=60, description="minutes one such call takes")
    margin_min: int = Field(default=0, ge=0, le=600, description="minutes of a changed manager's visit blocks "
                            "kept free at least, when more than margin_percent of them")
    confirm_plans: int = Field(default=0, ge=0, le=5, description="fresh plans of the changed week that must "
                               "also hold every due visit before the proposal is said to fit")
    far_move_max_km: float | None = Field(default=None, gt=0, description="when no other change is left, a "
                                          "retailer moves to a manager with spare minutes up to this far, "
                                          "the ride there and back counted")

    @model_validator(mode="after")
    def _key_customers_kept(self) -> CapacityRules:
        if "A" in self.lowerable_classes or "A" in self.phone_classes:
            raise ValueError("capacity.lowerable_classes and capacity.phone_classes must not hold A: key "
                             "customers keep their visits (SPEC §4, the 20/80 rule)")
        if self.phone_classes and (self.phone_kind is None or self.phone_call_minutes is None):
            raise ValueError("capacity.phone_classes needs capacity.phone_kind (the slot that holds the "
                             "calls) and capacity.phone_call_minutes")
        return self


class VisitValueRules(_Strict):
    """What a visit is worth when a day cannot hold every due visit (SPEC §4, seed 001's 20/80
    rule: the few big customers deserve more visits; SPEC §3, the month's focus window): the
    least valuable visits are left out first, and a visit of `key_class` is never left out
    while one of `least_class` of the same manager-week is made."""

    by_class: dict[str, int] = Field(description="value of a visit by retailer class")
    other_classes: int = Field(ge=1, description="value of a visit to a class not in by_class (only when "
                               "accept_other_classes)")
    accept_other_classes: bool = Field(
        default=False, description="true: a retailer of a class not in by_class loads and is valued "
        "other_classes; false: the loader refuses it at its row, as a typo (data/README.md)")
    focus_bonus: dict[Literal["volatile", "enterprise"], int] = Field(
        default_factory=dict,
        description="added per flag in a week that overlaps the month's focus_days ([month], SPEC §3)")
    key_class: str = Field(min_length=1, description="the class that outranks every other visit")
    least_class: str = Field(min_length=1, description="the class left out first")

    @model_validator(mode="after")
    def _key_outranks(self) -> VisitValueRules:
        bad = sorted(c for c, v in self.by_class.items() if v < 1)
        if bad or any(v < 0 for v in self.focus_bonus.values()):
            raise ValueError(f"visit values must be at least 1 and bonuses at least 0 (classes {bad})")
        for name in (self.key_class, self.least_class):
            if name not in self.by_class:
                raise ValueError(f"class {name!r} needs a value in visit_value.by_class")
        key = self.by_class[self.key_class]
        others = [v for c, v in self.by_class.items() if c != self.key_class] + [self.other_classes]
        ceiling = max(others) + sum(self.focus_bonus.values())
        if key <= ceiling:
            raise ValueError(f"visit_value.by_class.{self.key_class} = {key} must exceed every other "
                             f"visit with all its bonuses ({ceiling}): key customers come first")
        return self

    def value(self, retailer_class: str, flags: tuple[str, ...] = ()) -> int:
        """A visit's value: its class's, plus the bonus of each of its `flags` that counts."""
        base = self.by_class.get(retailer_class, self.other_classes)
        return base + sum(self.focus_bonus.get(flag, 0) for flag in flags)  # type: ignore[call-overload]

    def known_class(self, text: str) -> str | None:
        """The class a retailers.csv cell names, as by_class spells it (case and surrounding
        spaces do not matter), upper-cased if by_class lacks it but the policy accepts other
        classes; None: a class the policy refuses."""
        wanted = text.strip().upper()
        for name in self.by_class:
            if name.upper() == wanted:
                return name
        return wanted if self.accept_other_classes and wanted else None


KIND_ORDER: tuple[str, ...] = (
    "visit",
    "maintenance",
    "site_study",
    "promotion",
    "pos_project",
    "phone",
    "meeting",
    "admin",
)


class Policy(_Strict):
    name: str
    title: str = ""
    title_en: str = Field(default="", description="the title in English, for the exports in English "
                          "(`title` is the Chinese one); none: the English exports show `name`")
    grid_minutes: int = Field(ge=1, le=60)
    weekly_hours: float | None = Field(default=None, gt=0, le=80)
    working_days: tuple[Weekday, ...]
    calendar: str | None = Field(
        default=None, description="country of the public holidays and make-up working days (e.g. CN); none: no public holidays")
    makeup_day_rules: Weekday | None = Field(
        default=None, description="the working weekday whose rules a make-up working day (调休) follows; "
        "none: the first of working_days")
    day: DayRules
    lunch: LunchRules
    travel: TravelRules
    route: RouteRules
    pairs: PairRules
    objective: ObjectiveWeights
    kinds: dict[str, KindRule]
    duties: tuple[DutyRule, ...] = ()
    replan: ReplanRules | None = None
    feedback: FeedbackRules | None = None
    month: MonthRules | None = None
    capacity: CapacityRules | None = None
    visit_value: VisitValueRules | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        """Settings that contradict one another, each told at the key to change (a
        `SettingsClash`), all at once."""
        clashes: list[tuple[str, str]] = []
        for name in sorted(set(self.kinds) - set(KIND_ORDER)):
            clashes.append((f"kinds.{name}", f"unknown block kind `kinds.{name}`; known kinds are "
                                             f"{', '.join(KIND_ORDER)}"))
        if "visit" not in self.kinds:
            clashes.append(("kinds.visit", "a policy needs a kinds.visit rule (the daily visit route lives in it)"))
        elif self.kinds["visit"].per_day_minutes is None:
            clashes.append(("kinds.visit", "kinds.visit must use per_day_minutes"))
        if not self.working_days:  # every weekday setting would be "not a working day" besides
            raise SettingsClash([*clashes, ("working_days", "working_days lists no day: name the weekdays worked, "
                                                            'e.g. ["mon", "tue", "wed", "thu", "fri"]')])
        twice = sorted({d for d in self.working_days if self.working_days.count(d) > 1}, key=WEEKDAYS.index)
        if twice:
            clashes.append(("working_days", f"working_days must list distinct days: {', '.join(twice)} twice"))
        if self.makeup_day_rules is not None and self.makeup_day_rules not in self.working_days:
            clashes.append(("makeup_day_rules", f"makeup_day_rules '{self.makeup_day_rules}' is not one of the "
                                                f"working_days {list(self.working_days)}"))
        for weekday in self.route.first_stop_by_on:
            if weekday not in self.working_days:
                clashes.append((f"route.first_stop_by_on.{weekday}",
                                f"route.first_stop_by_on.{weekday}: '{weekday}' is not one of the working_days "
                                f"{list(self.working_days)}"))
        clashes += self._days_not_worked()
        clashes += self._off_the_grid()
        clashes += self._sessions_every_day()
        phone_kind = self.capacity.phone_kind if self.capacity is not None else None
        if phone_kind is not None and phone_kind not in self.kinds:
            clashes.append(("capacity.phone_kind", f"capacity.phone_kind '{phone_kind}' is not one of the kinds"))
        if self.weekly_hours is not None:
            planned = sum(k.weekly_minutes(self.working_days) for k in self.kinds.values())
            if planned != round(self.weekly_hours * 60):
                clashes.append(("weekly_hours", f"the kinds add up to {planned / 60:g} h a week, but weekly_hours "
                                                f"says {self.weekly_hours:g} h"))
        if clashes:
            raise SettingsClash(clashes)
        return self

    def _days_not_worked(self) -> list[tuple[str, str]]:
        """A daily block or a window on a weekday outside working_days (a Saturday meeting
        under mon–fri) would never be planned: a make-up working day follows
        makeup_day_rules, one of working_days, not its own weekday (engine/work_calendar)."""
        clashes = []
        for name, kind in self.kinds.items():
            for table, days in (("per_day_minutes", kind.per_day_minutes or {}), ("windows", kind.windows)):
                for weekday in days:
                    if weekday not in self.working_days:
                        key = f"kinds.{name}.{table}.{weekday}"
                        clashes.append((key, f"{key}: '{weekday}' is not one of the working_days "
                                             f"{list(self.working_days)}, so it would never be planned"))
        return clashes

    def _sessions_every_day(self) -> list[tuple[str, str]]:
        """A `min_per_day` the kind's weekly sessions or minutes cannot give every working
        day (a tester's admin min_per_day = 3 under seed-003: 15 sessions against at most 10,
        refused only at the search as "office work" that could not fit)."""
        clashes = []
        days = len(self.working_days)
        for name, rule in self.kinds.items():
            if rule.min_per_day is None or rule.sessions is None or rule.session_minutes is None:
                continue
            key, need = f"kinds.{name}.min_per_day", rule.min_per_day * days
            asks = f"{key} = {rule.min_per_day} asks {need} sessions a week ({rule.min_per_day} on each of {days} working days)"
            if need > rule.sessions[1]:
                clashes.append((key, f"{asks}, but kinds.{name}.sessions allows at most {rule.sessions[1]}"))
            elif rule.total_minutes is not None and need * rule.session_minutes[0] > rule.total_minutes:
                clashes.append((key, f"{asks} of at least {rule.session_minutes[0]} min, but kinds.{name}.total_minutes "
                                     f"is {rule.total_minutes}"))
        return clashes

    def _off_the_grid(self) -> list[tuple[str, str]]:
        """Minutes and clock times off the policy's grid, which the timetable cannot place."""
        grid, clashes = self.grid_minutes, []
        for name, kind in self.kinds.items():
            for minutes in dict.fromkeys((kind.per_day_minutes or {}).values()):  # each length told once
                if minutes % grid:
                    clashes.append((f"kinds.{name}.per_day_minutes",
                                    f"{kind.label_en}: {minutes} min is not on the {grid}-min grid"))
            if kind.session_minutes and any(m % grid for m in kind.session_minutes):
                clashes.append((f"kinds.{name}.session_minutes",
                                f"{kind.label_en}: session_minutes not on the {grid}-min grid"))
            if kind.total_minutes and kind.total_minutes % grid:
                clashes.append((f"kinds.{name}.total_minutes",
                                f"{kind.label_en}: total_minutes not on the {grid}-min grid"))
        clocks = [self.day.start, self.day.end, self.lunch.earliest, self.lunch.latest_end]
        for kind in self.kinds.values():
            clocks += [kind.earliest_start, kind.latest_end, *(c for w in kind.windows.values() for c in w)]
        if any(c % grid for c in clocks) or self.lunch.minutes % grid:
            clashes.append(("grid_minutes", f"every clock time and the lunch must lie on the {grid}-min grid"))
        # The route's and the field's limits bound blocks on the grid: off it, the timetable
        # rounds the deadline down and the ride up, and refused a week a manager could ride
        # (first stop by 09:35, a 54-min ride after an 08:40 meeting: 09:34, read as 09:40).
        limits = {"route.first_stop_by": self.route.first_stop_by,
                  "route.visiting_ends_by": self.route.visiting_ends_by,
                  **{f"route.first_stop_by_on.{day}": at for day, at in self.route.first_stop_by_on.items()},
                  **({"day.field_ends_by": self.day.field_ends_by} if self.day.field_ends_by is not None else {})}
        for key, at in limits.items():
            if at % grid:
                clashes.append((key, f"{key} {format_clock(at)} is not on the {grid}-min grid the week is planned "
                                     f"on: write {format_clock(at - at % grid)} or {format_clock(at - at % grid + grid)}"))
        return clashes

    @model_validator(mode="after")
    def _clocks_fit_the_day(self) -> Policy:
        clashes = _clock_clashes(self)
        if clashes:
            raise SettingsClash(clashes)
        return self

    def kind_label(self, kind: str, lang: str = "zh") -> str:
        if kind == "lunch":
            return "午餐" if lang == "zh" else "Lunch"
        rule = self.kinds.get(kind)
        if rule is None:
            return kind
        return rule.label_zh if lang == "zh" else rule.label_en


class SettingsClash(ValueError):
    """Settings of a policy that cannot all hold on any day, each told at the setting to
    change: the loader reports each as a problem of its own (`policy_from_mapping`), so a
    policy with several clashes is fixed in one go rather than one reload per clash."""

    def __init__(self, clashes: list[tuple[str, str]]):
        self.clashes = clashes
        super().__init__("; ".join(words for _, words in clashes))


def _clock_clashes(policy: Policy) -> list[tuple[str, str]]:
    """(setting, words) for each clock setting the working day leaves no room for: an
    impossible order the timetable would otherwise meet only as an infeasible week, told
    there in terms of managers and rides instead of the setting that is wrong.

    The windows are those the timetable uses (engine/timetable/model.kind_window: a kind's
    own window that weekday, cut to the working day, field work cut to day.field_ends_by)."""
    day, route = policy.day, policy.route
    clashes = []
    first_stops = [("route.first_stop_by", route.first_stop_by),
                   *((f"route.first_stop_by_on.{d}", c) for d, c in route.first_stop_by_on.items())]
    for setting, clock in first_stops:
        if clock <= day.start:
            when = (f"comes before the working day starts at {format_clock(day.start)}" if clock < day.start
                    else "leaves no time to ride out after the working day starts")
            clashes.append((setting, f"{setting} ({format_clock(clock)}) must be after day.start "
                                     f"({format_clock(day.start)}): the first stop by {format_clock(clock)} {when}"))
    if route.visiting_ends_by > day.end:
        clashes.append(("route.visiting_ends_by",
                        f"route.visiting_ends_by ({format_clock(route.visiting_ends_by)}) must not be after day.end "
                        f"({format_clock(day.end)}): visiting cannot go on after the working day ends"))
    visit = policy.kinds["visit"]
    too_early: dict[tuple[str, int, str, int], list[str]] = {}
    for weekday in policy.working_days:
        own_earliest = visit.window(weekday)[0]
        deadline = route.first_stop_on(weekday)
        if day.start < deadline <= own_earliest and weekday in (visit.per_day_minutes or {}):
            opens = f"kinds.visit.windows.{weekday}" if weekday in visit.windows else "kinds.visit.earliest_start"
            by = f"route.first_stop_by_on.{weekday}" if weekday in route.first_stop_by_on else "route.first_stop_by"
            too_early.setdefault((by, deadline, opens, own_earliest), []).append(weekday)
    for (by, deadline, opens, own_earliest), weekdays in too_early.items():
        # Equal leaves no minute to ride out: every manager, however near, was told to hand
        # his retailers to a nearer manager (tester's first_stop_by = earliest_start = 08:30).
        when = ("comes before the visit block may start" if deadline < own_earliest else
                "leaves no time to ride out after the visit block may start")
        clashes.append((by, f"{by} ({format_clock(deadline)}) must be after {opens} "
                            f"({format_clock(own_earliest)}): {_on_days(policy, weekdays)} the first stop by "
                            f"{format_clock(deadline)} {when}"))
    lunch = policy.lunch
    cut = _cut_by_the_day(policy, (lunch.earliest, lunch.latest_end), "office", lunch.minutes)
    if cut:
        clashes.append(("lunch", f"lunch needs {lunch.minutes} min between {format_clock(lunch.earliest)} and "
                                 f"{format_clock(lunch.latest_end)}, but {cut}"))
    clashes += _kinds_cut_by_the_day(policy)
    too_short = _day_too_short(policy)
    clashes += too_short
    clashes += _field_work_beyond_the_field_window(policy)
    clashes += _stops_beyond_the_visit_block(policy)
    if not too_short:  # a day too short for its blocks is told first; its visit block's end, once it fits
        clashes += _visit_block_beyond_visiting(policy)
    clashes += _lunch_outside_the_visit_block(policy)
    return clashes


def _field_window(policy: Policy, weekday: Weekday) -> list[tuple[int, int]]:
    """The hours of a day following `weekday`'s rules when some field kind may be worked
    (each kind's own window that day, cut to the working day and to day.field_ends_by, as
    engine/timetable/model.kind_window cuts it), as ordered separate spans. A daily kind
    counts only on the days it is held; `latest_start` and the rides are left out, so the
    window is never smaller than the timetable's."""
    day, spans = policy.day, []
    for rule in policy.kinds.values():
        if rule.place != "field" or (rule.per_day_minutes is not None and not rule.per_day_minutes.get(weekday)):
            continue
        own_earliest, own_latest_end = rule.window(weekday)
        latest_end = min(own_latest_end, day.end, day.field_ends_by or day.end)
        if max(own_earliest, day.start) < latest_end:
            spans.append((max(own_earliest, day.start), latest_end))
    return merged_spans(spans)


def merged_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Clock spans (start, end) merged where they overlap or touch, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _lunch_inside(policy: Policy, spans: list[tuple[int, int]]) -> int:
    """The least minutes of `spans` the day's lunch must take wherever it falls in its
    window (lunch is no field work: engine/timetable/constraints.add_one_place_at_a_time);
    none when it is eaten during the visit or cannot fit its window at all (told apart)."""
    lunch, day = policy.lunch, policy.day
    earliest, latest_end = max(lunch.earliest, day.start), min(lunch.latest_end, day.end)
    if lunch.during_visit or not lunch.minutes or latest_end - earliest < lunch.minutes:
        return 0
    return min(sum(max(0, min(end, at + lunch.minutes) - max(start, at)) for start, end in spans)
               for at in range(earliest, latest_end - lunch.minutes + 1))


def _field_work_beyond_the_field_window(policy: Policy) -> list[tuple[str, str]]:
    """SPEC §5's own example, "28 h of field work cannot fit a window of 25 h": the week's
    field kinds against the hours their windows hold on the working days, less the lunch
    that must fall inside them. Only what no plan can hold is refused (rides, transfers
    and latest starts would take more); the timetable would otherwise plan every week
    short and blame its time limit."""
    need = {name: rule.weekly_minutes(policy.working_days) for name, rule in policy.kinds.items()
            if rule.place == "field"}
    need = {name: minutes for name, minutes in need.items() if minutes}
    days: dict[tuple[tuple[tuple[int, int], ...], int], list[Weekday]] = {}
    for weekday in policy.working_days:
        spans = _field_window(policy, weekday)
        days.setdefault((tuple(spans), _lunch_inside(policy, spans)), []).append(weekday)
    holds = {key: sum(end - start for start, end in key[0]) - key[1] for key in days}
    week = sum(holds[key] * len(weekdays) for key, weekdays in days.items())
    if sum(need.values()) <= week:
        return []
    settings: list[str] = []
    described = []
    for (window, lunch), weekdays in days.items():
        settings += [_setting_at(policy, weekdays[0], end, "end") for _, end in window]
        settings += [_setting_at(policy, weekdays[0], start, "start") for start, _ in window]
        words = " and ".join(f"{format_clock(start)}–{format_clock(end)}" for start, end in window) or "no hour"
        if lunch:
            words += f" less {lunch} min of lunch"
        described.append((words, weekdays, holds[(window, lunch)]))
    if any(lunch for _, lunch in days):
        settings.append("lunch")
    settings = list(dict.fromkeys(settings)) or ["day"]  # no field window at all: the kinds' own clashes say why
    kinds = ", ".join(f"{name} {_hours_exactly(minutes)}" for name, minutes in need.items())
    count = len(policy.working_days)
    if len(described) == 1:
        [(words, _, a_day)] = described
        holds_words = (f"the field window {words} holds {_hours_exactly(a_day)} a day, {_hours_exactly(week)} on "
                       f"the {count} working days")
    else:
        holds_words = (f"the field windows hold {_hours_exactly(week)} on the {count} working days ("
                       + "; ".join(f"{_on_days(policy, list(weekdays))} {words}" for words, weekdays, _ in described)
                       + ")")
    return [(settings[0], f"the field kinds ({kinds}) need {_hours_exactly(sum(need.values()))} a week, but "
                          f"{holds_words} ({', '.join(settings)})")]


def _hours_exactly(minutes: int) -> str:
    """'27.5 h', or '5 h 50 min' where a decimal would be rounded."""
    if minutes % 6 == 0:
        return _hours(minutes)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _setting_at(policy: Policy, weekday: Weekday, clock: int, edge: Literal["start", "end"]) -> str:
    """The setting that puts the field window's `edge` at `clock` on `weekday`: the working
    day's, day.field_ends_by, or a field kind's own window."""
    day = policy.day
    if edge == "end" and day.field_ends_by == clock and day.field_ends_by < day.end:
        return "day.field_ends_by"
    if clock == (day.start if edge == "start" else day.end):
        return f"day.{edge}"
    for name, rule in policy.kinds.items():
        if rule.place == "field" and rule.window(weekday)[0 if edge == "start" else 1] == clock:
            if weekday in rule.windows:
                return f"kinds.{name}.windows.{weekday}"
            return f"kinds.{name}.{'earliest_start' if edge == 'start' else 'latest_end'}"
    return f"day.{edge}"


def _stops_beyond_the_visit_block(policy: Policy) -> list[tuple[str, str]]:
    """A day's least stops (`route.min_stops_town`, `_country`, SPEC §3), each served at
    least `route.min_service_min`, against the visit block that holds them on the weekday
    with the shortest one (less the lunch eaten inside it): more than it holds is met on
    no day, and every day's route would only note how far short it is."""
    route, visit = policy.route, policy.kinds["visit"]
    blocks = {d: m for d, m in (visit.per_day_minutes or {}).items() if d in policy.working_days}
    if not blocks:
        return []
    lunch = policy.lunch.minutes if policy.lunch.during_visit else 0
    shortest = min(blocks.values())
    days: list[str] = [d for d in policy.working_days if blocks.get(d) == shortest]
    when = "a day" if len(days) == len(blocks) else _on_days(policy, days)
    holds = f"the visit block is {shortest} min {when} (kinds.visit.per_day_minutes)"
    if lunch:
        holds += f", {lunch} of them lunch (lunch.during_visit): {shortest - lunch} min of visits"
    clashes = []
    for setting, stops in (("route.min_stops_town", route.min_stops_town),
                           ("route.min_stops_country", route.min_stops_country)):
        need = stops * route.min_service_min
        if need > shortest - lunch:
            clashes.append((setting, f"{setting} = {stops} stops of at least {route.min_service_min} min "
                                     f"(route.min_service_min) need {need} min, but {holds}"))
    return clashes



def _earliest_visit_start(policy: Policy, weekday: Weekday) -> tuple[int, str]:
    """The earliest a visit block may start on a day following `weekday`'s rules (its own
    window cut to the working day, as engine/timetable/model.kind_window cuts it), and the
    setting that puts it there."""
    visit, day = policy.kinds["visit"], policy.day
    own = visit.window(weekday)[0]
    if day.start > own:
        return day.start, "day.start"
    return own, f"kinds.visit.windows.{weekday}" if weekday in visit.windows else "kinds.visit.earliest_start"


def _latest_visit_end(policy: Policy, weekday: Weekday, minutes: int) -> tuple[int, list[str]]:
    """The latest a visit block of `minutes` may end on a day following `weekday`'s rules
    (its own window cut to the working day and to day.field_ends_by, and its latest start
    plus its minutes, as engine/timetable/model.kind_window bounds it), and every setting
    that puts it there."""
    visit, day = policy.kinds["visit"], policy.day
    ends = [(visit.window(weekday)[1], f"kinds.visit.windows.{weekday}" if weekday in visit.windows
             else "kinds.visit.latest_end"), (day.end, "day.end")]
    if day.field_ends_by is not None:
        ends.append((day.field_ends_by, "day.field_ends_by"))
    if visit.latest_start is not None:
        ends.append((visit.latest_start + minutes, "kinds.visit.latest_start"))
    end = min(at for at, _ in ends)
    return end, [setting for at, setting in ends if at == end]


def _visit_blocks_told(policy: Policy, weekdays: list[str]) -> tuple[str, str]:
    """(who, when) of the visit block on `weekdays`: ("Friday's individual visits block",
    "") or ("the individual visits block", " on every working day")."""
    label = _lowered(policy.kinds["visit"].label_en)
    if len(weekdays) == 1:
        return f"{WEEKDAY_NAMES[weekdays[0]]}'s {label} block", ""
    return f"the {label} block", f" {_on_days(policy, weekdays)}"


def _visit_block_beyond_visiting(policy: Policy) -> list[tuple[str, str]]:
    """A visit block that cannot be over by `route.visiting_ends_by` even when it starts as
    early as it may: its minutes after that time are planned and counted as visiting, but the
    route visits no one then (routing/daily: visiting is over by route.visiting_ends_by).
    The tester's visiting_ends_by = 12:00 under seed-003's 330-min blocks from 08:30 loaded,
    and every day's timetable held 08:30–14:00 while its route said 08:30–12:00."""
    route, visit = policy.route, policy.kinds["visit"]
    found: dict[tuple[int, int, str], list[str]] = {}
    for weekday in policy.working_days:
        minutes = (visit.per_day_minutes or {}).get(weekday)
        if not minutes:
            continue
        start, opens = _earliest_visit_start(policy, weekday)
        if start + minutes > route.visiting_ends_by:
            found.setdefault((minutes, start, opens), []).append(weekday)
    clashes = []
    for (minutes, start, opens), weekdays in found.items():
        who, when = _visit_blocks_told(policy, weekdays)
        ends_by = format_clock(route.visiting_ends_by)
        clashes.append(("route.visiting_ends_by",
                        f"route.visiting_ends_by ({ends_by}) comes before the visit block can end: {who} of "
                        f"{minutes} min (kinds.visit.per_day_minutes) starts at {format_clock(start)} at the "
                        f"earliest ({opens}), so it ends at {format_clock(start + minutes)} at the "
                        f"earliest{when}, and its last {start + minutes - route.visiting_ends_by} min would be "
                        f"planned as visiting with no visit possible after {ends_by}"))
    return clashes


def _lunch_outside_the_visit_block(policy: Policy) -> list[tuple[str, str]]:
    """Under `lunch.during_visit`, a lunch window no visit block can hold the lunch in on a
    day it is held (from its earliest start to its latest end, visiting over by
    `route.visiting_ends_by`): the route takes the lunch only inside the block
    (routing/daily._field_day) and the timetable then plans none of its own, so the week had
    no lunch at all (the tester's 15:30–16:30 under seed-003, visiting over by 15:00).
    A lunch window too short for the lunch is told by `LunchRules` itself."""
    lunch, route, visit = policy.lunch, policy.route, policy.kinds["visit"]
    if not lunch.during_visit or not lunch.minutes or lunch.earliest + lunch.minutes > lunch.latest_end:
        return []
    found: dict[tuple[int, str, int, tuple[str, ...]], list[str]] = {}
    for weekday in policy.working_days:
        minutes = (visit.per_day_minutes or {}).get(weekday)
        if not minutes:
            continue
        start, opens = _earliest_visit_start(policy, weekday)
        end, ends = _latest_visit_end(policy, weekday, minutes)
        if route.visiting_ends_by < end:
            end, ends = route.visiting_ends_by, ["route.visiting_ends_by"]
        elif route.visiting_ends_by == end:
            ends = ["route.visiting_ends_by", *ends]
        if min(lunch.latest_end, end) - max(lunch.earliest, start) < lunch.minutes:
            found.setdefault((start, opens, end, tuple(ends)), []).append(weekday)
    clashes = []
    for (start, opens, end, bounds), weekdays in found.items():
        who, when = _visit_blocks_told(policy, weekdays)
        clashes.append(("lunch", f"lunch is taken during the visit (lunch.during_visit) and needs {lunch.minutes} "
                                 f"min between {format_clock(lunch.earliest)} and {format_clock(lunch.latest_end)} "
                                 f"(lunch.earliest, lunch.latest_end), but {who} holds visiting only between "
                                 f"{format_clock(start)} ({opens}) and {format_clock(end)} ({', '.join(bounds)})"
                                 f"{when}: the week would have no lunch"))
    return clashes

def _cut_by_the_day(policy: Policy, window: tuple[int, int], place: Setting, minutes: int) -> str:
    """Why the working day leaves less than `minutes` of `window` (empty: it does not), in
    words naming the settings that cut it."""
    day = policy.day
    ends = [(day.end, f"the working day ends at {format_clock(day.end)} (day.end)")]
    if place == "field" and day.field_ends_by is not None:
        ends.append((day.field_ends_by, f"field work is over by {format_clock(day.field_ends_by)} "
                                        f"(day.field_ends_by)"))
    end, end_words = min(ends)
    earliest, latest_end = max(window[0], day.start), min(window[1], end)
    if latest_end - earliest >= minutes:
        return ""
    why = []
    if day.start > window[0]:
        why.append(f"the working day starts at {format_clock(day.start)} (day.start)")
    if end < window[1]:
        why.append(end_words)
    return " and ".join(why)


def _kinds_cut_by_the_day(policy: Policy) -> list[tuple[str, str]]:
    """Each kind whose window on a working day, cut to the working day, cannot hold its
    block (a daily kind's minutes that weekday, a weekly kind's shortest session), or
    opens after the kind's latest start; the weekdays sharing one window are told once."""
    day = policy.day
    found: dict[tuple[str, str, tuple[int, int], int], list[str]] = {}
    for kind, rule in policy.kinds.items():
        for weekday in policy.working_days:
            if rule.per_day_minutes is not None:
                minutes = rule.per_day_minutes.get(weekday)
            else:
                minutes = (rule.session_minutes or (0, 0))[0]
            if not minutes:
                continue
            window = rule.window(weekday)
            setting = f"kinds.{kind}.windows.{weekday}" if weekday in rule.windows else f"kinds.{kind}"
            cut = _cut_by_the_day(policy, window, rule.place, minutes)
            if cut:
                found.setdefault((setting, cut, window, minutes), []).append(weekday)
            elif rule.latest_start is not None and max(window[0], day.start) > rule.latest_start:
                opens = (f"the working day starts at {format_clock(day.start)} (day.start)" if day.start > window[0]
                         else f"its window opens at {format_clock(window[0])} ({setting})")
                found.setdefault((f"kinds.{kind}.latest_start", opens, window, -1), []).append(weekday)
    clashes = []
    for (setting, cut, (earliest, latest_end), minutes), weekdays in found.items():
        rule = policy.kinds[setting.split(".")[1]]
        label = _lowered(rule.label_en)
        if len(weekdays) == 1 and rule.is_daily:
            who, when = f"{WEEKDAY_NAMES[weekdays[0]]}'s {label} block", ""
        else:
            who = f"the {label} block" if rule.is_daily else f"each {label} session"
            when = f" {_on_days(policy, weekdays)}"
        if minutes < 0:
            clashes.append((setting, f"{who} must start by {format_clock(rule.latest_start or 0)}{when} "
                                     f"({setting}), but {cut}"))
            continue
        needs = f"{minutes} min" if rule.is_daily else f"at least {minutes} min"
        clashes.append((setting, f"{who} needs {needs} between {format_clock(earliest)} and "
                                 f"{format_clock(latest_end)}{when} ({setting}), but {cut}"))
    return clashes


def _on_days(policy: Policy, weekdays: list[str]) -> str:
    """'on Friday', 'on Monday, Tuesday', 'on every working day'."""
    if len(weekdays) == len(policy.working_days) > 1:
        return "on every working day"
    return f"on {', '.join(WEEKDAY_NAMES[d] for d in weekdays)}"


def _day_too_short(policy: Policy) -> list[tuple[str, str]]:
    """The blocks a working day must hold (the daily kinds that weekday, and lunch unless it
    is eaten during the visit) and the whole week's kinds with a lunch a day, against the
    length of the working day: a manager does one thing at a time."""
    day = policy.day
    length = day.end - day.start
    lunch = 0 if policy.lunch.during_visit else policy.lunch.minutes
    span = f"{format_clock(day.start)}–{format_clock(day.end)}"
    for weekday in policy.working_days:
        daily = {rule.label_en: rule.per_day_minutes[weekday] for rule in policy.kinds.values()
                 if rule.per_day_minutes is not None and weekday in rule.per_day_minutes}
        if sum(daily.values()) + lunch > length:
            parts = [f"{_lowered(label)} {minutes} min" for label, minutes in daily.items()]
            parts += [f"lunch {lunch} min"] if lunch else []
            return [("day", f"{WEEKDAY_NAMES[weekday]}'s blocks ({', '.join(parts)}) need "
                            f"{sum(daily.values()) + lunch} min, but the working day {span} (day.start, "
                            f"day.end) is {length} min")]
    week = sum(rule.weekly_minutes(policy.working_days) for rule in policy.kinds.values())
    days = len(policy.working_days)
    if week + lunch * days > length * days:
        with_lunch = f" and lunch {_hours(lunch * days)}" if lunch else ""
        return [("day", f"the kinds add up to {_hours(week)} a week{with_lunch}, but {days} working days of "
                        f"{span} (day.start, day.end) hold {_hours(length * days)}")]
    return []


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g} h"


def _lowered(label: str) -> str:
    """A kind's English label inside a sentence: "Department meeting" -> "department
    meeting", an acronym kept ("POS project households")."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def builtin_policy_names() -> list[str]:
    folder = resources.files("fieldweek_policies")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def _policy_text(name_or_path: str | Path, relative_to: Path | None) -> tuple[str, str]:
    """Find a policy by built-in name or by file path; returns (text, where)."""
    candidate = Path(name_or_path)
    paths = [candidate]
    if relative_to is not None and not candidate.is_absolute():
        paths.insert(0, relative_to / candidate)
    for path in paths:
        if path.suffix == ".toml" and path.is_file():
            return path.read_text(encoding="utf-8"), str(path)
    name = str(name_or_path).removesuffix(".toml")
    resource = resources.files("fieldweek_policies") / f"{name}.toml"
    if resource.is_file():
        return resource.read_text(encoding="utf-8"), f"{name}.toml"
    raise InputError(
        [
            Problem(
                file=str(name_or_path),
                message=f"no policy named {name_or_path!r}: built-in policies are "
                f"{', '.join(builtin_policy_names())}, or give a path to a .toml file",
            )
        ]
    )


def policy_from_mapping(data: dict, where: str = "policy") -> Policy:
    """Validate a policy given as a mapping (parsed TOML or a JSON body)."""
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            setting = ".".join(str(p) for p in err["loc"] if p != "[key]")
            clash = (err.get("ctx") or {}).get("error")
            if isinstance(clash, SettingsClash):
                problems += [Problem(file=where, column=column, message=words) for column, words in clash.clashes]
            else:
                problems.append(Problem(file=where, column=setting or None, message=_in_plain_words(err, setting)))
        raise InputError(problems) from None


def _shown(value: object) -> str:
    """A value as the policy file spells it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _in_plain_words(err: ErrorDetails, setting: str) -> str:
    """A validation error of one setting as a market manager reads it: the setting's name
    and the value it has, not the validation library's phrase (kept for a kind of error
    not worded here). A rule of several settings words its own message."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    named = f"`{setting}`"
    if kind == "value_error":
        message = err["msg"].removeprefix("Value error, ")
        return message if isinstance(value, dict) or not setting else f"{named}: {message}"
    bounds = {"greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt"),
              "less_than_equal": ("at most", "le"), "less_than": ("less than", "lt")}
    if kind in bounds:
        words, key = bounds[kind]
        return f"{named} must be {words} {_shown(ctx[key])}, not {_shown(value)}"
    if kind == "extra_forbidden":
        return f"unknown setting {named}" + _known_settings(err["loc"][:-1])
    if kind == "missing":
        return f"setting {named} is missing"
    if kind == "literal_error":
        return f"{named} must be one of {ctx['expected']}, not {_shown(value)}"
    wanted = {"int_parsing": "a whole number", "int_type": "a whole number", "int_from_float": "a whole number",
              "float_parsing": "a number", "float_type": "a number", "bool_parsing": "true or false",
              "bool_type": "true or false", "string_type": "a text in quotes", "model_type": "a table of settings",
              "dict_type": "a table", "tuple_type": "a list [...]", "list_type": "a list [...]"}
    if kind in wanted:
        return f"{named} must be {wanted[kind]}, not {_shown(value)}"
    if kind in ("too_long", "too_short") and ctx.get("field_type") == "Tuple":
        return f"{named} must be a list of {ctx.get('max_length', ctx.get('min_length'))}, not {_shown(value)}"
    return f"{named}: {err['msg']}"


def _known_settings(loc: tuple) -> str:
    """' (known settings: ...)' of the table at `loc`, or '' when it is not a fixed table."""
    model: type[BaseModel] = Policy
    keyed = False
    for part in loc:
        if keyed:  # the name of a table in a table of tables (kinds.<kind>), or a list's index (duties.0)
            keyed = False
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return ""
        inner = [a for a in (field.annotation, *get_args(field.annotation))
                 if isinstance(a, type) and issubclass(a, BaseModel)]
        if not inner:
            return ""
        model, keyed = inner[0], get_origin(field.annotation) in (dict, tuple)
    return f" (known settings: {', '.join(model.model_fields)})"


def load_policy(name_or_path: str | Path, relative_to: Path | None = None) -> Policy:
    """Load and validate a policy by built-in name (`15-13-7`) or path to a TOML file."""
    text, where = _policy_text(name_or_path, relative_to)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(file=where, message=f"not valid TOML: {exc}")]) from None
    return policy_from_mapping(data, where)
