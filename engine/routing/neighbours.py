"""Who is a manager's neighbour: the one statement of it for the planners (the re-plan's
hand-over, engine/replan/handover.py; the weekly routes of a manager absent all week,
plan.py). A neighbour's territory centre lies within the policy's
`replan.neighbour_max_km` of the manager's. Also who is away all week or most of it, and
so takes no absent colleague's visits (`away_for_hand_over`), and the line per such
manager that says who took his due visits (`hand_over_lines`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from engine.domain import Department, Retailer
from engine.routing.matrix import great_circle_km


def neighbours(manager: str, centres: Mapping[str, tuple[float, float]], max_km: float) -> list[str]:
    """Managers whose territory centre lies within `max_km` of `manager`'s, nearest first."""
    others = [m for m in centres if m != manager]
    if not others or manager not in centres:
        return []
    km = great_circle_km([centres[manager][0]], [centres[manager][1]],
                         [centres[m][0] for m in others], [centres[m][1] for m in others])[0]
    return [m for d, m in sorted(zip(km.tolist(), others, strict=True)) if d <= max_km]


def why_no_hand_over(manager: str, centres: Mapping[str, tuple[float, float]], absent: Iterable[str],
                     max_km: float | None, alone: bool) -> str:
    """The one reason the visits of `manager`, away all week, went to no neighbour:
    `max_km` None when the policy hands over to no neighbour, `alone` when he was
    planned by himself (no colleague planned beside him), else the nearest colleague at
    work is further than `max_km` (or those near enough are away too)."""
    if max_km is None:
        return (f"{manager} is on leave every working day of the week and the policy's replan.handover "
                "names no neighbour to take his visits")
    if alone:
        return (f"{manager} is on leave every working day of the week and was planned alone (--manager): "
                "his visits go to a neighbour only when the whole department is planned")
    away = set(absent) | {manager}
    at_work = [m for m in centres if m not in away]
    near = neighbours(manager, centres, max_km)
    if near:
        return (f"{manager} is on leave every working day of the week and his neighbours within {max_km:g} km "
                f"(replan.neighbour_max_km), {', '.join(near)}, are away too")
    if not at_work or manager not in centres:
        return f"{manager} is on leave every working day of the week and no colleague is at work to take his visits"
    km = great_circle_km([centres[manager][0]], [centres[manager][1]],
                         [centres[m][0] for m in at_work], [centres[m][1] for m in at_work])[0]
    nearest_km, nearest = min(zip(km.tolist(), at_work, strict=True))
    return (f"{manager} is on leave every working day of the week and no colleague at work has his territory "
            f"centre within {max_km:g} km of his (replan.neighbour_max_km): the nearest, {nearest}, is "
            f"{nearest_km:.2f} km away")


def nearest_neighbour(retailer: Retailer, near: Sequence[str], centres: Mapping[str, tuple[float, float]]) -> str:
    """The one of `near` whose territory centre lies nearest the retailer: who makes a
    visit handed over."""
    return min(near, key=lambda m: (centres[m][0] - retailer.lat) ** 2 + (centres[m][1] - retailer.lon) ** 2)


def hand_over_lines(absent: Sequence[str], owner_of: Mapping[str, str], made: Iterable[tuple[str, str]],
                    left: Iterable[tuple[str, str]]) -> list[str]:
    """One line per manager away all week or most of it (`absent`): how many of his due
    visits he makes himself, how many each colleague makes, most first, and how many are
    left out, by reason. `made` holds (manager, retailer) per visit of the week, `left`
    (manager, reason) per due visit left out, `owner_of` each retailer's manager."""
    taken: dict[str, Counter[str]] = {m: Counter() for m in absent}
    own: Counter[str] = Counter()
    out: dict[str, Counter[str]] = {m: Counter() for m in absent}
    for manager, retailer in made:
        owner = owner_of[retailer]
        if owner in taken and owner != manager:
            taken[owner][manager] += 1
        elif owner in taken:
            own[owner] += 1
    for manager, reason in left:
        if manager in out:
            out[manager][reason] += 1
    lines = []
    for manager in absent:
        due = own[manager] + taken[manager].total() + out[manager].total()
        if not due or not (taken[manager] or out[manager]):
            continue
        to = ", ".join(([f"{own[manager]} by {manager}"] if own[manager] else [])
                       + [f"{n} to {m}" for m, n in sorted(taken[manager].items(), key=lambda t: (-t[1], t[0]))])
        why = ", ".join(f"{reason} {n}" for reason, n in out[manager].most_common())
        lines.append(f"{manager}'s {due} due visits: {to or 'none handed over'}; {out[manager].total()} left out"
                     + (f" ({why})" if why else ""))
    return lines


def away_all_week(department: Department, working_dates: Iterable[dt.date]) -> list[str]:
    """The managers on whole-day leave every one of the week's working dates (none
    when the week has no working date)."""
    dates = set(working_dates)
    away: dict[str, set[dt.date]] = {}
    for leave in department.leave:
        if leave.start is None:
            away.setdefault(leave.manager, set()).add(leave.date)
    return [m.id for m in department.managers if dates and dates <= away.get(m.id, set())]


def away_most_of_the_week(department: Department, working_dates: Iterable[dt.date], day: tuple[int, int],
                          present_below: float) -> list[str]:
    """The managers present on the week's working dates, but for less than `present_below`
    of their working minutes (`day`: the working day's start and end, minutes): whole-day
    leave takes a day, part-day leave the minutes it covers (overlapping leave counted once).
    The share the policy pairs a manager by (`pairs.exempt_below_presence`)."""
    dates = set(working_dates)
    if not dates:
        return []
    start, end = day
    taken: dict[tuple[str, dt.date], list[tuple[int, int]]] = {}
    for leave in department.leave:
        if leave.date in dates:
            span = (start, end) if leave.start is None or leave.end is None else (
                max(start, leave.start), min(end, leave.end))
            if span[0] < span[1]:
                taken.setdefault((leave.manager, leave.date), []).append(span)
    found = []
    for manager in department.managers:
        away = sum(_covered(taken.get((manager.id, date), [])) for date in dates)
        worked = (end - start) * len(dates) - away
        if 0 < worked < present_below * (end - start) * len(dates):
            found.append(manager.id)
    return found


def away_for_hand_over(department: Department, working_dates: Iterable[dt.date], day: tuple[int, int],
                       present_below: float) -> list[str]:
    """The managers away all the week's working dates or most of them (`away_all_week`,
    `away_most_of_the_week`): the one statement of who takes no absent colleague's visits
    in a hand-over. A manager at work only on a make-up Saturday (away Mon–Fri) has one
    day's visit block for his own visits; handed a colleague's too, he left both out while
    neighbours at work all week had room (tester's d8: m02 given m03's visits, 10 unvisited)."""
    dates = list(working_dates)
    return away_all_week(department, dates) + away_most_of_the_week(department, dates, day, present_below)


def _covered(spans: list[tuple[int, int]]) -> int:
    """Minutes the spans cover, each minute once."""
    total, reach = 0, None
    for lo, hi in sorted(spans):
        if reach is None or lo > reach:
            total += hi - lo
            reach = hi
        elif hi > reach:
            total += hi - reach
            reach = hi
    return total
