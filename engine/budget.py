"""One time budget: how a caller's time limits are shared between the planners.

A request names a timetable limit (`--time-limit`, the API's `time_limit`), a route
limit (`--route-time-limit`, the routes request's `time_limit`) or one limit for both,
plus the time a week with no timetable may spend naming the rules that conflict. The
command line and the HTTP API both take their seconds from here, so the same limit is
split the same way wherever it is given.

Pure: no clock is read here; a caller passes the seconds it has already spent."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TIMETABLE_S = 10.0
"""The timetable's limit when the caller names none."""
EXTENDED_TIMETABLE_S = 60.0
"""When the caller names no limit and the week found in `DEFAULT_TIMETABLE_S` is short of
weekly hours no proof forces, it is searched again with this limit (SolveParams.extend_to_s)."""

EXPLAIN_S = 20.0
"""Seconds an infeasible week may spend finding its conflicting rules (on top of the limit)."""

ALONE_SHARE = 0.1
"""Share of the timetable limit for each manager's week alone at each store he could be
at (timetable/alone.py): the hours his rides force, for choosing pairs and for the bound."""
FLOORS_SHARE = 0.5
"""Share of the timetable limit for the fewest hours the rides force on each group and on
the week (timetable/group_floors.py): a floor for the bound, the groups of the first week."""
FIRST_WEEK_SHARE = 0.6
"""Share of the timetable limit for the week built group by group (timetable/decompose.py)."""
WARM_START_HINT_SHARE = 0.25
"""Share of the timetable limit for completing a given plan into a full starting point."""
FIRST_WEEK_HINT_SHARE = 1 / 3
"""Share of the time left after the first week for completing it into a full starting point."""
MIN_FIRST_WEEK_HINT_BASE_S = 0.5
"""The completion of a first week gets its share of at least this, however late it comes."""
MIN_JOINT_S = 0.01
"""The joint solve gets what is left of the limit, however little: the limit is a promise."""

TIMETABLE_SHARE = 0.5
"""Share of one limit covering both a timetable solved first and its routes."""
MIN_SHARED_TIMETABLE_S = 1.0
"""A timetable solved under a shared limit gets at least this."""
VISIT_DAYS_SHARE = 0.8
"""Share of each manager's route seconds for choosing visit days; the rest orders each day."""


@dataclass(frozen=True)
class TimetableBudget:
    """How one timetable limit is shared between the first week, its completion into a
    starting point and the joint solve; the explanation of an infeasible week comes after."""

    limit_s: float
    explain_s: float = EXPLAIN_S

    def __post_init__(self) -> None:
        if self.limit_s <= 0 or self.explain_s <= 0:
            raise ValueError(f"time limits must be positive, not {self.limit_s!r} / {self.explain_s!r}")

    @property
    def alone_s(self) -> float:
        """The managers' weeks alone (the hours the rides force) aim to finish within this."""
        return self.limit_s * ALONE_SHARE

    @property
    def floors_s(self) -> float:
        """The groups' and the week's floors on hours short aim to finish within this."""
        return self.limit_s * FLOORS_SHARE

    @property
    def first_week_s(self) -> float:
        """The group-by-group first week aims to finish within this."""
        return self.limit_s * FIRST_WEEK_SHARE

    def first_week_within_s(self, spent_s: float) -> float:
        """The first week's time once `spent_s` is gone: its share of the limit less what is
        spent, or, when the floors took most of that, its share of what is left."""
        return max(0.0, self.first_week_s - spent_s, (self.limit_s - spent_s) * FIRST_WEEK_SHARE)

    def first_week_deadline_s(self, spent_s: float) -> float:
        """The group-by-group first week never runs past this (it may overrun its share
        to find any week at all, never the caller's limit)."""
        return self.limit_s - spent_s

    def first_week_hint_s(self, spent_s: float) -> float:
        """Completing the first week into a full starting point."""
        return max(MIN_FIRST_WEEK_HINT_BASE_S, self.limit_s - spent_s) * FIRST_WEEK_HINT_SHARE

    @property
    def warm_start_hint_s(self) -> float:
        """Completing a given plan (a warm start) into a full starting point."""
        return self.limit_s * WARM_START_HINT_SHARE

    def joint_s(self, spent_s: float) -> float:
        """The joint solve: what is left of the limit."""
        return max(MIN_JOINT_S, self.limit_s - spent_s)


@dataclass(frozen=True)
class RouteBudget:
    """How one route limit is shared: equally between managers, then between choosing
    the visit days of the week and ordering each day."""

    limit_s: float

    def per_manager_s(self, managers: int) -> float:
        return self.limit_s / max(managers, 1)

    def visit_days_s(self, managers: int) -> float:
        return self.per_manager_s(managers) * VISIT_DAYS_SHARE

    def day_route_s(self, managers: int, days: int) -> float:
        return self.per_manager_s(managers) * (1 - VISIT_DAYS_SHARE) / max(days, 1)


@dataclass(frozen=True)
class TimeBudget:
    """The seconds of one request: its timetable, and its routes when it plans any."""

    timetable: TimetableBudget
    routes: RouteBudget | None = None


def time_budget(time_limit_s: float, route_time_limit_s: float | None = None,
                explain_s: float = EXPLAIN_S) -> TimeBudget:
    """The budget of a timetable limit and, when routes are planned, a route limit of their own."""
    routes = RouteBudget(route_time_limit_s) if route_time_limit_s is not None else None
    return TimeBudget(TimetableBudget(time_limit_s, explain_s), routes)


def timetable_limits(time_limit_s: float | None, default_s: float = DEFAULT_TIMETABLE_S,
                     extended_s: float = EXTENDED_TIMETABLE_S) -> tuple[float, float | None]:
    """The timetable's limit and the limit a short, unproven week is searched again with
    (SolveParams.extend_to_s): a limit the caller names is kept to; none named, the default,
    extended when needed. The command line and the HTTP jobs both ask here, so a week asked
    of the service is searched as `fieldweek timetable` searches it (the service passes its
    own default, and its ceiling as `extended_s`)."""
    if time_limit_s is not None:
        return time_limit_s, None
    return default_s, extended_s if extended_s > default_s else None


def first_week_by(time_limit_s: float | None, extended_s: float = EXTENDED_TIMETABLE_S) -> float | None:
    """How long a named limit that finds no week at all searches on for its first one
    (SolveParams.first_week_by_s): a limit above the default must not end with no week
    where the default, extended, finds one. None: no limit named (the default extends)."""
    if time_limit_s is None or time_limit_s >= extended_s:
        return None
    return extended_s


def shared_time_budget(limit_s: float, explain_s: float = EXPLAIN_S) -> TimeBudget:
    """The budget of one limit covering a timetable solved first and then its routes."""
    timetable_s = max(limit_s * TIMETABLE_SHARE, MIN_SHARED_TIMETABLE_S)
    return TimeBudget(TimetableBudget(timetable_s, explain_s), RouteBudget(limit_s * (1 - TIMETABLE_SHARE)))
