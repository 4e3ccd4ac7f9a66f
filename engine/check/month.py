"""An independent judge of a monthly visit plan (SPEC §3-4).

`check_month` reads a month plan as plain data — the JSON contract of
`fieldweek month --json`, or anything with `model_dump` — and lists every rule it
breaks. It shares no code with engine.month or engine.routing on purpose: it works out
the month's working days, each retailer's visits and the spacing bounds itself, and the
rides as every judge reads them (engine/check/spec.py), from the words of the rules:

- `working_days`: routes only on the working days of the month (the policy's weekdays
  and the calendar's make-up days), never on a holiday; the plan lists exactly those days;
- `count` (one due rule with the weeks, SPEC §4): a retailer gets, in the month, its
  due visits of every ISO week holding a working day of the month (engine/check/spec.py's
  `expected_visits`, at most one a working day) that count on a day of the month. A
  week's n due visits count on its working days d_0..d_(D-1) at index
  ((k × 2^64 + a) × D) // (n × 2^64), k < n, a the big-endian integer of bytes 8–16
  of sha256(retailer id): the rule written out in engine/routing/due.py. No ISO week
  holds more of a retailer's visits than it owes the month; the month's total is all
  of them, or the plan lists the shortfall (wanted, planned) with a reason from the closed vocabulary.
  A week whose visit an applied capacity proposal replaces by a phone call (retailers.csv's
  `phone_call_week` that week's Monday, read here on its own) holds no visit of the retailer:
  its visits are listed `called_by_phone`, which excuses no more missing visits than such
  weeks owe, and no other retailer is listed so; `key_customer` and `empty_day` ask no visit
  of it that week;
- `spacing`: two consecutive visits of a retailer lie at least floor(min_gap_share × g)
  working days apart, g = 4 × W / v (W working days of a policy week), and at most
  ceil(max_gap_share × g) unless a listed shortfall leaves the longer gap (a week from
  the first visit's to the second's short of its due visits); the month's first (last)
  visit, of its first (last) owing week, at most that from the visit the straddling week
  counts in the previous (next) month, when its own manager (one away all month: the one
  making its visits) has a visit day of that week within it (a visit block in the
  timetable when given, else a day not all on leave), and, with the timetables, when one
  of his visits that week counts in the other month can be a first stop on a visit day
  of his there (`_unopened_sides`: else that month makes none of them). Given the previous
  month's plan (`previous`), the visit before the month is the retailer's last one there
  (counted back over that plan's own working days), not the assumed one, and the month's
  first visit lies at least the fewest gap after it ("too close") and, of its first owing
  week, at most the most ("too far") unless that plan lists a visit of it missing that
  this month does not make up; a visit that plan owed in the straddling week and left out
  (listed unplanned) is owed on this month's days of that week (`count`);
- `focus`: a retailer with a focus flag that owes the month a visit in a week holding a
  working day of `month.focus_days` is visited on a working day whose day of the month
  lies in the window, or is listed with reason `focus_window`; a retailer visited on a
  day of the window is not listed `focus_window`;
- `owner`: a retailer is visited by its own manager, or, when he is away every working
  minute of the month's working days in that week (the days its visits of this month are
  made on), by a neighbour (the week's rule, engine/check/spec.py `handed_over`, on those
  days: `_makers_in_month`), at most once a day;
- `route`: each day's stops fit the day: inside the day's visit block (the timetable's,
  when given), the first stop reached by the manager's first-stop time that day
  (`route.first_stop_by`, or on a weekday with a `route.first_stop_by_on` the time his
  ride after the morning meeting needs, at most that one; engine/check/spec.py), each stop reached no
  earlier than the ride from the last place allows (haversine × detour at the policy's
  speeds, within a minute of rounding), inside opening hours, at least the service
  minutes long, over by `route.visiting_ends_by`;
- `key_customer` (SPEC §4, seed 001's 20/80 rule; the policy's `[visit_value]`): a visit
  of the key class (A) owed in a week is not left out while its manager makes a visit of
  the least class (C) that week — or, in a week he is away (`owner`), a neighbour who may
  make his visits makes one —, when a day of that week could have served it: a day of
  that manager's visit blocks (the timetables', when given; else the plan's routes) that
  does not visit it, keeps the spacing rule with its visits before and after (the most
  gap counts from a visit of the next due slot only: one further off leaves a listed
  visit missing between them) as they stand or once one or both of them move to another
  day of their own week that could serve it (a flagged retailer's visit in the focus
  window to a day of the window; the plan's own chain is no excuse, listed or not), and leaves room for a single visit beside the day's
  key-class visits at their planned times (a key customer is not owed another's place):
  earliest start = max(block start, or the end of the key visit before, + the ride from
  there, opening), latest end = min(closing, block end, `route.visiting_ends_by`, the
  start of the key visit after, or the next fixed place's time when the timetable names
  it, - the ride there). Lunch and the first-stop rule are left out, as the week's judge
  does (check/visit_value.py).
- `empty_day` (with the weeks' timetables): a retailer short of a week's visits while a
  visit day of its own manager that week has no route, and a visit of it there keeps its
  spacing (as `spacing`, its visits as they stand) and fits the day: on its own (reached
  from the day's start by the first-stop time, in its opening hours, over by the end of
  visiting and the block, the next fixed place reached in time), or after a visit of his
  on another day of that week moved there to open it, both so timed, the moved visit
  keeping its spacing, its old day the first-stop time (its next stop reached by then when
  it was the first; every later stop only comes sooner), a focus day's visit not leaving
  the window. Lunch is left out, as for `key_customer` (tester's d520: m04 without a route
  on four days while 14 visits were listed, the day's opener on another day).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.check.spec import (
    FOUR_WEEKS,
    Point,
    back_for_leave,
    clipped_minutes,
    expected_visits,
    first_stop_deadline,
    great_circle_km,
    held_at_office,
    leave_spans,
    ride,
    territory_centres,
)
from engine.domain import Department, Retailer, Timetable
from engine.policy import WEEKDAYS, Policy, parse_clock

MINUTE_TOLERANCE = 1  # planners round each ride up to a whole minute
REASONS = frozenset({"no_visit_days", "opening_hours", "too_far", "time_window", "no_room_in_day", "spacing",
                     "focus_window", "called_by_phone"})
PHONE_CALL_WEEK = "phone_call_week"
"""retailers.csv's column for the week (its Monday) whose visit a phone call replaces, as an
applied capacity proposal writes it (data/README.md)."""


def _called_weeks(retailer: Retailer, owed: Mapping[dt.date, int]) -> set[dt.date]:
    """The weeks of the month a phone call replaces the retailer's visits in: its row's
    `phone_call_week` is the Monday of a week owing the month a visit."""
    said = retailer.extra.get(PHONE_CALL_WEEK, "")
    return {monday for monday, n in owed.items() if n and monday.isoformat() == said}


@dataclass(frozen=True)
class MonthViolation:
    """One broken rule: its id, whose plan, which day and retailer, and what is wrong."""

    rule: str
    manager: str | None
    date: dt.date | None
    retailer: str | None
    message: str


def _data(plan: object) -> Mapping:
    if isinstance(plan, Mapping):
        return plan
    dump = getattr(plan, "model_dump", None)
    if dump is None:
        raise TypeError("give the month plan as JSON data or a pydantic model")
    return dump(mode="json", by_alias=True)


def _ride_minutes(department: Department, policy: Policy, a: Retailer | None, b: Retailer | None) -> int:
    """Riding minutes between two places (None: the office), by the judges' ride rule."""
    office: Point = (department.office.lat, department.office.lon, "town")
    here: Point = (a.lat, a.lon, a.area) if a else office
    there: Point = (b.lat, b.lon, b.area) if b else office
    return ride(policy, here, there)[1]


WEEK_SHARES = 1 << 64
"""A retailer's place in its week, in units of 2^-64 of the week (the due rule's text)."""


def _owed_by_week(retailer_id: str, v: int, days: list[dt.date], department: Department, policy: Policy,
                  holidays: set[dt.date]) -> dict[dt.date, int]:
    """Per Monday of an ISO week holding one of the month's working `days`, the visits of
    that week that count on a day of the month."""
    in_month = set(days)
    return {monday: sum(d in in_month for d in _counted_on(retailer_id, v, monday, department, policy, holidays))
            for monday in sorted({d - dt.timedelta(days=d.weekday()) for d in days})}


def _counted_on(retailer_id: str, v: int, monday: dt.date, department: Department, policy: Policy,
                holidays: set[dt.date]) -> list[dt.date]:
    """The day each of the retailer's due visits of the ISO week of `monday` counts on, by
    this month's calendar (`holidays` left out)."""
    anchor = int.from_bytes(hashlib.sha256(retailer_id.encode("utf-8")).digest()[8:16], "big")
    week = [monday + dt.timedelta(days=i) for i in range(len(WEEKDAYS))]
    worked = [d for d in week if _worked(d, department, policy) and d not in holidays]
    if not worked:
        return []
    n = min(expected_visits(retailer_id, v, monday), len(worked))  # one visit a day at most
    return [worked[((k * WEEK_SHARES + anchor) * len(worked)) // (n * WEEK_SHARES)] for k in range(n)]


def _edge_positions(retailer_id: str, v: int, days: list[dt.date], department: Department, policy: Policy,
                    holidays: set[dt.date]) -> tuple[int | None, int | None]:
    """The position, counted in working days from the month's (`days`: the day before the
    first is -1, the day after the last len(days)), of the last visit the month's first
    week counts on a day of the previous month, and of the first one its last week counts
    on a day of the next month (the due rule's text, as `_owed_by_week`); None when none."""
    if not days:
        return None, None
    start = days[0].replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    anchor = int.from_bytes(hashlib.sha256(retailer_id.encode("utf-8")).digest()[8:16], "big")
    found: list[int | None] = []
    for day, outside in ((start, lambda d: d < start), (end, lambda d: d > end)):
        monday = day - dt.timedelta(days=day.weekday())
        week = [monday + dt.timedelta(days=i) for i in range(len(WEEKDAYS))]
        worked = [d for d in week if _worked(d, department, policy) and d not in holidays]
        n = min(expected_visits(retailer_id, v, monday), len(worked))
        counted = [worked[((k * WEEK_SHARES + anchor) * len(worked)) // (n * WEEK_SHARES)] for k in range(n)]
        away = [d for d in counted if outside(d)]
        if not away:
            found.append(None)
        elif day == start:
            found.append(-sum(1 for d in worked if max(away) <= d < start))
        else:
            found.append(len(days) + sum(1 for d in worked if end < d < min(away)))
    return found[0], found[1]


def _visit_dates(department: Department, policy: Policy, manager: str, days: list[dt.date],
                 timetables: Mapping[dt.date, Timetable] | None) -> set[dt.date]:
    """The month's working days the manager can make a visit on: those the weeks'
    timetables give him a visit block (when given), else those he is not on leave all day."""
    if timetables is not None:
        return {b.date for t in timetables.values() for b in t.blocks
                if b.manager == manager and b.kind == "visit" and b.date in days}
    spans = leave_spans(department)
    return {d for d in days
            if clipped_minutes(spans.get((manager, d), []), policy.day.start, policy.day.end)
            < policy.day.end - policy.day.start}


def _edges_in_reach(edges: tuple[int | None, int | None], owed: Mapping[dt.date, int], gmax: int,
                    position: Mapping[dt.date, int], visit_dates: set[dt.date]) -> tuple[int | None, int | None]:
    """The `edges` (`_edge_positions`) a first (last) visit of the month is held to: the
    one before (after) the month only when the manager who makes the visits has a visit
    day (`visit_dates`) in the first (last) week owing the month within the most gap of
    it. One on leave over those days cannot keep it, and a visit left out for it would
    leave the gap longer still (tester's d7f: weekly A shops counted on Mon 11-30 lost
    their week of 12-07, whose one visit day, Fri 12-11, lies 9 working days on)."""
    owing = sorted(w for w, n in owed.items() if n)
    if not owing:
        return edges
    head, tail = edges

    def in_week(d: dt.date, monday: dt.date) -> bool:
        return d - dt.timedelta(days=d.weekday()) == monday

    if head is not None and not any(in_week(d, owing[0]) and position[d] - head <= gmax for d in visit_dates):
        head = None
    if tail is not None and not any(in_week(d, owing[-1]) and tail - position[d] <= gmax for d in visit_dates):
        tail = None
    return head, tail


def _unopened_sides(data: Mapping, department: Department, policy: Policy, days: list[dt.date],
                    holidays: set[dt.date], timetables: Mapping[dt.date, Timetable] | None,
                    ) -> dict[str, tuple[bool, bool]]:
    """Per manager, whether the month's first (last) week, in its days of the previous
    (next) month, gives him visit days (the timetables') but none of his visits it counts
    there can be a day's first stop (`_could_serve` on a day without visits): the other
    month makes none of them, so no edge on that side holds his retailers' visits here
    (tester's d561: m04's class-A shops lost their week of 11-23, spaced to 12-04, which
    the December plan cannot make: his one opener counts on Mon 11-30). Unknown without
    timetables: then every edge holds."""
    if timetables is None or not days:
        return {}
    start = days[0].replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    retailers = {r.id: r for r in department.retailers}
    leave = leave_spans(department)
    found: dict[str, tuple[bool, bool]] = {}
    for manager in department.managers:
        sides: list[bool] = []
        for day, outside in ((start, lambda d: d < start), (end, lambda d: d > end)):
            monday = day - dt.timedelta(days=day.weekday())
            week = [monday + dt.timedelta(days=i) for i in range(len(WEEKDAYS))]
            worked = [d for d in week if _worked(d, department, policy) and d not in holidays]
            there = _key_customer_days(data, manager.id, [d for d in worked if outside(d)], policy, timetables, leave)
            counted = []
            for r in department.territory(manager.id):
                anchor = int.from_bytes(hashlib.sha256(r.id.encode("utf-8")).digest()[8:16], "big")
                n = min(expected_visits(r.id, r.visits_per_4_weeks, monday), len(worked))
                if any(outside(worked[((k * WEEK_SHARES + anchor) * len(worked)) // (n * WEEK_SHARES)])
                       for k in range(n)):
                    counted.append(r)
            sides.append(bool(there) and not any(_could_serve(r, visit_day, d, department, policy, retailers)
                                                 for d, visit_day in there.items() for r in counted))
        found[manager.id] = (sides[0], sides[1])
    return found


def _made_edges(edges: tuple[int | None, int | None], unopened: tuple[bool, bool]) -> tuple[int | None, int | None]:
    """The `edges` without a side the other month cannot make a visit on (`_unopened_sides`)."""
    return None if unopened[0] else edges[0], None if unopened[1] else edges[1]


@dataclass(frozen=True)
class _Prior:
    """What the previous month's plan says of one retailer (`check_month`'s `previous`): the
    date of its last visit there, that date's position counted in working days from this
    month's first (the previous plan's last listed day is -1), the visits it owed in the
    straddling week but did not make, which this month owes (`carried`), and the visits it
    was listed short of that this month does not make up (a missing visit between the two
    months then leaves the longer gap)."""

    last: dt.date | None
    since: int | None
    carried: int
    uncarried: int
    split_read: bool = False
    """Whether the straddling week is split as the previous plan split it (`left_here`): this
    month has a working day in that week and the retailer has not changed since."""
    left_here: int | None = None
    """The visits of the straddling week the previous plan's `due` left to this month (its
    `other_month`), or None when it does not name the retailer (a shop new since: the whole
    week is this month's). That plan is the fact: each month splits the week by its own
    calendar, and a holiday added since made each say the other owed it (tester B3)."""


def _fingerprint(department: Department) -> str:
    """The department's fingerprint as the month JSON states it (`department_fingerprint`,
    README "The month after the month before"), computed here on its own: sha256 of the
    canonical JSON of its managers' ids and its retailers' [id, manager, lat, lon]."""
    identity = {"managers": sorted(m.id for m in department.managers),
                "retailers": sorted([r.id, r.manager, round(r.lat, 6), round(r.lon, 6)]
                                    for r in department.retailers)}
    text = json.dumps(identity, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _changed_shops(data: Mapping, department: Department) -> set[str]:
    """The retailers of a previous plan of another fingerprint that are not the department's
    as it stands: missing from it, at another place than a stop states, or, where a stop
    states no place, visited for another manager than their own. Their visits are not read
    (the planner lists them in the month's notes); the month's own spacing judges them."""
    shops = {r.id: r for r in department.retailers}
    changed: set[str] = set()
    for route in data.get("routes", []):
        for stop in route.get("stops", []):
            shop = shops.get(stop["retailer"])
            lat, lon = stop.get("lat"), stop.get("lon")
            if shop is None:
                changed.add(stop["retailer"])
            elif lat is not None and lon is not None:
                if (round(float(lat), 6), round(float(lon), 6)) != (round(shop.lat, 6), round(shop.lon, 6)):
                    changed.add(stop["retailer"])
            elif shop.manager != (stop.get("owner") or route["manager"]):
                changed.add(stop["retailer"])
    return changed


def _priors(previous: object, department: Department, year: int, month: int,
            days: list[dt.date], policy: str | None = None) -> dict[str, _Prior]:
    """Per retailer, `_Prior` from the previous month's plan data, none for a retailer that
    changed since (`_changed_shops`). Refuses (ValueError) a plan of another department (its
    name, or another fingerprint and most retailers it visits changed), of another `policy`,
    of a month not directly before, or with a route off that month's working days."""
    data = _data(previous)
    before = dt.date(year, month, 1) - dt.timedelta(days=1)
    if str(data.get("month")) != f"{before.year:04d}-{before.month:02d}":
        raise ValueError(f"the previous plan is of {data.get('month')}, not {before:%Y-%m}")
    if data.get("department") != department.name:
        raise ValueError(f"the previous plan is of department {data.get('department')!r}, not {department.name!r}")
    if policy is not None and data.get("policy") != policy:
        raise ValueError(f"the previous plan is of policy {data.get('policy')!r}, not {policy!r}")
    prev_days = sorted(dt.date.fromisoformat(str(d)) for d in data.get("days", ()))
    same = data.get("department_fingerprint") == _fingerprint(department)
    unread = set() if same else _changed_shops(data, department)
    visited = {stop["retailer"] for route in data.get("routes", []) for stop in route.get("stops", [])}
    if 2 * len(unread & visited) > len(visited):
        raise ValueError(f"the previous plan is of another department named {department.name!r}: "
                         f"{len(unread & visited)} of the {len(visited)} retailers it visits are not this "
                         "department's as it stands")
    made: dict[str, list[dt.date]] = defaultdict(list)
    for route in data.get("routes", []):
        date = dt.date.fromisoformat(str(route["date"]))
        if date not in prev_days or (date.year, date.month) != (before.year, before.month):
            raise ValueError(f"the previous plan's route of {route.get('manager')} on {date} is not on one of its "
                             f"month's ({before:%Y-%m}) working days")
        for stop in route.get("stops", []):
            if stop["retailer"] not in unread:
                made[stop["retailer"]].append(date)
    short: Counter[str] = Counter()
    for line in data.get("unplanned", []):
        if line["retailer"] in unread:
            continue
        if line["reason"] != "focus_window":
            short[line["retailer"]] += max(int(line["wanted"]) - int(line["planned"]), 0)
    straddling = before - dt.timedelta(days=before.weekday())
    # This month's days of that week make the visits it left out, when it has any.
    here = bool(days) and days[0] - dt.timedelta(days=days[0].weekday()) == straddling
    unmade: Counter[str] = Counter()
    left_here: dict[str, int] = {}
    for item in data.get("due", []):
        rid = item["retailer"]
        if dt.date.fromisoformat(str(item["week_start"])) == straddling and rid not in unread:
            left_here[rid] = int(item.get("other_month", 0))
        if dt.date.fromisoformat(str(item["week_start"])) == straddling and short[rid] and here:
            in_week = sum(1 for d in made.get(rid, []) if d - dt.timedelta(days=d.weekday()) == straddling)
            unmade[rid] += max(min(int(item["visits"]) - int(item.get("called", 0)) - in_week, short[rid]), 0)
    priors: dict[str, _Prior] = {}
    for r in department.retailers:
        last = max(made[r.id]) if made.get(r.id) else None
        priors[r.id] = _Prior(last, -sum(1 for d in prev_days if d >= last) if last else None, unmade[r.id],
                              max(short[r.id] - unmade[r.id], 0), here and r.id not in unread, left_here.get(r.id))
    return priors


def _owed_with(retailer: Retailer, days: list[dt.date], department: Department, policy: Policy,
               holidays: set[dt.date], priors: Mapping[str, _Prior] | None) -> dict[dt.date, int]:
    """`_owed_by_week`, with the straddling week split as the previous month's plan split it
    (`_Prior.left_here`, at most the week's visits by this month's calendar, or all of them
    when that plan does not name the retailer), and the visits the previous month left out
    in that week (`_Prior.carried`) owed in this month's days of it."""
    owed = _owed_by_week(retailer.id, retailer.visits_per_4_weeks, days, department, policy, holidays)
    prior = (priors or {}).get(retailer.id)
    if prior is not None and days:
        first = days[0].replace(day=1)
        straddling = first - dt.timedelta(days=first.weekday())
        if straddling in owed and prior.split_read:
            total = len(_counted_on(retailer.id, retailer.visits_per_4_weeks, straddling, department, policy,
                                    holidays))
            owed[straddling] = total if prior.left_here is None else min(prior.left_here, total)
        if straddling in owed:
            owed[straddling] += prior.carried
    return owed


def _boundary(retailer: Retailer, edges: tuple[int | None, int | None], owed: Mapping[dt.date, int], gmax: int,
              position: Mapping[dt.date, int], visit_dates: set[dt.date],
              priors: Mapping[str, _Prior] | None) -> tuple[tuple[int | None, int | None], int | None]:
    """The edges a retailer's first and last visits are held to (`_edges_in_reach`), and the
    position of its last visit of the previous month (None without its plan): with the
    previous plan, the head edge is that visit, not the one the calendar assumes (none when
    that month left out a visit this month does not make up)."""
    if priors is None:
        return _edges_in_reach(edges, owed, gmax, position, visit_dates), None
    prior = priors.get(retailer.id)
    head = prior.since if prior is not None and not prior.uncarried else None
    return _edges_in_reach((head, edges[1]), owed, gmax, position, visit_dates), (prior.since if prior else None)


def _gaps(v: int, policy: Policy) -> tuple[int, int]:
    assert policy.month is not None
    ideal = FOUR_WEEKS * len(policy.working_days) / max(v, 1)
    return (max(1, math.floor(policy.month.min_gap_share * ideal + 1e-9)),
            math.ceil(policy.month.max_gap_share * ideal - 1e-9))


def _worked(date: dt.date, department: Department, policy: Policy) -> bool:
    """SPEC §5: a policy weekday the department's calendar does not make a holiday, or a
    make-up working day (调休) of the calendar."""
    said = department.calendar_day(date)
    if said is not None:
        return said.kind == "workday"
    return WEEKDAYS[date.weekday()] in policy.working_days


def _makers_in_month(department: Department, policy: Policy, monday: dt.date,
                     days: list[dt.date]) -> dict[str, frozenset[str]]:
    """Manager -> the managers who may visit his retailers in the week of `monday`: the
    week's hand-over rule (`spec.handed_over`) judged on the month's working days of that
    week, the days this month's visits of the week are made on. A manager on leave every
    working minute of those days has them made by managers at work on one of them whose
    territory centre lies within the policy's `replan.neighbour_max_km` of his."""
    rules = policy.replan
    if rules is None or "neighbour" not in rules.handover:
        return {}
    dates = [d for d in days if dt.timedelta(0) <= d - monday < dt.timedelta(days=7)]
    spans = leave_spans(department)
    day_minutes = policy.day.end - policy.day.start
    off = {m.id: sum(clipped_minutes(spans.get((m.id, d), []), policy.day.start, policy.day.end) for d in dates)
           for m in department.managers}
    at_work = {m for m, minutes in off.items() if minutes < day_minutes * len(dates)}
    centres = territory_centres(department)
    return {owner: frozenset(m for m in at_work if m != owner
                             and great_circle_km(*centres[owner], *centres[m]) <= rules.neighbour_max_km)
            for owner in off if dates and owner not in at_work}

def check_month(plan: object, department: Department, policy: Policy, holidays: set[dt.date] | None = None,
                timetables: Mapping[dt.date, Timetable] | None = None,
                previous: object | None = None) -> list[MonthViolation]:
    """Every rule the month plan breaks (empty when it keeps them all). Without the weeks'
    timetables the visit block is the one the plan states for each route. With `previous`,
    the previous month's plan (as `plan`), the month's first visits are judged against the
    visits that plan actually makes (`spacing`: at least the fewest gap, and the first due
    slot's at most the most), and the visits it owed in the straddling week but did not make
    are owed on this month's days of that week (`count`); a plan of another department or
    month than the one before is refused (ValueError)."""
    if policy.month is None:
        raise ValueError(f"policy '{policy.name}' has no [month] table to judge a month by")
    data = _data(plan)
    found: list[MonthViolation] = []

    def flag(rule: str, message: str, manager: str | None = None, date: dt.date | None = None,
             retailer: str | None = None) -> None:
        found.append(MonthViolation(rule, manager, date, retailer, message))

    year, month = (int(x) for x in str(data["month"]).split("-"))
    holidays = set(holidays or ()) | {dt.date.fromisoformat(str(d)) for d in data.get("holidays", ())}
    days = [date for date in (dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1))
            if _worked(date, department, policy) and date not in holidays]
    position = {d: i for i, d in enumerate(days)}
    listed = [dt.date.fromisoformat(str(d)) for d in data.get("days", ())]
    if listed != days:
        flag("working_days", f"the plan lists {len(listed)} working days; the month has {len(days)} "
                             f"({', '.join(f'{d:%m-%d}' for d in sorted(set(days) ^ set(listed)))} differ)")
    retailers = {r.id: r for r in department.retailers}
    managers = {m.id for m in department.managers}
    first, last = policy.month.focus_days
    visits: dict[str, list[dt.date]] = defaultdict(list)
    handed: dict[dt.date, dict[str, frozenset[str]]] = {}
    makers: dict[str, str] = {}  # who makes a retailer's first visit in the plan's order

    for route in data.get("routes", []):
        manager = route["manager"]
        date = dt.date.fromisoformat(str(route["date"]))
        if manager not in managers:
            flag("owner", f"no manager {manager!r} in the department", manager, date)
            continue
        if date not in position:
            flag("working_days", f"visits on {date}, which is not a working day of the month", manager, date)
        stops = list(route.get("stops", []))
        seen = Counter(s["retailer"] for s in stops)
        for retailer_id, times in seen.items():
            if retailer_id not in retailers:
                flag("owner", f"visits unknown retailer {retailer_id!r}", manager, date, retailer_id)
            elif retailers[retailer_id].manager != manager:
                monday = date - dt.timedelta(days=date.weekday())
                if monday not in handed:
                    handed[monday] = _makers_in_month(department, policy, monday, days)
                if manager not in handed[monday].get(retailers[retailer_id].manager, ()):
                    flag("owner", f"{retailer_id} belongs to {retailers[retailer_id].manager}, who is not away "
                                  f"every working day of the month in that week with {manager} a neighbour to "
                                  "make his visits", manager, date, retailer_id)
            if times > 1:
                flag("owner", f"{retailer_id} is visited {times} times on one day", manager, date, retailer_id)
        if any(s["retailer"] not in retailers for s in stops):
            continue
        for s in stops:
            visits[s["retailer"]].append(date)
            makers.setdefault(s["retailer"], manager)
        _check_route(route, stops, date, manager, retailers, department, policy, timetables, flag)

    unopened = _unopened_sides(data, department, policy, days, holidays, timetables)
    priors = None if previous is None else _priors(previous, department, year, month, days, policy.name)
    _check_key_customers(data, visits, days, position, department, policy, holidays, timetables, flag, unopened,
                         priors)
    if timetables is not None:
        _check_empty_days(data, visits, days, position, department, policy, holidays, timetables, flag,
                          unopened, priors)
    window_weeks = {d - dt.timedelta(days=d.weekday()) for d in days if first <= d.day <= last}
    for retailer in department.retailers:
        if retailer.visits_per_4_weeks > 0:
            owed = _owed_with(retailer, days, department, policy, holidays, priors)
            excuses = [u for u in data.get("unplanned", []) if u["retailer"] == retailer.id]
            # The owner's visit days, whoever made its first visit: a neighbour making the
            # week he is away does not hold him to the edge (tester's d519L). Only one away all
            # month (no day) has his days taken by the maker, who plans the month's visits.
            edge_days = (_visit_dates(department, policy, retailer.manager, days, timetables)
                         or _visit_dates(department, policy, makers.get(retailer.id, retailer.manager), days,
                                         timetables))
            edges, since = _boundary(
                retailer,
                _made_edges(_edge_positions(retailer.id, retailer.visits_per_4_weeks, days, department, policy,
                                            holidays), unopened.get(retailer.manager, (False, False))),
                owed, _gaps(retailer.visits_per_4_weeks, policy)[1], position, edge_days, priors)
            _check_retailer(retailer, sorted(visits.get(retailer.id, [])), owed, excuses, position, window_weeks,
                            policy, flag, edges, (priors or {}).get(retailer.id) if since is not None else None)
            _check_called(retailer, sorted(visits.get(retailer.id, [])), owed, excuses, flag)
    return found


def _check_called(retailer: Retailer, dates: list[dt.date], owed: Mapping[dt.date, int], excuses: list[Mapping],
                  flag) -> None:
    """`count` for a phone week (see the module text): no visit in a week a call replaces,
    and a `called_by_phone` line only for a retailer with such a week, for no more missing
    visits than those weeks owe."""
    called = _called_weeks(retailer, owed)
    for d in dates:
        if d - dt.timedelta(days=d.weekday()) in called:
            flag("count", f"visited on {d}, in the week its visit is called in a phone slot instead "
                          f"({PHONE_CALL_WEEK})", retailer.manager, d, retailer.id)
    by_phone = sum(owed[w] for w in called)
    for line in (u for u in excuses if u["reason"] == "called_by_phone"):
        missing = line["wanted"] - line["planned"]
        if missing > by_phone:
            flag("count", f"listed called_by_phone for {missing} missing visit(s), but its row's "
                          f"{PHONE_CALL_WEEK} replaces {by_phone} of the month's", retailer.manager, None,
                 retailer.id)


def _check_retailer(retailer: Retailer, dates: list[dt.date], owed: Mapping[dt.date, int], excuses: list[Mapping],
                    position: Mapping[dt.date, int], window_weeks: set[dt.date], policy: Policy, flag,
                    edges: tuple[int | None, int | None] = (None, None), prior: _Prior | None = None) -> None:
    """One retailer's visits of the month: per week and in all (`count`), `spacing`, `focus`.
    With the previous month's plan (`prior`: its last visit there), the month's first visit
    lies at least the fewest gap after it, and `edges` holds that visit in place of the
    calendar's.
    The first visit of the month's first owing week, and the last of its last when that
    week has all its visits, keep the most gap to the visit the straddling week counts in
    the previous or next month (`edges`), unless a listed shortfall lies between them."""
    assert policy.month is not None
    first, last = policy.month.focus_days
    wanted = sum(owed.values())
    made = Counter(d - dt.timedelta(days=d.weekday()) for d in dates)
    for monday, count in sorted(made.items()):
        if count > owed.get(monday, 0):
            flag("count", f"{count} visits in the week of {monday}, which owes the month {owed.get(monday, 0)}",
                 retailer.manager, None, retailer.id)
    excused = any(u["wanted"] == wanted and u["planned"] == len(dates) and u["reason"] in REASONS
                  for u in excuses if u["reason"] != "focus_window")
    if len(dates) != wanted and not excused:
        flag("count", f"{len(dates)} visits planned, {wanted} due in the month, and no shortfall listed "
                      "with a reason", retailer.manager, None, retailer.id)
    gmin, gmax = _gaps(retailer.visits_per_4_weeks, policy)
    short_weeks = [w for w, n in owed.items() if made[w] < n]
    for a, b in itertools.pairwise(dates):
        if a not in position or b not in position:
            continue
        gap = position[b] - position[a]
        # A listed shortfall leaves a longer gap where the missing visit would have been:
        # between the two visits' weeks, not elsewhere in the month.
        missing_between = any(a - dt.timedelta(days=a.weekday()) <= w <= b for w in short_weeks)
        if gap < gmin or (gap > gmax and not (excused and missing_between)):
            flag("spacing", f"visits on {a} and {b} are {gap} working days apart; the policy asks {gmin}-{gmax}",
                 retailer.manager, b, retailer.id)
    owing = sorted(w for w, n in owed.items() if n)
    monday_of = {d: d - dt.timedelta(days=d.weekday()) for d in dates}
    head, tail = edges
    before = (f"its last visit of the previous month's plan ({prior.last})" if prior is not None
              else "the visit the month's first week counts in the previous month")
    if dates and dates[0] in position and prior is not None and prior.since is not None \
            and (gap := position[dates[0]] - prior.since) < gmin:
        flag("spacing", f"first visit on {dates[0]} is {gap} working days after {before}: too close; the policy "
                        f"asks at least {gmin}", retailer.manager, dates[0], retailer.id)
    if dates and owing and dates[0] in position and head is not None and monday_of[dates[0]] == owing[0]:
        gap = position[dates[0]] - head
        if gap > gmax and not (excused and any(w <= monday_of[dates[0]] for w in short_weeks)):
            flag("spacing", f"first visit on {dates[0]} is {gap} working days after {before}: too far; the policy "
                            f"asks at most {gmax}", retailer.manager, dates[0], retailer.id)
    if (dates and owing and dates[-1] in position and tail is not None and monday_of[dates[-1]] == owing[-1]
            and made[owing[-1]] >= owed[owing[-1]]):
        gap = tail - position[dates[-1]]
        if gap > gmax and not (excused and any(w >= monday_of[dates[-1]] for w in short_weeks)):
            flag("spacing", f"last visit on {dates[-1]} is {gap} working days before the visit the month's "
                            f"last week counts in the next month; the policy asks at most {gmax}",
                 retailer.manager, dates[-1], retailer.id)
    flagged = any(getattr(retailer, f) for f in policy.month.focus_flags)
    in_window = [d for d in dates if first <= d.day <= last]
    listed = any(u["reason"] == "focus_window" for u in excuses)
    if listed and in_window:
        flag("focus", f"listed focus_window, yet visited on {in_window[0]}, in days {first}-{last} of the month",
             retailer.manager, in_window[0], retailer.id)
    if (flagged and any(owed.get(w, 0) for w in window_weeks) and not in_window
            and not listed):
        flag("focus", f"a {'/'.join(policy.month.focus_flags)} retailer without a visit on days "
                      f"{first}-{last} of the month, and not listed", retailer.manager, None, retailer.id)


def _check_route(route: Mapping, stops: list[Mapping], date: dt.date, manager: str,
                 retailers: Mapping[str, Retailer], department: Department, policy: Policy,
                 timetables: Mapping[dt.date, Timetable] | None, flag) -> None:
    block_start, block_end = parse_clock(route["visit_start"]), parse_clock(route["visit_end"])
    if timetables is not None:
        monday = date - dt.timedelta(days=date.weekday())
        week = timetables.get(monday)
        blocks = [b for b in (week.blocks if week else ()) if b.manager == manager and b.date == date
                  and b.kind == "visit"]
        if not blocks:
            flag("route", "visits on a day without a visit block in the week's timetable", manager, date)
            return
        if (blocks[0].start, blocks[0].end) != (block_start, block_end):
            flag("route", "the route's visit block is not the timetable's", manager, date)
            block_start, block_end = blocks[0].start, blocks[0].end
    origin = route.get("start_from", "office")
    here = retailers.get(origin) if origin != "office" else None
    clock = block_start
    ends_by = min(block_end, policy.route.visiting_ends_by)
    for number, stop in enumerate(stops):
        retailer = retailers[stop["retailer"]]
        arrive, start, end = (parse_clock(stop[k]) for k in ("arrive", "start", "end"))
        ride = _ride_minutes(department, policy, here, retailer)
        if arrive + MINUTE_TOLERANCE < clock + ride:
            flag("route", f"reaches {retailer.id} at {stop['arrive']}, sooner than the {ride}-min ride allows",
                 manager, date, retailer.id)
        if number == 0 and arrive > first_stop_deadline(policy, date, department, manager):
            flag("route", f"first stop reached at {stop['arrive']}, after the first-stop rule", manager, date,
                 retailer.id)
        if start < arrive or start < retailer.opens or end > retailer.closes:
            flag("route", f"{retailer.id} served {stop['start']}-{stop['end']}, outside its opening hours or "
                          "before arrival", manager, date, retailer.id)
        if end - start < max(retailer.service_min, policy.route.min_service_min):
            flag("route", f"{retailer.id} served {end - start} min, less than its service minutes", manager, date,
                 retailer.id)
        if start < block_start or end > ends_by:
            flag("route", f"{retailer.id} served {stop['start']}-{stop['end']}, outside the visit block or "
                          "after the end of visiting", manager, date, retailer.id)
        clock, here = end, retailer


@dataclass(frozen=True)
class _VisitDay:
    """A manager's visit day as far as one more visit is concerned."""

    start: int
    end: int
    start_place: str | None  # None: the office
    next_place: str | None  # None: the office
    next_deadline: int | None  # None: not known
    kept: tuple[tuple[str, int, int], ...] = ()
    """The day's visits of the key class (retailer, start, end): another key customer is
    not given up for this one."""


def _key_customer_days(data: Mapping, manager: str, days: list[dt.date], policy: Policy,
                       timetables: Mapping[dt.date, Timetable] | None,
                       leave: Mapping[tuple[str, dt.date], list[tuple[int, int]]] | None = None,
                       ) -> dict[dt.date, _VisitDay]:
    """The manager's visit days of the month: the timetables' visit blocks when given (a
    day whose route starts at a field place the timetable does not name is left out),
    else the days of the plan's routes."""
    routes = {dt.date.fromisoformat(str(r["date"])): r for r in data.get("routes", []) if r["manager"] == manager}
    found: dict[dt.date, _VisitDay] = {}
    if timetables is None:
        for date, route in routes.items():
            origin = route.get("start_from", "office")
            found[date] = _VisitDay(parse_clock(route["visit_start"]), parse_clock(route["visit_end"]),
                                    None if origin in (None, "office") else origin, None, None)
        return found
    for date in days:
        week = timetables.get(date - dt.timedelta(days=date.weekday()))
        blocks = sorted((b for b in (week.blocks if week else ()) if b.manager == manager and b.date == date),
                        key=lambda b: b.start)
        visit = next((b for b in blocks if b.kind == "visit"), None)
        if visit is None:
            continue
        before = [b for b in blocks if b.end <= visit.start and b.kind != "lunch"]
        start_place: str | None = None
        if before and before[-1].retailer is not None:
            start_place = before[-1].retailer
        elif before and not held_at_office(policy, before[-1].kind):
            continue  # rides from a place the timetable does not name
        next_place: str | None = None
        deadline: int | None = policy.day.end
        lunch = 0
        for b in (b for b in blocks if b.start >= visit.end):
            if b.kind == "lunch":
                lunch += b.end - b.start
                continue
            if b.retailer is not None:
                next_place, deadline = b.retailer, b.start - lunch
            elif held_at_office(policy, b.kind):
                deadline = b.start - lunch
            else:
                deadline = None
            break
        off = back_for_leave((leave or {}).get((manager, date), []), blocks, visit.end)
        if off is not None:
            next_place, deadline = None, off
        found[date] = _VisitDay(visit.start, visit.end, start_place, next_place, deadline)
    return found


def _check_key_customers(data: Mapping, visits: Mapping[str, list[dt.date]], days: list[dt.date],
                         position: Mapping[dt.date, int], department: Department, policy: Policy,
                         holidays: set[dt.date], timetables: Mapping[dt.date, Timetable] | None, flag,
                         unopened: Mapping[str, tuple[bool, bool]] | None = None,
                         priors: Mapping[str, _Prior] | None = None) -> None:
    """`key_customer`: see the module text."""
    rules = policy.visit_value
    if rules is None:
        return
    assert policy.month is not None
    first, last = policy.month.focus_days
    retailers = {r.id: r for r in department.retailers}
    least_by_week: dict[tuple[str, dt.date], int] = Counter()
    for retailer_id, dates in visits.items():
        r = retailers[retailer_id]
        if r.retailer_class == rules.least_class:
            for d in dates:
                least_by_week[(r.manager, d - dt.timedelta(days=d.weekday()))] += 1
    visit_days: dict[str, dict[dt.date, _VisitDay]] = {}
    key_stops: dict[tuple[str, dt.date], tuple[tuple[str, int, int], ...]] = {}
    least_by_maker: dict[tuple[str, dt.date], int] = Counter()
    orders_of: dict[tuple[str, dt.date], list[str]] = {}
    for route in data.get("routes", []):
        date = dt.date.fromisoformat(str(route["date"]))
        orders_of[(route["manager"], date)] = [s["retailer"] for s in route.get("stops", [])]
        key_stops[(route["manager"], date)] = tuple(sorted(
            (s["retailer"], parse_clock(s["start"]), parse_clock(s["end"])) for s in route.get("stops", [])
            if s["retailer"] in retailers and retailers[s["retailer"]].retailer_class == rules.key_class))
        least_by_maker[(route["manager"], date - dt.timedelta(days=date.weekday()))] += sum(
            1 for s in route.get("stops", [])
            if s["retailer"] in retailers and retailers[s["retailer"]].retailer_class == rules.least_class)
    handed: dict[dt.date, dict[str, frozenset[str]]] = {}

    def days_of_manager(manager: str) -> dict[dt.date, _VisitDay]:
        if manager not in visit_days:
            visit_days[manager] = {
                d: dataclasses.replace(day, kept=key_stops.get((manager, d), ()))
                for d, day in _key_customer_days(data, manager, days, policy, timetables,
                                                 leave_spans(department)).items() if d in position}
        return visit_days[manager]

    for retailer in department.retailers:
        if retailer.retailer_class != rules.key_class or retailer.visits_per_4_weeks <= 0:
            continue
        owed = _owed_with(retailer, days, department, policy, holidays, priors)
        made_dates = sorted(d for d in visits.get(retailer.id, []) if d in position)
        made = Counter(d - dt.timedelta(days=d.weekday()) for d in made_dates)
        # Who makes each short week's visit and his class-C visits that week: its manager, or
        # when he is away all that week the neighbours who make his visits (tester's d8e).
        short: list[tuple[dt.date, str, int]] = []
        called = _called_weeks(retailer, owed)
        for w, n in sorted(owed.items()):
            if made[w] >= n or w in called:
                continue
            if w not in handed:
                handed[w] = _makers_in_month(department, policy, w, days)
            if retailer.manager in handed[w]:
                short += [(w, m, least_by_maker[(m, w)]) for m in sorted(handed[w][retailer.manager])
                          if least_by_maker[(m, w)]]
            elif least_by_week[(retailer.manager, w)]:
                short.append((w, retailer.manager, least_by_week[(retailer.manager, w)]))
        if not short:
            continue
        gmin, gmax = _gaps(retailer.visits_per_4_weeks, policy)
        days_of = days_of_manager(retailer.manager)
        edges, since = _boundary(
            retailer,
            _made_edges(_edge_positions(retailer.id, retailer.visits_per_4_weeks, days, department, policy, holidays),
                        (unopened or {}).get(retailer.manager, (False, False))),
            owed, gmax, position, _visit_dates(department, policy, retailer.manager, days, timetables), priors)
        fits: dict[dt.date, bool] = {}

        def serves(d: dt.date, retailer: Retailer = retailer, days_of: Mapping = days_of,
                   fits: dict[dt.date, bool] = fits) -> bool:
            if d not in fits:
                fits[d] = _could_serve(retailer, days_of[d], d, department, policy, retailers)
            return fits[d]

        # A flagged retailer's visit in the focus window moves only to another day of the
        # window, as the planner moves it (the sample's m10 R01540: 12-08 to 12-10, not 12-11).
        stays = any(getattr(retailer, f) for f in policy.month.focus_flags)

        def elsewhere(d: dt.date, days_of: Mapping = days_of, made_dates: list[dt.date] = made_dates,
                      serves=serves, stays: bool = stays, retailer: Retailer = retailer) -> list[dt.date]:
            # A visit that opens its day moves only when the next stop opens it in time (the
            # sample's m11: R01707 first on 12-17 and the next stop 09:30 out of reach; "fits
            # with its 12-17 visit moved" was no plan a person could carry out).
            if not _opens_without(orders_of.get((retailer.manager, d), []), retailer.id, days_of.get(d), d,
                                  retailer.manager, department, policy, retailers):
                return []
            week = d - dt.timedelta(days=d.weekday())
            return [e for e in days_of if e - dt.timedelta(days=e.weekday()) == week and e not in made_dates
                    and serves(e) and not (stays and first <= d.day <= last and not first <= e.day <= last)]

        for monday in sorted({w for w, _, _ in short}):
            found: list[tuple[str, int, list[dt.date]]] = []
            for _, maker, least in (item for item in short if item[0] == monday):
                theirs = days_of_manager(maker)
                servable = [d for d in sorted(theirs)
                            if d - dt.timedelta(days=d.weekday()) == monday and d not in made_dates
                            and (serves(d) if maker == retailer.manager
                                 else _could_serve(retailer, theirs[d], d, department, policy, retailers, maker))
                            and _spaced_moving(d, made_dates, owed, position, gmin, gmax, elsewhere, edges, since)]
                if servable:
                    found.append((maker, least, servable))
            if found:
                own = found[0][0] == retailer.manager
                flag("key_customer", (
                    f"{retailer.id} (class {rules.key_class}) gets {made[monday]} of its {owed[monday]} visit(s) "
                    f"in the week of {monday:%m-%d} while "
                    + ", ".join(f"{least} class-{rules.least_class} visit(s) of {maker}" for maker, least, _ in found)
                    + f" are made that week{'' if own else ' (making its visits that week: it is away)'};"
                    f" a visit of it fits, keeping its spacing (a visit of it before or after moved within its "
                    f"week if need be), on "
                    + "; ".join(f"{'' if own else f'{maker}: '}{', '.join(f'{d:%m-%d}' for d in servable)}"
                                for maker, _, servable in found)),
                    found[0][0], found[0][2][0], retailer.id)


def _check_empty_days(data: Mapping, visits: Mapping[str, list[dt.date]], days: list[dt.date],
                      position: Mapping[dt.date, int], department: Department, policy: Policy,
                      holidays: set[dt.date], timetables: Mapping[dt.date, Timetable], flag,
                      unopened: Mapping[str, tuple[bool, bool]] | None = None,
                      priors: Mapping[str, _Prior] | None = None) -> None:
    """`empty_day`: see the module text."""
    assert policy.month is not None
    retailers = {r.id: r for r in department.retailers}
    routes: dict[tuple[str, dt.date], list[str]] = {}
    for route in data.get("routes", []):
        stops = [s["retailer"] for s in route.get("stops", []) if s["retailer"] in retailers]
        if stops:
            routes[(route["manager"], dt.date.fromisoformat(str(route["date"])))] = stops
    first, last = policy.month.focus_days
    leave = leave_spans(department)
    spacing: dict[str, tuple] = {}

    def week_of(d: dt.date) -> dt.date:
        return d - dt.timedelta(days=d.weekday())

    def rules_of(r: Retailer) -> tuple:
        """Its owed visits by week, gap bounds and edges (by its own manager's visit days)."""
        if r.id not in spacing:
            owed = _owed_with(r, days, department, policy, holidays, priors)
            gmin, gmax = _gaps(r.visits_per_4_weeks, policy)
            edges, since = _boundary(r, _made_edges(_edge_positions(r.id, r.visits_per_4_weeks, days, department,
                                                                   policy, holidays),
                                                    (unopened or {}).get(r.manager, (False, False))),
                                     owed, gmax, position,
                                     _visit_dates(department, policy, r.manager, days, timetables), priors)
            spacing[r.id] = (owed, gmin, gmax, edges, since)
        return spacing[r.id]

    def spaced(r: Retailer, date: dt.date, leaving: dt.date | None = None) -> bool:
        owed, gmin, gmax, edges, since = rules_of(r)
        made = sorted(d for d in visits.get(r.id, []) if d in position and d != leaving)
        return _spaced(date, made, owed, position, gmin, gmax, edges, since)

    def ends(r: Retailer, day: _VisitDay, date: dt.date, manager: str, here: Retailer | None, free: int,
             first_stop: bool) -> int | None:
        """When a visit of r after `here` (None: the day's start) free from `free` ends, or None
        when it misses the first-stop time, its opening hours or the end of visiting."""
        arrive = free + _ride_minutes(department, policy, here, r) if here is not None else \
            day.start + _ride_minutes(department, policy, retailers.get(day.start_place or ""), r)
        if first_stop and arrive > first_stop_deadline(policy, date, department, manager):
            return None
        end = max(arrive, r.opens) + max(r.service_min, policy.route.min_service_min)
        return end if end <= min(r.closes, day.end, policy.route.visiting_ends_by) else None

    def back_in_time(r: Retailer, day: _VisitDay, end: int) -> bool:
        return day.next_deadline is None or end + _ride_minutes(
            department, policy, r, retailers.get(day.next_place or "")) <= day.next_deadline

    def can_leave(manager: str, date: dt.date, y: str) -> bool:
        """The day's route keeps the first-stop time without y: y is not its first stop, or the
        next one is reached by then (every later stop only comes sooner)."""
        order = routes[(manager, date)]
        day = _key_customer_days(data, manager, [date], policy, timetables, leave).get(date) if order[0] == y else None
        return _opens_without(order, y, day, date, manager, department, policy, retailers)

    for manager in sorted({r.manager for r in department.retailers}):
        own_days = _key_customer_days(data, manager, days, policy, timetables, leave)
        empty = sorted(d for d in own_days if d in position and (manager, d) not in routes)
        if not empty:
            continue
        for r in (r for r in department.retailers if r.manager == manager and r.visits_per_4_weeks > 0):
            owed = rules_of(r)[0]
            made = Counter(week_of(d) for d in visits.get(r.id, []))
            for date in empty:
                week = week_of(date)
                if (made[week] >= owed.get(week, 0) or date in visits.get(r.id, []) or not spaced(r, date)
                        or week in _called_weeks(r, owed)):
                    continue
                day = own_days[date]
                alone = ends(r, day, date, manager, None, day.start, True)
                if alone is not None and back_in_time(r, day, alone):
                    flag("empty_day", f"{r.id} gets {made[week]} of its {owed[week]} visit(s) in the week of "
                                      f"{week:%m-%d} while {manager}'s visit day {date:%m-%d} is empty and a visit "
                                      "of it fits there, keeping its spacing", manager, date, r.id)
                    break
                opener = _opener(r, date, day, manager, week, routes, retailers, visits, first, last, ends,
                                 back_in_time, spaced, can_leave)
                if opener is not None:
                    flag("empty_day", f"{r.id} gets {made[week]} of its {owed[week]} visit(s) in the week of "
                                      f"{week:%m-%d} while {manager}'s visit day {date:%m-%d} is empty: it cannot "
                                      f"open it, but fits after {opener[0]}, moved there from {opener[1]:%m-%d} "
                                      "keeping both their spacing", manager, date, r.id)
                    break


def _opener(r: Retailer, date: dt.date, day: _VisitDay, manager: str, week: dt.date,
            routes: Mapping[tuple[str, dt.date], list[str]], retailers: Mapping[str, Retailer],
            visits: Mapping[str, list[dt.date]], first: int, last: int, ends, back_in_time, spaced,
            can_leave) -> tuple[str, dt.date] | None:
    """A visit of the manager's on another day of the week that could open the empty `date`
    with r after it (both timed from the day's start, in opening hours, over by the end of
    visiting; the day's next place reached in time), moved keeping its spacing, its own day
    keeping the first-stop time, and a flagged retailer's focus-day visit in the window."""
    for (maker, there), order in sorted(routes.items()):
        if maker != manager or there == date or there - dt.timedelta(days=there.weekday()) != week:
            continue
        for y in order:
            other = retailers[y]
            if y == r.id or date in visits.get(y, []):
                continue
            if first <= there.day <= last and not first <= date.day <= last:
                continue  # a window visit stays in the window (flag or not: the plan's choice to keep)
            opened = ends(other, day, date, manager, None, day.start, True)
            if opened is None:
                continue
            after = ends(r, day, date, manager, other, opened, False)
            if after is None or not back_in_time(r, day, after) or not spaced(other, date, there) \
                    or not can_leave(maker, there, y):
                continue
            return y, there
    return None


def _spaced(date: dt.date, made: list[dt.date], owed: Mapping[dt.date, int], position: Mapping[dt.date, int],
            gmin: int, gmax: int, edges: tuple[int | None, int | None] = (None, None),
            since: int | None = None) -> bool:
    """Whether one more visit on `date` keeps the spacing rule with the visits before and
    after it: at least `gmin` working days from each, and at most `gmax` from a visit of
    the due slot next to its own (the month's visits in due order, each week's in turn;
    a visit further off leaves a missing visit between them, which is listed); the one
    that completes the month, every two visits next to each other; the first (last) visit
    of the month's first (last) due slot, also with the visit the straddling week counts in
    the previous (next) month (`edges`, `_edge_positions`)."""
    return _spaced_all(sorted([*made, date]), {date}, owed, position, gmin, gmax, edges, since)


def _spaced_all(dates: list[dt.date], touched: set[dt.date], owed: Mapping[dt.date, int],
                position: Mapping[dt.date, int], gmin: int, gmax: int,
                edges: tuple[int | None, int | None] = (None, None), since: int | None = None) -> bool:
    """`_spaced` for the visits on the sorted `dates`, judging the gaps next to a visit
    of `touched` (every gap when the dates complete the month); the first, at least `gmin`
    after the previous month's last visit (`since`, its plan given)."""
    slot_weeks = [w for w, n in sorted(owed.items()) for _ in range(n)]
    slots: list[int] = []
    for d in dates:
        week = d - dt.timedelta(days=d.weekday())
        slots.append(next((k for k, w in enumerate(slot_weeks) if w == week and k not in slots), len(slot_weeks)))
    # The visit that makes the month complete leaves no missing visit to excuse a gap
    # anywhere (the plan would then break the spacing rule, `_check_retailer`).
    complete = len(dates) >= len(slot_weeks)
    if dates and since is not None and (complete or dates[0] in touched) and position[dates[0]] - since < gmin:
        return False
    head, tail = edges
    if dates and head is not None and slots[0] == 0 and (complete or dates[0] in touched) \
            and position[dates[0]] - head > gmax:
        return False
    if dates and tail is not None and slots[-1] == len(slot_weeks) - 1 and (complete or dates[-1] in touched) \
            and tail - position[dates[-1]] > gmax:
        return False
    for a, b in itertools.pairwise(range(len(dates))):
        if complete or dates[a] in touched or dates[b] in touched:
            gap = position[dates[b]] - position[dates[a]]
            if gap < gmin or (slots[b] == slots[a] + 1 and gap > gmax):
                return False
    return True


def _opens_without(order: Sequence[str], leaving: str, day: _VisitDay | None, date: dt.date, manager: str,
                   department: Department, policy: Policy, retailers: Mapping[str, Retailer]) -> bool:
    """Whether the day's route (`order`) keeps the first-stop time (SPEC §3) once `leaving`
    moves to another day: it is not the day's first stop, or the next stop is reached by
    then from the day's start (`day`; every later stop only comes sooner)."""
    if len(order) < 2 or order[0] != leaving:
        return True
    if day is None:
        return False
    arrive = day.start + _ride_minutes(department, policy, retailers.get(day.start_place or ""), retailers[order[1]])
    return arrive <= first_stop_deadline(policy, date, department, manager)


def _spaced_moving(date: dt.date, made: list[dt.date], owed: Mapping[dt.date, int],
                   position: Mapping[dt.date, int], gmin: int, gmax: int, elsewhere,
                   edges: tuple[int | None, int | None] = (None, None), since: int | None = None) -> bool:
    """`_spaced`, or so once the visit before it, the one after it or both move to
    another day of their own week that could serve the retailer (`elsewhere(d)`: those
    days): the plan's own spacing chain is no excuse when moving a neighbour mends it."""
    if _spaced(date, made, owed, position, gmin, gmax, edges, since):
        return True
    neighbours = [d for d in (max((m for m in made if m < date), default=None),
                              min((m for m in made if m > date), default=None)) if d is not None]
    choices = [[n, *(e for e in elsewhere(n) if e != date)] for n in neighbours]
    for picked in itertools.product(*choices):
        moved = {new for old, new in zip(neighbours, picked, strict=True) if new != old}
        if moved:
            dates = sorted([*(m for m in made if m not in neighbours), *picked, date])
            if _spaced_all(dates, {date, *moved}, owed, position, gmin, gmax, edges, since):
                return True
    return False


def _could_serve(retailer: Retailer, day: _VisitDay, date: dt.date, department: Department, policy: Policy,
                 retailers: Mapping[str, Retailer], manager: str | None = None) -> bool:
    """Whether a single visit of the retailer fits the day (the module text's test) beside
    the day's key-class visits at their planned times: in a gap between them, from the ride
    after the one before to the ride before the one after; before them all it is the day's
    first visit, reached by the manager's first-stop time (SPEC §3)."""
    def place(key: str | None) -> Retailer | None:
        return retailers.get(key) if key is not None else None

    service = max(retailer.service_min, policy.route.min_service_min)
    kept = sorted(day.kept, key=lambda k: k[1])
    before: list[tuple[Retailer | None, int]] = [(place(day.start_place), day.start)]
    before += [(retailers[r], end) for r, _, end in kept]
    for n, (here, free_from) in enumerate(before):
        arrive = free_from + _ride_minutes(department, policy, here, retailer)
        if n == 0 and arrive > first_stop_deadline(policy, date, department, manager or retailer.manager):
            continue
        earliest = max(arrive, retailer.opens)
        latest = min(retailer.closes, day.end, policy.route.visiting_ends_by)
        if n < len(kept):
            after, starts = kept[n][0], kept[n][1]
            latest = min(latest, starts - _ride_minutes(department, policy, retailer, retailers[after]))
        elif day.next_deadline is not None:
            latest = min(latest, day.next_deadline - _ride_minutes(department, policy, retailer,
                                                                   place(day.next_place)))
        if earliest + service <= latest:
            return True
    return False
