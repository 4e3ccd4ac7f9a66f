"""Which retailers are due for a visit in a given week (SPEC §4).

A retailer's frequency is `visits_per_4_weeks`: 4 = every week, 2 = every other
week, 1 = once in four weeks, 8 = twice a week, 0 = never planned. Any value is
accepted; over ANY four consecutive weeks a retailer gets exactly that many
visits, spread as evenly as whole weeks allow (a 3 is visited in three weeks of
four, a 6 alternates one and two visits a week).

The rule, so that anyone (the independent checker, a spreadsheet) can recompute it:

    week   = (monday.toordinal() - 1) // 7          # weeks since Monday 0001-01-01
    phase  = int.from_bytes(sha256(retailer_id.encode("utf-8")).digest()[:8], "big") % 4
    visits = floor((week + phase + 1) * v / 4) - floor((week + phase) * v / 4)

Summed over four consecutive weeks the right-hand side telescopes to exactly `v`.
The phase spreads retailers of the same frequency over the weeks of the cycle:
which week a monthly retailer falls in depends only on its id, so it keeps its
rhythm when retailers are added, removed or handed to another manager.

Why a running week count and not the ISO week number: ISO years have 52 or 53
weeks, so "week number mod 4" would break the rhythm at most year ends (week 53
followed by week 1). The running count is the ISO week made continuous;
`iso_week_label` gives the familiar "2026-W48" for display.

**Which day of its week a visit counts on** (`due_days`), so that a week straddling two
months gives each month a fixed share of its visits (SPEC §3, the month's visit plan):
with the week's D working days in order (the department's calendar) and n visits due,

    anchor = int.from_bytes(sha256(retailer_id.encode("utf-8")).digest()[8:16], "big")
    day_k  = working_day[((k * 2**64 + anchor) * D) // (n * 2**64)]     k = 0 .. n-1

where n is the visits due by the frequency, at most D (a retailer is visited once a day
at most: a daily retailer owes a week with a holiday one visit per working day). The n
visits are spread evenly over the week, shifted by a stable offset of the
retailer so that the retailers of a frequency fall on all the week's days alike (a
weekly retailer's visit counts on the same weekday every week). The visit belongs to
the month holding that day; where in its week, inside that month, it is made is the
month plan's choice. A week without working days gives its visits to no month.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.domain import Department, Retailer
from engine.policy import Policy
from engine.work_calendar import WorkCalendar

CYCLE_WEEKS = 4
"""The frequency unit: `visits_per_4_weeks` counts visits per four weeks."""

ANCHOR_SCALE = 1 << 64
"""A retailer's anchor in its week is a fraction of the week in units of 2**-64."""


def week_monday(day: dt.date) -> dt.date:
    """The Monday of the ISO week `day` falls in."""
    return day - dt.timedelta(days=day.weekday())


def week_index(day: dt.date) -> int:
    """Running number of the ISO week holding `day` (week 0 starts Monday 0001-01-01)."""
    return (week_monday(day).toordinal() - 1) // 7


def iso_week_label(day: dt.date) -> str:
    """'YYYY-Www', the ISO week holding `day`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def retailer_phase(retailer_id: str) -> int:
    """Stable offset 0..3 of a retailer in the four-week cycle (sha256 of its id).

    Python's built-in `hash` of a string changes between runs, so it cannot be used.
    """
    digest = hashlib.sha256(retailer_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % CYCLE_WEEKS


def visits_in_week(retailer_id: str, visits_per_4_weeks: int, day: dt.date) -> int:
    """How many visits the retailer is due in the ISO week holding `day`."""
    if visits_per_4_weeks < 0:
        raise ValueError(f"visits_per_4_weeks must not be negative, got {visits_per_4_weeks}")
    position = week_index(day) + retailer_phase(retailer_id)
    return ((position + 1) * visits_per_4_weeks) // CYCLE_WEEKS - (
        position * visits_per_4_weeks
    ) // CYCLE_WEEKS


def retailer_anchor(retailer_id: str) -> int:
    """Stable offset 0 .. 2**64-1 of a retailer inside its week (sha256 of its id, the
    eight bytes after those of its phase)."""
    digest = hashlib.sha256(retailer_id.encode("utf-8")).digest()
    return int.from_bytes(digest[8:16], "big")


def due_days(retailer_id: str, visits_per_4_weeks: int, week_days: Sequence[dt.date]) -> list[dt.date]:
    """The day each of the week's due visits counts on (see the module text), given the
    working days of one ISO week in order; a visit belongs to the month of its day."""
    if not week_days:
        return []
    # A retailer is visited once a day at most: a daily one owes a holiday week its working days.
    visits = min(visits_in_week(retailer_id, visits_per_4_weeks, week_days[0]), len(week_days))
    anchor, count = retailer_anchor(retailer_id), len(week_days)
    return [week_days[((k * ANCHOR_SCALE + anchor) * count) // (visits * ANCHOR_SCALE)] for k in range(visits)]


@dataclass(frozen=True)
class DueRetailer:
    """A retailer due this week and how many visits it is due (2 for twice a week)."""

    retailer: Retailer
    visits: int


def due_retailers(
    department: Department, week_start: dt.date, manager: str | None = None, *, policy: Policy | None = None
) -> list[DueRetailer]:
    """Retailers due in the ISO week holding `week_start`, in the department's order.

    With `manager`, only that manager's territory. With `policy`, a retailer owes the
    week at most one visit per working day of the department's calendar (a daily
    retailer, 20 in 4 weeks, owes a week with a holiday 4 visits, not 5: `most_in_week`).
    """
    most = most_in_week(department, policy, week_start)
    due = []
    for retailer in department.retailers:
        if manager is not None and retailer.manager != manager:
            continue
        visits = min(visits_in_week(retailer.id, retailer.visits_per_4_weeks, week_start), most)
        if visits:
            due.append(DueRetailer(retailer, visits))
    return due


def due_with_carry_over(
    department: Department, week_start: dt.date, carried: Mapping[str, int], manager: str | None = None,
    *, policy: Policy | None = None
) -> list[DueRetailer]:
    """The week's due list with the visits carried over from the week before added:
    a retailer already due gets more visits, one not due this week joins the list
    (with `policy`, still at most one a working day, as `due_retailers`).

    `carried` counts visits per retailer id; `engine.actuals.carried_into` computes it
    from a department's recorded actuals (SPEC §3, the daily report)."""
    due = {item.retailer.id: item for item in due_retailers(department, week_start, manager, policy=policy)}
    most = most_in_week(department, policy, week_start)
    retailers = {r.id: r for r in department.retailers}
    merged: dict[str, DueRetailer] = {}
    for retailer in department.retailers:
        if manager is not None and retailer.manager != manager:
            continue
        visits = min((due[retailer.id].visits if retailer.id in due else 0) + carried.get(retailer.id, 0), most)
        if visits:
            merged[retailer.id] = DueRetailer(retailers[retailer.id], visits)
    return list(merged.values())


def most_in_week(department: Department, policy: Policy | None, week_start: dt.date) -> int:
    """The most visits a retailer owes the week: one per working day of the department's
    calendar under `policy` (SPEC §4, a retailer is visited once a day at most; the same
    cap `due_days` reads). No cap without a policy (callers that do not read the
    calendar), nor in a week without working days: its visits stay due, and the route
    planner lists them left out for the holidays (`no_visit_days`)."""
    if policy is None:
        return sys.maxsize
    return len(WorkCalendar(department, policy).working_days(week_monday(week_start))) or sys.maxsize
