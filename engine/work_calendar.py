"""The planners' working calendar (SPEC §5): which dates are worked and by which
weekday's rules.

A date is a working day when its weekday is one of the policy's `working_days`, unless
the department's calendar makes it a holiday; a make-up working day (调休, a `workday`
of the calendar, e.g. a Saturday) is worked whatever its weekday, by the rules of the
policy's `makeup_day_rules` weekday (the first working day when the policy names none).
The calendar's facts are data on the department (`Department.calendar_day`: its
holidays.csv over the public calendar the policy names); the independent judges read
the same facts in their own way (engine/check/spec.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.domain import Department
from engine.errors import InputError, Problem
from engine.policy import WEEKDAYS, Policy, Weekday

DAYS_IN_WEEK = len(WEEKDAYS)

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(9998, 12, 31)
"""The dates fieldweek plans, the service's and the commands' alike: far from the ends
of Python's calendar, so that the weeks before and after one (history, carried-over
visits, the month ahead) are dates too; a year typed short ("26-12") is refused, not
planned as the year 26."""


def date_range_problem(first: dt.date, last: dt.date | None = None) -> str | None:
    """Why a date (or the span `first`..`last`, a week or a month) is not one fieldweek
    plans; None when it is."""
    last = last or first
    if first >= EARLIEST_DATE and last <= LATEST_DATE:
        return None
    what = str(first) if last == first else f"{first}..{last}"
    short_year = " (a year has four digits: 2026, not 26)" if first.year < 1000 else ""
    return f"{what} is outside the dates fieldweek plans, {EARLIEST_DATE} to {LATEST_DATE}{short_year}"


@dataclass(frozen=True)
class WorkCalendar:
    """The department's working days under a policy."""

    department: Department
    policy: Policy

    def is_working_day(self, date: dt.date) -> bool:
        return self.rules_of(date) is not None

    def is_holiday(self, date: dt.date) -> bool:
        """A day the policy would work that the calendar takes away."""
        found = self.department.calendar_day(date)
        return found is not None and found.kind == "holiday" and self._weekday(date) in self.policy.working_days

    def rules_of(self, date: dt.date) -> Weekday | None:
        """The weekday whose rules a date follows; None when it is not worked."""
        found = self.department.calendar_day(date)
        weekday = self._weekday(date)
        if found is not None and found.kind == "holiday":
            return None
        if found is not None and found.kind == "workday" and weekday not in self.policy.working_days:
            return self.policy.makeup_day_rules or self.policy.working_days[0]
        return weekday if weekday in self.policy.working_days else None

    def working_days(self, week_start: dt.date) -> list[tuple[dt.date, Weekday]]:
        """The week's working dates in order, each with the weekday whose rules it follows;
        InputError for a week outside the dates fieldweek plans (`date_range_problem`):
        every command planning a week reads it here, whichever option gave the week."""
        if why := date_range_problem(week_start):
            raise InputError([Problem(f"the week of {why}", column="week")])
        dates = (week_start + dt.timedelta(days=i) for i in range(DAYS_IN_WEEK))
        return [(date, rules) for date in dates if (rules := self.rules_of(date)) is not None]

    def day_problem(self, week_start: dt.date, day: dt.date) -> str | None:
        """Why `day` is no working day of the week starting `week_start` (outside the
        week, a holiday, or not a working weekday), naming the week's working days;
        None when it is one."""
        if self.rules_of(day) is not None and 0 <= (day - week_start).days < DAYS_IN_WEEK:
            return None
        worked = ", ".join(f"{d:%a} {d}" for d, _ in self.working_days(week_start)) or "none"
        if not 0 <= (day - week_start).days < DAYS_IN_WEEK:
            why = f"{day} ({day:%a}) is not in the week starting {week_start}"
        elif self.is_holiday(day):
            why = f"{day} ({day:%a}) is a holiday in the department's calendar"
        else:
            why = f"{day} ({day:%a}) is not a working day under policy {self.policy.name!r}"
        return f"{why}; the week's working days: {worked}"

    def holidays(self, week_start: dt.date) -> list[dt.date]:
        """The week's dates the policy would work that are holidays (quotas prorate for them)."""
        return [d for d in (week_start + dt.timedelta(days=i) for i in range(DAYS_IN_WEEK)) if self.is_holiday(d)]

    @staticmethod
    def _weekday(date: dt.date) -> Weekday:
        return WEEKDAYS[date.weekday()]  # type: ignore[return-value]
