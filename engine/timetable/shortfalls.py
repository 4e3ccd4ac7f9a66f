"""A week planned short (SPEC §2 hours, §3 rides): when the rides between a manager's
places leave no room for every weekly hour the policy asks, the weekly solve plans the
week short rather than not at all, and says by how much and why.

The quotas become soft only through the policy (`objective.missing_weekly_hours_per_10min`).
Its cost per grid slot short is raised above the most that every other soft rule of the
week could cost together (`other_soft_ceiling`): the solver then gives up an hour only
when no week holds it, never to buy a preference (a pair, a late finish, a piece of
office time). Daily blocks stay hard, save on a day of part-day leave when the week has
no plan with them all (solve._excused_retry): a block missed there is declared short too
(`excused_day_shortfalls`), as is a daily block a part-day leave leaves no room for at
all (`leave_leaves_no_room`: not owed, but the manager is told), and a department slot
his part-day leave makes him miss (`missed_for_leave`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ortools.sat.python import cp_model

from engine.domain import Block, HoursShortfall
from engine.policy import KindRule, Weekday, format_clock
from engine.routing.approach import first_stop_time, shortest_useful_block
from engine.timetable.model import Shortfall, TimetableModel, kind_window
from engine.timetable.venues import Venue, Venues, pos_target_count, week_venues

MISSING_HOURS = "missing_hours["
"""The prefix of the penalties a shortfall adds (model's `add_weekly_quotas`)."""


def shortfall_terms(tm: TimetableModel) -> list[cp_model.LinearExprT]:
    """The model's slots short, one term per (manager, weekly kind) that may be short."""
    return [expr for name, _, expr in tm.penalties if name.startswith(MISSING_HOURS)]


def short_weeks_allowed(tm: TimetableModel) -> None:
    """Make the weekly quotas soft when the policy prices a missing 10 min (before the
    hard rules are added); the cost is raised later by `price_above_other_rules`."""
    per_10min = tm.policy.objective.missing_weekly_hours_per_10min
    if per_10min is not None:
        tm.shortfall = Shortfall(per_slot=max(1, -(-per_10min * tm.grid // 10)))


def expression_range(expr: cp_model.LinearExprT) -> tuple[int, int]:
    """The least and the largest value `expr` can take over its variables' domains."""
    if not isinstance(expr, cp_model.LinearExpr):
        return int(expr), int(expr)
    flat = cp_model.FlatIntExpr(expr)
    low = high = int(flat.offset)
    for var, coeff in zip(flat.vars, flat.coeffs, strict=True):
        domain = var.proto.domain
        low += coeff * (domain[0] if coeff > 0 else domain[-1])
        high += coeff * (domain[-1] if coeff > 0 else domain[0])
    return low, high


def other_soft_ceiling(tm: TimetableModel) -> int:
    """The most the week's soft rules other than missing hours can cost together: the
    sum over their terms of weight times the term's largest value (rewards count 0)."""
    return sum(max(0, weight * expression_range(expr)[1]) for name, weight, expr in tm.penalties
               if not name.startswith(MISSING_HOURS))


def price_above_other_rules(tm: TimetableModel) -> None:
    """Raise the cost of a missing slot above `other_soft_ceiling` (after the objective
    is built) and minimise again: one slot short then costs more than any week's
    preferences, so hours are given up only where no week holds them."""
    if tm.shortfall is None:
        return
    floor = other_soft_ceiling(tm) + 1
    if tm.shortfall.per_slot >= floor:
        return
    before = tm.shortfall.per_slot
    tm.shortfall = Shortfall(per_slot=floor, excused_days=tm.shortfall.excused_days, floors=tm.shortfall.floors)
    # A missed daily block weighs its slots (constraints.add_daily_blocks): scaled alike.
    tm.penalties = [(name, weight // before * floor if name.startswith(MISSING_HOURS) else weight, expr)
                    for name, weight, expr in tm.penalties]
    tm.cp.minimize(sum(weight * expr for _, weight, expr in tm.penalties))


@dataclass(frozen=True)
class DataLimit:
    """A weekly kind a manager's own data cannot hold in full, whatever the week: his
    territory has `places` POS-target households, and the kind is held at a different one
    each session (SPEC §2 "3 different target households per week";
    constraints.add_weekly_quotas holds the sessions to them). What no week can hold:"""

    places: int
    sessions_short: int
    minutes_short: int
    slots_short: int
    """In the model's grid slots: a floor under the manager's `missing_hours` of the kind."""


def data_limits(tm: TimetableModel) -> dict[tuple[str, str], DataLimit]:
    """(manager, kind) -> what his data cannot hold of the kind this week (`DataLimit`);
    nothing when the quotas are hard (explain.check_capacity refuses such a week)."""
    found: dict[tuple[str, str], DataLimit] = {}
    if tm.shortfall is None:
        return found
    for (manager, kind), blocks in tm.blocks.items():
        rule = tm.policy.kinds[kind]
        if rule.at != "pos_target" or rule.per_day_minutes is not None or not blocks:
            continue
        quota = tm.frame.managers[manager].quotas[kind]
        places = pos_target_count(tm.department, manager)
        if places >= quota.sessions_max:
            continue
        sessions = max(0, quota.sessions_min - places)
        minutes = max(0, quota.total_minutes - places * quota.session_minutes_max)
        slots = max(0, tm.slots(quota.total_minutes) - places * tm.slots(quota.session_minutes_max))
        if sessions or slots:
            found[(manager, kind)] = DataLimit(places, sessions, minutes, slots)
    return found


def data_limit_slots(tm: TimetableModel) -> dict[str, int]:
    """Manager -> the grid slots short his data forces on every week (`data_limits`)."""
    found: dict[str, int] = {}
    for (manager, _), limit in data_limits(tm).items():
        found[manager] = found.get(manager, 0) + limit.slots_short
    return found


def _data_words(manager: str, limit: DataLimit, sessions_asked: int) -> str:
    has = "no POS-target household" if not limit.places else (
        f"{limit.places} POS-target household{'s' if limit.places != 1 else ''}")
    short = (f"{limit.sessions_short} session{'s' if limit.sessions_short != 1 else ''} short"
             if limit.sessions_short else f"{limit.minutes_short} min short")
    return (f"{manager}'s territory has {has}; the week's {sessions_asked} POS sessions each need "
            f"a different one: {short}")


NOT_PROVEN = ("not kept in the week found within the time limit (it is not proven that the "
              "rides leave no room for it: more time may find a week that keeps it)")
"""The reason of a shortfall the search did not prove forced."""


def shortfall_proven(status: str, minutes_short: int, floor_minutes: int | None) -> bool:
    """Whether a week short of `minutes_short` is proven to be short of no more than any
    week can be: the solve is optimal (a missing slot costs more than every other soft
    rule together), or a proven floor is as large."""
    return status == "optimal" or (floor_minutes is not None and minutes_short <= floor_minutes)


def week_shortfalls(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block]) -> list[HoursShortfall]:
    """Each manager's weekly kinds planned below their (prorated) quota: minutes and
    sessions short, and the rides that took the room (a caller whose search did not prove
    that no week is short of less says `NOT_PROVEN` instead)."""
    if tm.shortfall is None:
        return []
    venues: Venues | None = None
    limits = data_limits(tm)
    found: list[HoursShortfall] = []
    for (manager, kind), variables in sorted(tm.blocks.items()):
        rule = tm.policy.kinds[kind]
        if rule.per_day_minutes is not None or not variables:
            continue
        quota = tm.frame.managers[manager].quotas[kind]
        mine = [b for b in blocks if b.manager == manager and b.kind == kind]
        minutes_short = max(0, quota.total_minutes - sum(b.end - b.start for b in mine))
        sessions_short = max(0, quota.sessions_min - len(mine))
        if not minutes_short and not sessions_short:
            continue
        limit = limits.get((manager, kind))
        if limit is not None and minutes_short <= limit.minutes_short and sessions_short <= limit.sessions_short:
            reason = _data_words(manager, limit, quota.sessions_min)
        else:
            venues = venues or week_venues(tm.department, tm.policy, tm.frame.week_start)
            reason = _reason(tm, venues, manager, kind, _partners(tm, blocks, manager))
            if limit is not None:
                reason = f"{_data_words(manager, limit, quota.sessions_min)}; beyond that, {reason}"
        found.append(HoursShortfall(manager=manager, kind=kind, minutes_short=minutes_short,
                                    sessions_short=sessions_short, reason=reason))
    return found


def excused_day_shortfalls(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block],
                           proven: bool = True) -> list[HoursShortfall]:
    """Each daily block the week leaves out on a day the model excuses (a day of part-day
    leave, solve._excused_retry): the day's minutes and one session short of the kind, with
    the day, the leave and the day's fixed slots in words; `proven=False` (a search that did
    not prove no week keeps more) says `NOT_PROVEN` after the day and the leave. Then each
    daily block a part-day leave leaves no room for at all (`leave_leaves_no_room`), and
    each department slot a part-day leave makes a manager miss (`missed_for_leave`)."""
    return (_missed_on_excused_days(tm, blocks, proven) + _less_what_was_worked(leave_leaves_no_room(tm), blocks)
            + short_beside_leave(tm, blocks, proven) + missed_for_leave(tm, blocks))


def _less_what_was_worked(lines: list[HoursShortfall], blocks: tuple[Block, ...] | list[Block]) -> list[HoursShortfall]:
    """The not-owed lines less the minutes of their kind the week still holds that day: a
    re-plan keeps the part of a block worked before a manager fell ill, and declared the
    whole block not owed beside it (180 min where 60 were lost)."""
    held: Counter[tuple[str, str, dt.date]] = Counter()
    for block in blocks:
        held[(block.manager, block.kind, block.date)] += block.end - block.start
    kept = []
    for line in lines:
        worked = held[(line.manager, line.kind, line.date)] if line.date is not None else 0
        if worked >= line.minutes_short:
            continue
        if worked:
            line = line.model_copy(update={"minutes_short": line.minutes_short - worked, "reason": (
                f"{line.reason}; {worked} min of it held before")})
        kept.append(line)
    return kept


def _leave_words(tm: TimetableModel, manager: str, day_index: int) -> str:
    return ", ".join(f"{format_clock(start)}–{format_clock(end)}"
                     for start, end in tm.frame.managers[manager].partial_leave.get(day_index, []))


def _label(tm: TimetableModel, kind: str) -> str:
    """The kind's English label in running text: 'Morning meeting' -> 'morning meeting'."""
    return tm.policy.kinds[kind].label_en.split(" (")[0].lower()


def leave_leaves_no_room(tm: TimetableModel) -> list[HoursShortfall]:
    """Each daily block not owed because a part-day leave leaves its window no room (the
    model's `no_room_for_leave`), and each `min_per_day` session of a weekly kind (the daily
    report slot) alike: the manager is still told, with the day, the minutes and the leave.
    The leave forces it on every week, so the words never depend on the search."""
    found: list[HoursShortfall] = []
    for manager, kind, day_index, (earliest, latest_start, latest_end) in tm.no_room_for_leave:
        rule = tm.policy.kinds[kind]
        day = tm.frame.days[day_index]
        if (manager, kind, day_index) in tm.room_beside_leave:
            continue  # planned shorter beside the leave: `short_beside_leave`
        if rule.per_day_minutes is not None:
            minutes, sessions, what = rule.per_day_minutes[day.weekday], 1, "block"
        else:
            # The day's sessions the kind asks (`min_per_day`), each as short as the quota allows.
            sessions = rule.min_per_day or 1
            minutes = tm.frame.managers[manager].quotas[kind].session_minutes_min
            what = "session" if sessions == 1 else f"session (x{sessions})"
        first = -(-earliest // tm.grid) * tm.grid
        starts = f"{format_clock(first)}–{format_clock(min(latest_start, latest_end - minutes))}"
        found.append(HoursShortfall(
            manager=manager, kind=kind, minutes_short=minutes * sessions, sessions_short=sessions, not_owed=True,
            date=day.date, reason=f"on {day.date:%a %m-%d} {manager}'s leave {_leave_words(tm, manager, day_index)} leaves no "
                   f"room for the {minutes}-min {_label(tm, kind)} {what} (to start {starts})"
                   f"{_nor_a_shorter_block(tm, manager, rule, day.weekday, minutes)}: not owed that day"))
    return found


def _nor_a_shorter_block(tm: TimetableModel, manager: str, rule: KindRule, weekday: Weekday, minutes: int) -> str:
    """Words for the shorter block the kind may plan beside a leave, which did not fit
    either: a far manager's two hours before the leave held no visit once he rode out and
    back (tester's d6_635L, m04: 57 min each way, "no room" read as a fault beside 120 free
    minutes). Empty when the kind plans no shorter block."""
    if rule.shortest_beside_leave is None:
        return ""
    approach = tm.approach.get(manager, 0)
    shortest = shortest_useful_block(tm.policy, rule, weekday, approach)
    ride = (f"his {approach}-min ride out to his nearest retailer due, one visit of "
            f"{tm.policy.route.min_service_min} min and the ride back")
    if shortest == rule.shortest_beside_leave:
        return f", nor for the shortest block worth planning beside it ({shortest} min)"
    if shortest >= minutes:
        return f", nor for any shorter block ({ride} take {shortest} min)"
    return f", nor for the shortest block worth planning beside it ({shortest} min: {ride})"


def short_beside_leave(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block],
                       proven: bool = True) -> list[HoursShortfall]:
    """Each daily block a part-day leave leaves no room for whole, planned shorter beside it
    (model.room_beside_leave): what the leave takes of it is not owed, but told; what the
    week keeps less than the longest that fits beside the leave is short (the rides and the
    day's other blocks left it no room; `proven=False`: `NOT_PROVEN`)."""
    held: Counter[tuple[str, str, dt.date]] = Counter()
    for block in blocks:
        held[(block.manager, block.kind, block.date)] += block.end - block.start
    found: list[HoursShortfall] = []
    for (manager, kind, day_index), longest in sorted(tm.room_beside_leave.items()):
        day = tm.frame.days[day_index]
        minutes = (tm.policy.kinds[kind].per_day_minutes or {})[day.weekday]
        label, leave = _label(tm, kind), _leave_words(tm, manager, day_index)
        worked = min(held[(manager, kind, day.date)], longest)
        found.append(HoursShortfall(
            manager=manager, kind=kind, minutes_short=minutes - longest, sessions_short=0, not_owed=True,
            date=day.date, reason=f"on {day.date:%a %m-%d} {manager}'s leave {leave} leaves room for at most "
                                  f"{longest} of the {minutes}-min {label} block: the other {minutes - longest} "
                                  "min not owed that day"))
        if worked < longest:
            why = ("the rides and the day's other blocks around the leave leave no room for more" if proven
                   else NOT_PROVEN)
            found.append(HoursShortfall(
                manager=manager, kind=kind, minutes_short=longest - worked, sessions_short=0 if worked else 1,
                date=day.date, reason=f"on {day.date:%a %m-%d} the {label} block beside {manager}'s leave {leave} "
                                      f"is {worked} of the {longest} min that fit beside it: {why}"))
    return found


def missed_for_leave(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block]) -> list[HoursShortfall]:
    """Each department slot (the daily meeting, the weekly site study) a manager misses
    because his part-day leave overlaps it (model.add_attendance: absent, not bound to it),
    and the week's site study held on a day of his whole-day leave:
    not owed, but told, with the day, the slot and the leave. The slot's time is the
    department's, chosen by the solve: read from the week's blocks (`_department_slots`)."""
    found: list[HoursShortfall] = []
    days = {day.date: day for day in tm.frame.days}
    for kind, rule in tm.policy.kinds.items():
        if rule.group != "department":
            continue
        for date, start, end in _department_slots(rule, [b for b in blocks if b.kind == kind]):
            day = days.get(date)
            if day is None:
                continue
            for manager, mw in sorted(tm.frame.managers.items()):
                # A daily slot is not owed on a day he is away all day; the week's one is,
                # unless he is away that day (and works some other day of the week).
                away_all_day = not mw.works_on(day.index)
                if (away_all_day and (rule.is_daily or mw.presence <= 0)) or not mw.on_leave_during(
                        day.index, start, end) or any(
                        b.manager == manager and b.kind == kind and b.date == date for b in blocks):
                    continue
                leave = "whole-day leave" if away_all_day else f"leave {_leave_words(tm, manager, day.index)}"
                found.append(HoursShortfall(
                    manager=manager, kind=kind, minutes_short=end - start, sessions_short=1, not_owed=True,
                    date=date, reason=f"on {date:%a %m-%d} {manager} misses the {end - start}-min {_label(tm, kind)} "
                           f"({format_clock(start)}–{format_clock(end)}) for his {leave}: not owed"
                           + (" that day" if rule.is_daily else "")))
    return found


def _department_slots(rule: KindRule, held: list[Block]) -> list[tuple[dt.date, int, int]]:
    """The department's slots among the held blocks of one department kind, as most
    managers attend them: a daily slot (the meeting) once a day, a weekly kind (the site
    study) as many times as its sessions allow in the week (a block apart from them would
    be a manager gone astray, not the department's slot)."""
    attended = Counter((b.date, b.start, b.end) for b in held)
    if not rule.is_daily:
        return [slot for slot, _ in attended.most_common(rule.sessions[1] if rule.sessions else None)]
    daily: dict[dt.date, tuple[dt.date, int, int]] = {}
    for slot, _ in attended.most_common():
        daily.setdefault(slot[0], slot)
    return list(daily.values())


def _missed_on_excused_days(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block],
                            proven: bool) -> list[HoursShortfall]:
    if tm.shortfall is None or not tm.shortfall.excused_days:
        return []
    found: list[HoursShortfall] = []
    for (manager, kind), variables in sorted(tm.blocks.items()):
        rule = tm.policy.kinds[kind]
        if rule.per_day_minutes is None:
            continue
        for variable in variables:
            day = tm.frame.days[variable.day]
            minutes = rule.per_day_minutes.get(day.weekday)
            if (manager, kind, variable.day) in tm.room_beside_leave:
                continue  # its own lines: `short_beside_leave`
            if (manager, variable.day) not in tm.shortfall.excused_days or minutes is None or any(
                    b.manager == manager and b.kind == kind and b.date == day.date for b in blocks):
                continue
            found.append(HoursShortfall(manager=manager, kind=kind, minutes_short=minutes, sessions_short=1,
                                        reason=_missed_day_words(tm, blocks, manager, kind, variable.day, proven)))
    return found


def _missed_day_words(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block], manager: str, kind: str,
                      day_index: int, proven: bool) -> str:
    """Why a daily block is missing on a day of part-day leave, in a market manager's words."""
    day = tm.frame.days[day_index]
    rule = tm.policy.kinds[kind]
    minutes = (rule.per_day_minutes or {})[day.weekday]
    leave = ", ".join(f"{format_clock(start)}–{format_clock(end)}"
                      for start, end in tm.frame.managers[manager].partial_leave.get(day_index, []))
    label = rule.label_en.split(" (")[0].lower()
    when = f"on {day.date:%a %m-%d}"
    if not proven:
        return f"{when}, around {manager}'s leave {leave}, the {minutes}-min {label} block is {NOT_PROVEN}"
    department = {k for k, r in tm.policy.kinds.items() if r.group == "department"}
    fixed = [f"{tm.policy.kinds[b.kind].label_en.split(' (')[0].lower() if b.kind in department else b.kind} "
             f"{format_clock(b.start)}–{format_clock(b.end)}"
             for b in sorted(blocks, key=lambda b: b.start)
             if b.manager == manager and b.date == day.date and (b.kind in department or b.kind == "lunch")]
    approach = tm.approach.get(manager, 0)
    if kind == "visit" and approach:
        by = first_stop_time(tm.policy, day.weekday, approach, tm.back_from_leave.get((manager, day_index)))
        fixed.append(f"the first stop by {format_clock(by)}")
    slots = f" and the day's fixed slots ({', '.join(fixed)})" if fixed else " and the day's other blocks"
    return f"{when} {manager}'s leave {leave}{slots} leave no room for the {minutes}-min {label} block"


def not_proven(tm: TimetableModel, shortfalls: list[HoursShortfall]) -> list[HoursShortfall]:
    """The shortfalls of a week the search did not prove short of no more than any week:
    each gets `NOT_PROVEN` for its reason, except what the manager's data forces on every
    week, which is proven whatever the search proved and keeps its words: too few places
    (`data_limits`), or opening hours that leave no room for it at any store he could be
    at (`hours_limit`; tester's promo_win: every promotion store closing as its window
    opens was put down to the rides not proven). Only what exceeds that says `NOT_PROVEN`."""
    limits = data_limits(tm)
    found = []
    for s in shortfalls:
        limit = limits.get((s.manager, s.kind))
        if limit is not None:
            asked = tm.frame.managers[s.manager].quotas[s.kind].sessions_min
            words, minutes, sessions = _data_words(s.manager, limit, asked), limit.minutes_short, limit.sessions_short
        else:
            hours = hours_limit(tm, tm.week_venues(), s.manager, s.kind, set())
            if hours is None:
                found.append(s.model_copy(update={"reason": NOT_PROVEN}))
                continue
            words, minutes, sessions = hours.words, hours.minutes_short, hours.sessions_short
        if s.minutes_short > minutes or s.sessions_short > sessions:
            words = f"{words}; beyond that, {NOT_PROVEN}"
        found.append(s.model_copy(update={"reason": words}))
    return found


def _partners(tm: TimetableModel, blocks: tuple[Block, ...] | list[Block], manager: str) -> set[str]:
    paired = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    return {w for b in blocks if b.manager == manager and b.kind in paired for w in b.with_}


def _reason(tm: TimetableModel, venues: Venues, manager: str, kind: str, partners: set[str]) -> str:
    """The opening hours of the kind's places when the data alone shows they bind
    (`_opening_hours`), otherwise the rides of the manager's week, in words, from his
    visit area."""
    hours = _opening_hours(tm, venues, manager, kind, partners)
    if hours is not None:
        return hours
    area = venues.visit_area.get(manager)
    if area is None or not area.points:
        return "the week's blocks and their rides leave no room for it"
    office = Venue((None,))
    rides = [f"office {venues.minutes(area, office)} min"]
    households = venues.households.get(manager)
    if households is not None and households.points:
        rides.append(f"POS households up to {venues.minutes(area, households)} min")
    store = venues.pair_venue({manager, *partners}) if partners else None
    if store is not None and store.points:
        rides.append(f"the pair's store {venues.minutes(area, store)} min")
    words = f"the rides between his places (from his visit area: {', '.join(rides)})"
    if tm.policy.kinds[kind].group == "pair" and partners:
        # A paired session is held when both can be there: a partner's long ride out can
        # be what leaves it no room (tester's d6: m01's rides 2-6 min, his partner's 52).
        words += "".join(f" and his partner {partner}'s ({_ride_words(venues, partner, office, store)})"
                         for partner in sorted(partners))
        return f"{words} leave the pair no room for it"
    return f"{words} leave no room for it"


def _ride_words(venues: Venues, manager: str, office: Venue, store: Venue | None) -> str:
    """A manager's rides from his visit area to the office and to the pair's store, in words."""
    area = venues.visit_area.get(manager)
    if area is None or not area.points:
        return "no visit area"
    rides = [f"office {venues.minutes(area, office)} min"]
    if store is not None and store.points:
        rides.append(f"store {venues.minutes(area, store)} min")
    return ", ".join(rides)


@dataclass(frozen=True)
class HoursLimit:
    """What the opening hours of a kind's places leave no room for, whatever the week."""

    words: str
    minutes_short: int
    sessions_short: int


def _opening_hours(tm: TimetableModel, venues: Venues, manager: str, kind: str, partners: set[str]) -> str | None:
    """The opening hours in words when they alone leave no room for the kind's quota
    (`hours_limit`); None when the hours do not show it."""
    limit = hours_limit(tm, venues, manager, kind, partners)
    return None if limit is None else limit.words


def hours_limit(tm: TimetableModel, venues: Venues, manager: str, kind: str,
                partners: set[str]) -> HoursLimit | None:
    """The opening hours in words, and the minutes and sessions they leave no room for,
    when they alone leave no room for the kind's quota: the places of the kind (his POS
    households, his group's store; with no `partners`, every store he could share) open,
    within the kind's window on his working days, for fewer sessions or minutes than the
    week asks (read from the data, riding aside). None when the hours do not show it."""
    rule = tm.policy.kinds[kind]
    mw = tm.frame.managers[manager]
    quota = mw.quotas[kind]
    if rule.at == "pos_target":
        places = [venues.of(kind, manager)]
    elif rule.group == "pair":
        # No paired session held, so no partner to tell the store by: every store he could
        # be at (his pair with each other manager) must show it.
        others = [m for m in tm.frame.paired_managers if m != manager]
        places = ([venues.pair_venue({manager, *partners})] if partners
                  else [venues.pair_venue({manager, m}) for m in others] or [venues.pair_venue({manager})])
    else:
        return None
    days = [d for d in tm.frame.days if mw.works_on(d.index)]
    if not days or not all(place.points for place in places):
        return None

    def open_minutes(shop_opens: int, shop_closes: int) -> list[int]:
        """Per working day, the minutes the place is open within the kind's window."""
        spans = []
        for day in days:
            earliest, _, latest_end = kind_window(tm.policy, rule, quota.session_minutes_min, day.weekday)
            spans.append(max(0, min(shop_closes, latest_end) - max(shop_opens, earliest)))
        return spans

    def held(spans: list[int]) -> tuple[int, int]:
        """The most sessions and minutes those spans hold (one session a day at most when
        the kind asks different days or one a day; sessions no longer than the quota's; no
        more sessions than the quota's most, the longest taken: 90 min open on five days
        holds 3 x 90 of a 300-min promotion in at most 3 sessions, not 450)."""
        fits = [s for s in spans if s >= quota.session_minutes_min]
        one_a_day = rule.different_days or rule.max_per_day == 1
        pieces: list[int] = []
        for span in fits:
            count = 1 if one_a_day else max(1, span // quota.session_minutes_min)
            each, extra = divmod(min(span, quota.session_minutes_max * count), count)
            pieces += [each + 1] * extra + [each] * (count - extra)
        kept = sorted(pieces, reverse=True)[:quota.sessions_max]
        return len(kept), sum(kept)

    points = {p for place in places for p in place.points}
    shops = [r for r in tm.department.retailers if r.id in points]
    hours = ", ".join(f"{r.id} {format_clock(r.opens)}–{format_clock(r.closes)}" for r in shops)
    earliest, _, latest_end = kind_window(tm.policy, rule, quota.session_minutes_min, days[0].weekday)
    window = f"{format_clock(earliest)}–{format_clock(latest_end)}"
    if rule.at == "pos_target":
        # A different household each session: each holds one session of the week.
        # The longest session each holds (one a week), the longest taken.
        longest = sorted((max(pieces, default=0) for pieces in (
            [min(span, quota.session_minutes_max) for span in open_minutes(r.opens, r.closes)
             if span >= quota.session_minutes_min] for r in shops)), reverse=True)[:quota.sessions_max]
        usable = sum(1 for each in longest if each)
        if usable >= min(quota.sessions_min, len(shops)):
            return None
        return HoursLimit(f"the opening hours of his POS households ({hours}) leave {usable} of them open for a "
                          f"{quota.session_minutes_min}-min session within {window}",
                          max(0, quota.total_minutes - sum(longest)), max(0, quota.sessions_min - usable))
    most = []
    for place in places:
        at = [r for r in shops if r.id in place.points]
        most.append(held(open_minutes(max(r.opens for r in at), min(r.closes for r in at))))
    if any(sessions >= quota.sessions_min and minutes >= quota.total_minutes for sessions, minutes in most):
        return None
    sessions, minutes = max(most)
    store = "the store" if len(shops) == 1 else "every store he could share"
    room = (f"{sessions} of the {quota.sessions_min} sessions ({minutes} of the {quota.total_minutes} min)"
            if sessions < quota.sessions_min else
            f"{minutes} of the {quota.total_minutes} min (in at most {quota.sessions_max} sessions)")
    return HoursLimit(f"the opening hours of {store} ({hours}) leave room for {room} within {window} on his "
                      "working days", max(0, quota.total_minutes - max(m for _, m in most)),
                      max(0, quota.sessions_min - max(n for n, _ in most)))
