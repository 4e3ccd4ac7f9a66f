"""The public holidays and make-up working days (调休) of a country, read from the
`holidays` package (SPEC §5: a policy names its calendar; no dates typed into code).

The package carries the mainland's official holidays and, for the years whose schedule
the State Council has published, the weekend days that are worked instead
(`weekend_workdays`). A year not published yet comes with its holidays as the package
computes them and no make-up days: a department's own `holidays.csv` adds or overrides
days (see data/README.md). Both the planners and the independent judges read these
facts through `Department.calendar_day`, never through each other.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal

import holidays

DayKind = Literal["holiday", "workday"]


def known_calendars() -> set[str]:
    """Country codes a policy may name as its calendar."""
    return set(holidays.list_supported_countries())


@lru_cache(maxsize=64)
def public_days(country: str, year: int) -> dict[dt.date, tuple[DayKind, str]]:
    """The year's public holidays and make-up working days of `country`: date -> (kind, name)."""
    calendar = holidays.country_holidays(country, years=year)
    days: dict[dt.date, tuple[DayKind, str]] = {
        date: ("holiday", str(name)) for date, name in calendar.items() if date.year == year
    }
    for date in getattr(calendar, "weekend_workdays", ()):
        if date.year == year:
            days[date] = ("workday", "make-up working day")
    return days
