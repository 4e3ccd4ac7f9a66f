"""The rules of SPEC that several independent judges need, read once for all of them.

The checkers (engine/check/*) and the scorer (engine/quality.py) share no code with the
solvers on purpose: a mistake in a planner must not be able to hide in its own check.
They do share this module, which states each rule from the words of the spec and the
policy, so that the judges agree with each other:

- **rides** (SPEC §3-4): great-circle km on a sphere of the mean Earth radius × the
  policy's detour factor, ridden at town speed between two town points and at country
  speed otherwise, rounded up to a whole minute; between two blocks of a day, the
  policy's office–field buffer or field transfer;
- **territory centres** (SPEC §6, "pairs whose territories are near each other"): the
  mean position of a manager's retailers, the office for a manager without any;
- **due visits** (SPEC §4): the visits a retailer is due in a week, by the rule written
  out in engine/routing/due.py's text (running ISO week count, sha256 phase, even spread
  over four weeks);
- **working dates** (SPEC §5): the policy's weekdays less the department calendar's
  holidays, plus its make-up working days (调休) by the policy's `makeup_day_rules`;
- **the first-stop time** (SPEC §3, "first retailer reached by 09:30"): the policy's
  `route.first_stop_by`. On a date whose rules' weekday has a `route.first_stop_by_on`
  (Monday's meeting comes first, the ride after it) that later time is a cap, used only
  as far as the manager's ride needs: his first retailer is reached by `first_stop_by`,
  or, when his ride from the office to his nearest retailer due that week does not allow
  it after the day's morning meeting (the policy's `kinds.meeting.windows` for that
  weekday, over by the cap), by the end of that meeting window + that ride, rounded up
  to the policy's grid, never later than the cap; without a morning meeting window, by
  the cap. Under `route.late_first_stop_when_far`, never earlier than that ride allows
  from the visit block's earliest start, rounded up to the grid: a manager too far out to
  be there by 09:30 is there as soon as he can be. The block opens (`visit_block_opens`)
  at the visit kind's earliest start, or later after the department's daily slots that
  come first — a fixed one (its window exactly its length) that begins before the day's
  first-stop time, or one whose window is over by the time the visit window opens (seed
  003's 20-min meeting in 08:00–08:30) — at their earliest end, plus the office–field
  buffer rounded up to the grid when the slot is at the office (SPEC §6, riding time
  between office and field): a 20-min buffer after the 08:00–08:20 meeting opens it at
  08:40, and a 64-min ride is due at 09:50. Under `route.later_first_stop_after_leave`, a part-day leave that ends after
  the working day starts and begins before that time, or before the visit block's
  earliest start (after a fixed department slot he holds, the Monday meeting) plus the
  shortest block worth planning (`kinds.visit.shortest_beside_leave`, at least his ride
  out, one visit and the ride back), or leaves more of the visit window (to its latest
  end) after it than before it, moves it on to
  `first_stop_by` + the minutes from `day.start` to the end of that leave (back at 10:00
  from 08:00: by 11:30 under 09:30), and the visit block's latest start by as much; under
  `route.late_first_stop_when_far` too, never earlier than his ride allows from his
  return (the end of that leave, or the block's opening when later, rounded up to the
  grid, plus the ride, rounded up again): 111 min out and back at 09:30, by 11:30 (not
  11:00, which no ride from his return reaches);
- **the ride back for the daily report** (SPEC §3, "field visiting ends by 15:00, then
  back to the office (by 16:00 in seed 003) for the daily report"): on a day of part-day
  leave, the visit block (field work) fits beside the leave only if it ends by the latest
  start of the manager's own office block owed every day that can only follow the field
  work (its window opens when field work is over: the 15:00–16:00 report), less the
  larger of his ride back (the ride to his nearest retailer due, rounded up to the grid)
  and the office–field buffer (rounded up too) — `field_block_ends_by`: 111 min out, by
  14:00, so a 330-min block from 09:00 does not fit and a shorter one is planned;
- **presence and quotas** (SPEC §2 with the policy's proration rule): the share of the
  policy's week a manager works (holidays count as leave), at most all of it, and what he then owes of each
  weekly kind: fixed-length sessions prorated in number, others in minutes on the grid;
  paired kinds owed in full (prorated by the calendar in a week with holidays) unless he is
  present less than `pairs.exempt_below_presence` of the week's working dates: a holiday
  is everyone's, so it is not his absence there (a 2 h leave in a three-day week does not
  take him out of pair work).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

from engine.domain import Block, Department
from engine.policy import WEEKDAYS, KindRule, Policy, Weekday

MEAN_EARTH_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius: the sphere distances are measured on (a constant of
nature, not of the business); any sphere within 0.5 % of WGS-84 would do."""

FOUR_WEEKS = 4
"""The unit of a retailer's frequency: `visits_per_4_weeks`."""

VISIT = "visit"
"""The policy kind of the daily visit block, whose route the first stop opens."""

WHOLE_DAY = (0, 24 * 60)
"""A whole day of leave, as a span of minutes: midnight to midnight."""

MEETING_KIND = "meeting"
"""The policy kind whose weekday window is the morning meeting a later first stop of
that weekday makes room for."""

Point = tuple[float, float, str]
"""(lat, lon, area) of a place on a ride; the office rides as "town"."""


# -- rides ------------------------------------------------------------------------------------


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * MEAN_EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def ride(policy: Policy, a: Point, b: Point) -> tuple[float, int]:
    """(km, whole minutes) of one ride on the straight-line model: great circle × the
    policy's detour, at town speed between two town points, else country speed."""
    travel = policy.travel
    km = great_circle_km(a[0], a[1], b[0], b[1]) * travel.detour_factor
    speed = travel.town_speed_kmh if a[2] == "town" and b[2] == "town" else travel.country_speed_kmh
    return km, max(math.ceil(km / speed * 60 - 1e-9), 0)


def place_of(policy: Policy, kind: str) -> str | None:
    """"office" or "field" for a kind of the policy; None for lunch and unknown kinds."""
    rule = policy.kinds.get(kind)
    return rule.place if rule else None


def held_at_office(policy: Policy, kind: str) -> bool:
    """Whether a block of `kind` is held at the office: an office kind, or the department's
    own kind (the site study) that names no store: the timetable sets it out from there
    (SPEC §2, one slot for the whole department, led by the market manager)."""
    rule = policy.kinds.get(kind)
    return rule is not None and (rule.place == "office" or (rule.group == "department" and rule.at is None))


def riding_minutes(policy: Policy, kind: str, other: str) -> int:
    """Riding time the policy asks between two blocks of a day (SPEC §6, no overlaps with
    riding time): the office–field buffer between office and field work, the transfer
    between two field blocks; none around lunch or between office blocks."""
    places = {place_of(policy, kind), place_of(policy, other)}
    if None in places:
        return 0
    if places == {"field", "office"}:
        return policy.travel.office_field_buffer_min
    if places == {"field"}:
        return policy.travel.field_transfer_min
    return 0


def territory_centres(department: Department) -> dict[str, tuple[float, float]]:
    """Mean position of each manager's retailers; the office for a manager without any."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for retailer in department.retailers:
        acc = sums[retailer.manager]
        acc[0] += retailer.lat
        acc[1] += retailer.lon
        acc[2] += 1
    office = (department.office.lat, department.office.lon)
    return {
        m.id: (sums[m.id][0] / sums[m.id][2], sums[m.id][1] / sums[m.id][2]) if m.id in sums else office
        for m in department.managers
    }


# -- due visits -------------------------------------------------------------------------------


def expected_visits(retailer_id: str, visits_per_4_weeks: int, week_start: dt.date) -> int:
    """Visits due in the ISO week holding `week_start`."""
    monday = week_start - dt.timedelta(days=week_start.weekday())
    week = (monday.toordinal() - 1) // 7
    phase = int.from_bytes(hashlib.sha256(retailer_id.encode("utf-8")).digest()[:8], "big") % FOUR_WEEKS
    done_before = ((week + phase) * visits_per_4_weeks) // FOUR_WEEKS
    return ((week + phase + 1) * visits_per_4_weeks) // FOUR_WEEKS - done_before


# -- the week: presence and what each manager owes ----------------------------------------------


def round_half_up(value: Fraction) -> int:
    """Halves round up (2.5 → 3), as the proration rule says; exact on fractions."""
    return math.floor(value + Fraction(1, 2))


@dataclass(frozen=True)
class Quota:
    """What one manager owes of one weekly kind after leave: total minutes, the
    number of sessions and their length."""

    total: int
    fewest: int
    most: int
    shortest: int
    longest: int


def working_dates(policy: Policy, week_start: dt.date,
                  department: Department | None = None) -> dict[dt.date, Weekday]:
    """The week's working dates, in order, each with the weekday whose rules it follows.

    SPEC §5, the department's calendar: a holiday is not worked; a make-up working day
    (调休) is, whatever its weekday, by the rules of the policy's `makeup_day_rules`
    (else its first working day). Without a department: the policy's working weekdays."""
    dates: dict[dt.date, Weekday] = {}
    for offset, weekday in enumerate(WEEKDAYS):
        date = week_start + dt.timedelta(days=offset)
        said = department.calendar_day(date) if department is not None else None
        if said is not None and said.kind == "holiday":
            continue
        if weekday in policy.working_days:
            dates[date] = weekday
        elif said is not None and said.kind == "workday":
            dates[date] = policy.makeup_day_rules or policy.working_days[0]
    return dates


def office_ride_to_nearest_due(policy: Policy, department: Department, manager: str, week_start: dt.date) -> int:
    """Whole minutes from the office to the manager's nearest retailer due in the week
    (any of his retailers when none is due); 0 for a manager without retailers."""
    territory = [r for r in department.retailers if r.manager == manager]
    due = [r for r in territory if expected_visits(r.id, r.visits_per_4_weeks, week_start)]
    office: Point = (department.office.lat, department.office.lon, "town")
    return min((ride(policy, office, (r.lat, r.lon, r.area))[1] for r in due or territory), default=0)


def first_stop_deadline(policy: Policy, date: dt.date, department: Department | None = None,
                        manager: str | None = None) -> int:
    """The latest arrival at a manager's first retailer on a date, in minutes (the module
    text's rule). A date that is no working date follows its own weekday's rules. Without
    the department and the manager, a later weekday time is read as the cap alone."""
    usual = _usual_first_stop_deadline(policy, date, department, manager)
    late_by = late_start_for_leave(policy, date, department, manager)
    if not late_by:
        return usual
    later = max(usual, policy.route.first_stop_by + late_by)
    if department is None or manager is None or not policy.route.late_first_stop_when_far:
        return later
    # as soon as his ride allows from his return: back at 09:30, 111 min out -> 11:30
    grid = policy.grid_minutes
    back = _grid_up(policy.day.start + late_by, grid)
    opens = max(visit_block_opens(policy, date, department), back)
    monday = date - dt.timedelta(days=date.weekday())
    return max(later, _grid_up(opens + office_ride_to_nearest_due(policy, department, manager, monday), grid))


def _grid_up(minutes: int, grid: int) -> int:
    return -(-minutes // grid) * grid


def visit_block_opens(policy: Policy, date: dt.date, department: Department | None = None) -> int:
    """The earliest the visit block can start on `date` (the module text's rule): the visit
    kind's earliest start, or the earliest end of a department daily slot that comes first
    — fixed (its window exactly its length) and beginning before the day's first-stop time,
    or with its window over by the time the visit window opens — plus the office–field
    buffer, rounded up to the grid, when that slot is at the office and the visit block in
    the field. seed-003 with a 20-min buffer: the meeting 08:00–08:20 at the earliest, the
    block from 08:40, not the kind's 08:30."""
    weekday = _weekday_rules(policy, date, department)
    opens = kind_window(policy, VISIT, weekday)[0]
    grid = policy.grid_minutes
    buffer = _grid_up(policy.travel.office_field_buffer_min, grid)
    for kind, rule in policy.kinds.items():
        minutes = (rule.per_day_minutes or {}).get(weekday)
        if rule.group != "department" or minutes is None:
            continue
        earliest, _, latest_end = kind_window(policy, kind, weekday)
        fixed_first = latest_end - earliest == minutes and earliest < policy.route.first_stop_on(weekday)
        if fixed_first or latest_end <= kind_window(policy, VISIT, weekday)[0]:
            across = {place_of(policy, kind), place_of(policy, VISIT)} == {"office", "field"}
            opens = max(opens, earliest + minutes + (buffer if across else 0))
    return opens


def field_block_ends_by(policy: Policy, date: dt.date, department: Department, manager: str) -> int | None:
    """The latest a manager's visit block beside a part-day leave on `date` may end and
    still leave him the ride back to the office before his daily office block that can only
    follow the field work (the module text's rule): that block's latest start less the
    larger of his ride to his nearest retailer due and the office–field buffer, each rounded
    up to the grid (the 16:00 report, 111 min out: 14:00). None when the visit block is not
    field work, no such office block is owed every day, or he has no ride."""
    if place_of(policy, VISIT) != "field":
        return None
    weekday = _weekday_rules(policy, date, department)
    field_ends = kind_window(policy, VISIT, weekday)[2]
    starts = []
    for kind, rule in policy.kinds.items():
        if rule.place != "office" or rule.group != "single":
            continue
        if rule.per_day_minutes is not None:
            shortest = rule.per_day_minutes.get(weekday)
        else:
            shortest = rule.session_minutes[0] if rule.min_per_day and rule.session_minutes else None
        if shortest is None:
            continue
        earliest, latest_start, latest_end = kind_window(policy, kind, weekday)
        if max(earliest, policy.day.start) >= field_ends:
            last = min(latest_end, policy.day.end) - shortest
            starts.append(last if latest_start is None else min(last, latest_start))
    monday = date - dt.timedelta(days=date.weekday())
    ride_out = office_ride_to_nearest_due(policy, department, manager, monday)
    if not starts or not ride_out:
        return None
    grid = policy.grid_minutes
    return min(starts) - max(_grid_up(ride_out, grid), _grid_up(policy.travel.office_field_buffer_min, grid))


def late_start_for_leave(policy: Policy, date: dt.date, department: Department | None,
                         manager: str | None) -> int:
    """Under `route.later_first_stop_after_leave`: the minutes the manager's part-day leave
    on `date` keeps him past the working day's start, when it begins before his usual
    first-stop time (`first_stop_deadline` without it) and ends after the day starts —
    the end of the last such span less `day.start`; the first stop and the visit block's
    latest start move on by as much. 0 otherwise, and without a department and manager."""
    if (department is None or manager is None or not policy.route.later_first_stop_after_leave
            or VISIT not in policy.kinds):
        return 0
    spans = [(entry.start, entry.end) for entry in department.leave
             if entry.manager == manager and entry.date == date and entry.start is not None and entry.end is not None]
    if not spans:
        return 0
    due = _usual_first_stop_deadline(policy, date, department, manager)
    opens = _opens(policy, date, department, spans)
    too_soon = opens + _shortest_block_worth(policy, date, department, manager)
    latest_end = kind_window(policy, VISIT, _weekday_rules(policy, date, department))[2]
    ends = [end for start, end in spans if end > policy.day.start and (
        start < due or start < too_soon or latest_end - end > start - opens)]
    return max(ends) - policy.day.start if ends else 0


def _opens(policy: Policy, date: dt.date, department: Department, spans: list[tuple[int, int]]) -> int:
    """The earliest the visit block can start on `date` before any leave: its kind's earliest
    start, after each department slot whose window that day is exactly its length (the
    Monday meeting) and that no leave span of his touches (he holds it)."""
    weekday = _weekday_rules(policy, date, department)
    opens = kind_window(policy, VISIT, weekday)[0]
    for kind, rule in policy.kinds.items():
        minutes = (rule.per_day_minutes or {}).get(weekday)
        if rule.group != "department" or minutes is None:
            continue
        earliest, _, latest_end = kind_window(policy, kind, weekday)
        if latest_end - earliest == minutes and not any(s < latest_end and earliest < e for s, e in spans):
            opens = max(opens, latest_end)
    return opens


def _shortest_block_worth(policy: Policy, date: dt.date, department: Department, manager: str) -> int:
    """The shortest visit block planned beside a leave, on the grid: the kind's
    `shortest_beside_leave`, at least the ride from the office to his nearest retailer due,
    one visit (`route.min_service_min`) and the ride back; the whole block without it."""
    rule = policy.kinds[VISIT]
    if rule.shortest_beside_leave is None:
        return (rule.per_day_minutes or {}).get(_weekday_rules(policy, date, department), 0)
    monday = date - dt.timedelta(days=date.weekday())
    ride_out = office_ride_to_nearest_due(policy, department, manager, monday)
    shortest = max(rule.shortest_beside_leave, 2 * ride_out + policy.route.min_service_min if ride_out else 0)
    return -(-shortest // policy.grid_minutes) * policy.grid_minutes


def _weekday_rules(policy: Policy, date: dt.date, department: Department | None) -> Weekday:
    monday = date - dt.timedelta(days=date.weekday())
    return working_dates(policy, monday, department).get(date) or cast(Weekday, WEEKDAYS[date.weekday()])


def _usual_first_stop_deadline(policy: Policy, date: dt.date, department: Department | None,
                               manager: str | None) -> int:
    usual = _first_stop_after_meeting(policy, date, department, manager)
    if department is None or manager is None or not policy.route.late_first_stop_when_far or VISIT not in policy.kinds:
        return usual
    monday = date - dt.timedelta(days=date.weekday())
    arrive = visit_block_opens(policy, date, department) + office_ride_to_nearest_due(
        policy, department, manager, monday)
    return max(usual, _grid_up(arrive, policy.grid_minutes))


def _first_stop_after_meeting(policy: Policy, date: dt.date, department: Department | None,
                              manager: str | None) -> int:
    monday = date - dt.timedelta(days=date.weekday())
    weekday = _weekday_rules(policy, date, department)
    cap = policy.route.first_stop_by_on.get(weekday)
    if cap is None:
        return policy.route.first_stop_by
    meeting = policy.kinds.get(MEETING_KIND)
    window = meeting.windows.get(weekday) if meeting is not None else None
    if department is None or manager is None or window is None or window[1] > cap:
        return cap
    grid = policy.grid_minutes
    after_the_meeting = window[1] + office_ride_to_nearest_due(policy, department, manager, monday)
    return min(cap, max(policy.route.first_stop_by, -(-after_the_meeting // grid) * grid))


def leave_spans(department: Department, policy: Policy | None = None) -> dict[tuple[str, dt.date], list[tuple[int, int]]]:
    """Each manager's leave per date as (start, end) minutes; a whole day is `WHOLE_DAY`.

    With the policy, a date whose part-day rows take the whole working day (one row
    08:00–17:30 or 07:00–18:00 on a 08:00–17:30 day, or 08:00–12:00 and 12:00–17:30
    together) is a whole day of leave too, `[WHOLE_DAY]`: nothing is owed that day and
    nothing needs declaring, as the planner reads it."""
    spans: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for entry in department.leave:
        if entry.start is None or entry.end is None:
            spans[(entry.manager, entry.date)].append(WHOLE_DAY)
        else:
            spans[(entry.manager, entry.date)].append((entry.start, entry.end))
    if policy is not None:
        for (manager, date), day_spans in spans.items():
            if WHOLE_DAY not in day_spans and department.away_all_day(manager, date, policy.day.start, policy.day.end):
                spans[(manager, date)] = [WHOLE_DAY]
    return spans


def back_for_leave(spans: Iterable[tuple[int, int]], day_blocks: Iterable[Block], visit_end: int) -> int | None:
    """When the manager must be back at the office after his visit block for a part-day
    leave (SPEC §3: he goes on leave from the office, as he comes back by it): the start of
    the first leave after the block that comes before his next block, less the lunch taken
    on the way; None when no leave comes first."""
    work = [b for b in day_blocks if b.start >= visit_end]
    following = min((b.start for b in work if b.kind not in ("lunch", "visit")), default=None)
    off = min((s for s, e in spans if (s, e) != WHOLE_DAY and s >= visit_end
               and (following is None or s <= following)), default=None)
    if off is None:
        return None
    return off - sum(b.end - b.start for b in work if b.kind == "lunch" and b.end <= off)


def clipped_minutes(spans: Iterable[tuple[int, int]], start: int, end: int) -> int:
    """Minutes of [start, end) covered by the spans, overlaps counted once."""
    covered, reach = 0, start
    for span_start, span_end in sorted((max(s, start), min(e, end)) for s, e in spans):
        span_start = max(span_start, reach)
        if span_end > span_start:
            covered += span_end - span_start
            reach = span_end
    return covered


def kind_window(policy: Policy, kind: str, weekday: Weekday | None, late_by: int = 0) -> tuple[int, int | None, int]:
    """(earliest start, latest start, latest end) of a kind on a day following `weekday`'s
    rules: the kind's window for that weekday (`windows`, e.g. the Monday meeting), and for
    field work no later than the policy's `day.field_ends_by` (SPEC §3). `late_by`: minutes
    the kind's latest start moves on (a visit block after a morning leave,
    `late_start_for_leave`)."""
    rule = policy.kinds[kind]
    earliest, latest_end = rule.earliest_start, rule.latest_end
    if weekday is not None and weekday in rule.windows:
        earliest, latest_end = rule.windows[weekday]
    if rule.place == "field" and policy.day.field_ends_by is not None:
        latest_end = min(latest_end, policy.day.field_ends_by)
    latest_start = rule.latest_start if rule.latest_start is None else rule.latest_start + late_by
    return earliest, latest_start, latest_end


def fits_outside_leave(policy: Policy, spans: Iterable[tuple[int, int]], minutes: int,
                       window: tuple[int, int | None, int]) -> bool:
    """Whether a block of `minutes` starting on the grid fits the window and the working day
    without touching any of the day's leave spans: a daily block a part-day leave leaves no
    room for is not owed that day."""
    earliest, latest_start, latest_end = window
    grid, day = policy.grid_minutes, policy.day
    first = math.ceil(max(earliest, day.start) / grid) * grid
    last = min(latest_end, day.end) - minutes
    if latest_start is not None:
        last = min(last, latest_start)
    leave = list(spans)
    return any(
        not any(s < start + minutes and start < e for s, e in leave)
        for start in range(first, last + 1, grid)
    )


def handed_over(department: Department, policy: Policy, week_start: dt.date) -> dict[str, frozenset[str]]:
    """Manager -> the managers who may visit his retailers this week: under the policy's
    hand-over to a neighbour (`replan.handover` names "neighbour"), a manager away every
    working minute of the week, or present for less of it than the policy pairs a manager
    (`exempt_from_pairs`), has his due visits (those his own days do not hold) made by
    neighbours, managers present that week, for at least that share when he is present
    at all, whose territory centre lies within `replan.neighbour_max_km` of his."""
    rules = policy.replan
    if rules is None or "neighbour" not in rules.handover:
        return {}
    share = presence(department, policy, week_start)
    centres = territory_centres(department)

    def may_take(manager: str, owner: str) -> bool:
        if manager == owner or share[manager] == 0:
            return False
        if share[owner] > 0 and exempt_from_pairs(share[manager], policy):
            return False
        return great_circle_km(*centres[owner], *centres[manager]) <= rules.neighbour_max_km

    return {
        owner: frozenset(m for m in share if may_take(m, owner))
        for owner, away in share.items() if away == 0 or exempt_from_pairs(away, policy)
    }


class Presence(Fraction):
    """A manager's share of the policy's week (holidays count as leave): what his single
    weekly kinds are prorated by. It carries `of_working_days`, his share of the week's
    working dates (holidays not his absence): what exemption from pairs is judged on."""

    of_working_days: Fraction

    def __new__(cls, of_policy_week: Fraction, of_working_days: Fraction) -> Presence:
        made = super().__new__(cls, of_policy_week)
        made.of_working_days = of_working_days
        return made

    def __reduce__(self) -> tuple[type[Presence], tuple[Fraction, Fraction]]:
        return (Presence, (Fraction(self), self.of_working_days))

    def __copy__(self) -> Presence:
        return self  # immutable, as a Fraction is

    def __deepcopy__(self, memo: object) -> Presence:
        return self


def presence(department: Department, policy: Policy, week_start: dt.date) -> dict[str, Fraction]:
    """Share of the week's working minutes each manager is not on leave (1 = all week),
    as a `Presence` that also knows his share of the week's working dates."""
    dates = working_dates(policy, week_start, department)
    spans = leave_spans(department, policy)
    day_minutes = policy.day.end - policy.day.start
    # A holiday is everyone's leave from the policy's week; a make-up day stands in for one.
    total = day_minutes * len(policy.working_days)
    calendar_total = day_minutes * len(dates)
    result: dict[str, Fraction] = {}
    for manager in department.managers:
        away = sum(
            clipped_minutes(spans.get((manager.id, date), []), policy.day.start, policy.day.end)
            for date in dates
        )
        worked = calendar_total - away
        of_week = min(Fraction(worked, total), Fraction(1)) if total else Fraction(0)
        of_dates = Fraction(worked, calendar_total) if calendar_total else Fraction(0)
        result[manager.id] = Presence(of_week, of_dates)
    return result


def prorated_quota(rule: KindRule, share: Fraction, grid: int) -> Quota:
    """A single-manager weekly quota prorated by presence, as the policy's proration
    rule says: fixed-length sessions are prorated in number, others in minutes on the grid."""
    assert rule.sessions is not None and rule.session_minutes is not None
    (fewest, most), (shortest, longest) = rule.sessions, rule.session_minutes
    total = rule.total_minutes or 0
    if share >= 1:
        return Quota(total, fewest, most, shortest, longest)
    if shortest == longest:
        sessions = round_half_up(Fraction(total, shortest) * share)
        return Quota(sessions * shortest, sessions, sessions, shortest, shortest)
    owed = grid * round_half_up(total * share / grid)
    if owed == 0:
        return Quota(0, 0, 0, shortest, longest)
    if owed < shortest:
        return Quota(owed, 1, 1, owed, owed)
    return Quota(owed, max(1, math.ceil(owed / longest)), min(most, owed // shortest), shortest, longest)


def exempt_from_pairs(share: Fraction, policy: Policy) -> bool:
    """A manager present for less of the week than the policy's threshold is not paired.
    For a `Presence` the share is of the week's working dates: a holiday is everyone's
    (it prorates the pair's quotas, `weekly_quota`), not his absence."""
    own = share.of_working_days if isinstance(share, Presence) else share
    return own < Fraction(str(policy.pairs.exempt_below_presence))


def weekly_quota(rule: KindRule, share: Fraction, policy: Policy, calendar_share: Fraction = Fraction(1)) -> Quota:
    """What a manager with this presence owes of one weekly kind (single or pair). A
    paired kind is owed in full whatever his own leave (below `pairs.exempt_below_presence`
    he is not paired at all), but prorated by `calendar_share`, the share of the policy's
    week the department's calendar works: a holiday is everyone's, so both members of a
    pair owe the same share (data/README.md prorates every weekly quota for a holiday)."""
    assert rule.sessions is not None and rule.session_minutes is not None
    if rule.group == "pair":
        if share == 0 or exempt_from_pairs(share, policy):
            return Quota(0, 0, 0, *rule.session_minutes)
        if calendar_share < 1:
            return prorated_quota(rule, calendar_share, policy.grid_minutes)
        return Quota(rule.total_minutes or 0, *rule.sessions, *rule.session_minutes)
    return prorated_quota(rule, share, policy.grid_minutes)
