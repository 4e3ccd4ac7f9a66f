"""The ride from the office into each manager's territory, and the first-stop time it
sets (SPEC §3, "first retailer reached by 09:30").

The ride decides how late the day's visit block may start: the first stop is reached in
time only if the block starts early enough to ride to the nearest retailer due that
week. On a weekday the policy gives a later first-stop time (`route.first_stop_by_on`,
the Monday meeting that opens the week), that later time is a cap, used only as far as
the manager's ride needs: see `first_stop_time`. The timetable and the routes both read
the day's first-stop time from here, so that they agree."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

from engine.domain import Department, Retailer
from engine.policy import KindRule, Policy, Weekday
from engine.routing.due import due_retailers
from engine.routing.matrix import straight_line_matrix

MEETING_KIND = "meeting"
"""The policy kind whose weekday window is the morning meeting a later first stop makes
room for (`kinds.meeting.windows`)."""


VISIT_KIND = "visit"
"""The policy kind of the daily visit block, whose route the first stop opens."""


def approach_minutes(department: Department, policy: Policy, week_start: dt.date) -> dict[str, int]:
    """Minutes from the office to each manager's nearest retailer due this week (or in
    his territory when none is due); 0 for a manager without retailers."""
    return {m.id: manager_approach(department, policy, week_start, m.id) for m in department.managers}


def manager_approach(department: Department, policy: Policy, week_start: dt.date, manager: str) -> int:
    """One manager's `approach_minutes`."""
    targets = [d.retailer for d in due_retailers(department, week_start, manager)]
    rides = _rides_from_office(department, policy, targets or department.territory(manager))
    return min(rides, default=0)


def first_stop_rides(department: Department, policy: Policy, week_start: dt.date, manager: str,
                     visit_days: int) -> tuple[int, ...]:
    """Minutes from the office to each of the manager's `visit_days` nearest visits due this
    week, nearest first (a retailer due twice counts twice): each visit day needs a first
    retailer of its own, reached by the first-stop time. With the block timed for the
    nearest alone, one day had a first stop and the others none: a manager 56–82 min out
    with his blocks from 08:30 reached only his 58-min retailer by 09:30, so three of his
    four blocks held no visit and seven due visits were left out
    (engine/timetable/constraints._a_first_retailer_for_each_visit_day)."""
    due = due_retailers(department, week_start, manager)
    if visit_days <= 0:
        return ()
    rides = _rides_from_office(department, policy, [d.retailer for d in due])
    return tuple(sorted(ride for d, ride in zip(due, rides, strict=True) for _ in range(max(1, d.visits)))[:visit_days])


def _rides_from_office(department: Department, policy: Policy, retailers: Sequence[Retailer]) -> list[int]:
    """Whole minutes from the office to each retailer, by the routes' own travel model."""
    if not retailers:
        return []
    office = department.office
    matrix = straight_line_matrix(
        [office.lat, *(r.lat for r in retailers)],
        [office.lon, *(r.lon for r in retailers)],
        ["town", *(r.area for r in retailers)],
        policy.travel,
    )
    return [int(minutes) for minutes in matrix.minutes[0, 1:]]


def visit_block_opens(policy: Policy, weekday: Weekday) -> int | None:
    """The earliest the visit block may start on a day following `weekday`'s rules: its
    kind's earliest start, after the department's fixed slots that begin before the day's
    first-stop time (the morning meeting) and the department's daily slots whose window
    is over by then (seed-003's meeting, 20 min in 08:00–08:30: 08:20 at the earliest),
    each followed by the office–field buffer when it is held elsewhere than the block
    (the timetable keeps it between office and field, constraints.add_one_place_at_a_time).
    With the buffer left out, a 20-min buffer opened the far manager's block at 08:30
    where the meeting and the buffer allow 08:40: his first stop was due at 09:40, which
    no week could keep, and the department got no week. None without a visit kind."""
    rule = policy.kinds.get(VISIT_KIND)
    if rule is None:
        return None
    morning = policy.route.first_stop_on(weekday)
    earliest = rule.window(weekday)[0]
    grid = policy.grid_minutes
    buffer = -(-policy.travel.office_field_buffer_min // grid) * grid  # whole slots, as the timetable holds it
    ends = [earliest]
    for other in policy.kinds.values():
        minutes = (other.per_day_minutes or {}).get(weekday)
        if other.group != "department" or minutes is None:
            continue
        start, latest_end = other.window(weekday)
        if (latest_end - start == minutes and start < morning) or latest_end <= earliest:
            ends.append(start + minutes + (buffer if other.place != rule.place else 0))
    return max(ends)


def first_stop_time(policy: Policy, weekday: Weekday, approach: int, back: int | None = None) -> int:
    """The latest arrival at the first retailer of a manager's day following `weekday`'s
    rules, in minutes after midnight (SPEC §3, "first retailer reached by 09:30").

    `route.first_stop_by`, except on a weekday with a `route.first_stop_by_on` entry: there
    the first retailer is reached by `first_stop_by` too, or, when the manager's ride from
    the office to his nearest retailer due that week (`approach`, minutes) does not allow
    it after the day's morning meeting, by the end of the meeting's window for that
    weekday (`kinds.meeting.windows`) plus that ride, rounded up to the policy's grid —
    never later than the `first_stop_by_on` cap. A weekday without a morning meeting
    window (one over by the cap) gets the cap alone. Under `route.late_first_stop_when_far`,
    never earlier than the ride allows from the visit block's earliest start
    (`reached_from_earliest_block`).

    `back`: the time the manager is back from a leave that took the start of his day
    (`back_from_leave`); under `route.later_first_stop_after_leave` the first stop is
    then due as long after `first_stop_by` as the leave kept him past the day's start, and
    under `route.late_first_stop_when_far` never earlier than the ride allows from his
    return (`reached_from_earliest_block` with `back`): a manager 111 min out, back at
    09:00, could not be at his first retailer by 10:30, so his whole day was judged to
    have no room beside a 1-hour leave."""
    usual = _usual_first_stop_time(policy, weekday, approach)
    if back is None:
        return usual
    later = policy.route.first_stop_by + leave_delay(policy, back)
    reached = reached_from_earliest_block(policy, weekday, approach, back)
    return max(usual, later, reached if reached is not None else later)


def back_from_leave(policy: Policy, weekday: Weekday, approach: int,
                    leave: Iterable[tuple[int, int]]) -> int | None:
    """When a part-day leave takes the start of a manager's field day — a span of it ends
    after the working day starts and begins before his first stop is due
    (`first_stop_time`), or so soon after his visit block could open (the kind's earliest
    start, after the department's fixed slots he holds that morning) that not even the
    shortest block worth planning (`shortest_useful_block`) fits before it, or leaves
    more of the visit window after it than before it — the time he is back: the end of
    the last such span (the block is then as long as fits before or after it). None when none does or the policy keeps the
    usual first stop (`route.later_first_stop_after_leave`). (A leave 09:30–10:00 of a
    manager 48 min from his nearest retailer left him no block before it and, beginning at
    09:30, none after it: the day's 180 min were lost to half an hour; under seed-003 a
    near manager's kept 08:30–09:30, which held no visit, and lost 10:00–15:00.)"""
    if not policy.route.later_first_stop_after_leave or VISIT_KIND not in policy.kinds:
        return None
    spans = list(leave)
    due = _usual_first_stop_time(policy, weekday, approach)
    rule = policy.kinds[VISIT_KIND]
    opens = max([rule.window(weekday)[0],
                 *(end for start, end in fixed_slots(policy, weekday)
                   if not any(s < end and start < e for s, e in spans))])
    grid = policy.grid_minutes
    shortest = shortest_useful_block(policy, rule, weekday, approach)
    too_soon = opens + -(-shortest // grid) * grid
    latest_end = rule.window(weekday)[1]
    if rule.place == "field" and policy.day.field_ends_by is not None:
        latest_end = min(latest_end, policy.day.field_ends_by)
    ends = [end for start, end in spans if end > policy.day.start and (
        start < due or start < too_soon or latest_end - end > start - opens)]
    return max(ends) if ends else None


def shortest_useful_block(policy: Policy, rule: KindRule, weekday: Weekday, approach: int) -> int:
    """The shortest daily block of `rule` worth planning beside a leave on a day following
    `weekday`'s rules: the kind's `shortest_beside_leave`, and for field work at least the
    ride out to the manager's nearest retailer (`approach`), one visit and the ride back (an
    80-min block for a 37-min ride each way held no visit); the whole day's block when the
    kind plans no shorter one."""
    if rule.shortest_beside_leave is None:
        return (rule.per_day_minutes or {}).get(weekday, 0)
    if rule.place != "field" or not approach:
        return rule.shortest_beside_leave
    return max(rule.shortest_beside_leave, 2 * approach + policy.route.min_service_min)


def fixed_slots(policy: Policy, weekday: Weekday) -> list[tuple[int, int]]:
    """The department's daily slots whose window on a day following `weekday`'s rules is
    exactly their length (the Monday meeting, 08:00–08:40): held then by everyone at work
    and not away, whatever the search."""
    fixed = []
    for rule in policy.kinds.values():
        minutes = (rule.per_day_minutes or {}).get(weekday)
        if rule.group == "department" and minutes is not None:
            earliest, latest_end = rule.window(weekday)
            if latest_end - earliest == minutes:
                fixed.append((earliest, latest_end))
    return fixed


def leave_delay(policy: Policy, back: int | None) -> int:
    """Minutes a leave keeps a manager back from `back_from_leave` past the working day's
    start: what the first stop and the visit block's latest start move on by."""
    return 0 if back is None else max(0, back - policy.day.start)


def _usual_first_stop_time(policy: Policy, weekday: Weekday, approach: int) -> int:
    usual = _first_stop_after_meeting(policy, weekday, approach)
    far = reached_from_earliest_block(policy, weekday, approach)
    return max(usual, far) if far is not None else usual


def late_for_the_ride(policy: Policy, weekday: Weekday, approach: int) -> tuple[int, int] | None:
    """(first-stop time, the time the policy would otherwise give) when the far-manager rule
    (`reached_from_earliest_block`) moves a manager's first stop later; None when it does not."""
    usual = _first_stop_after_meeting(policy, weekday, approach)
    far = reached_from_earliest_block(policy, weekday, approach)
    return (far, usual) if far is not None and far > usual else None


def reached_from_earliest_block(policy: Policy, weekday: Weekday, approach: int,
                                back: int | None = None) -> int | None:
    """Under `route.late_first_stop_when_far`: the earliest a manager reaches his first
    retailer on a day following `weekday`'s rules — the visit block's earliest start (after
    the department's fixed slots that begin before the day's first-stop time; after `back`,
    when he is back then from a leave that took the start of his day, on the grid) plus
    his ride there, rounded up to the grid. The
    first stop is due no earlier than this: a 68-min ride from a block opening at 08:30 is
    there at 09:40, and a 09:30 first stop would leave the whole department without a week.
    None when the policy keeps the usual time or plans no visit block."""
    opens = visit_block_opens(policy, weekday)
    if not policy.route.late_first_stop_when_far or opens is None:
        return None
    grid = policy.grid_minutes
    if back is not None:
        opens = max(opens, math.ceil(back / grid) * grid)
    return math.ceil((opens + approach) / grid) * grid


def _first_stop_after_meeting(policy: Policy, weekday: Weekday, approach: int) -> int:
    route = policy.route
    cap = route.first_stop_by_on.get(weekday)
    if cap is None:
        return route.first_stop_by
    meeting = policy.kinds.get(MEETING_KIND)
    window = meeting.windows.get(weekday) if meeting is not None else None
    if window is None or window[1] > cap:
        return cap
    grid = policy.grid_minutes
    reached = math.ceil((window[1] + approach) / grid) * grid
    return min(cap, max(route.first_stop_by, reached))
