"""Hard rules of the week (SPEC §2-3), one function each, registered in HARD_RULES.

Each function's docstring quotes the rule it enforces. Windows (earliest start, latest
start, latest end, working day) are already in the variables' domains (model.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import cast

from ortools.sat.python import cp_model

from engine.routing.approach import first_stop_time, visit_block_opens
from engine.rules import KIND_RULE
from engine.timetable.model import BlockVar, TimetableModel, kind_window
from engine.timetable.venues import (
    Venue,
    Venues,
    holds_a_store,
    pos_target_count,
    without_own_store,
)


def _ceil_slots(tm: TimetableModel, minutes: int) -> int:
    return -(-minutes // tm.grid)


def _contribution(tm: TimetableModel, block: BlockVar) -> cp_model.LinearExprT:
    """The block's length in slots when present, 0 when absent."""
    if isinstance(block.size, int):
        return block.size * block.present
    if isinstance(block.present, int):
        return block.size * block.present
    contrib = tm.cp.new_int_var(0, tm.slots(10**5), "")
    tm.cp.add(contrib == block.size).only_enforce_if(block.present)
    tm.cp.add(contrib == 0).only_enforce_if(~block.present)
    return contrib


def add_daily_blocks(tm: TimetableModel) -> None:
    """"3 h [of visits] every working day", "phone 30 min Monday–Thursday afternoons" —
    SPEC §2: a kind with per-day minutes has exactly one block on each listed working day
    (a day the model's `shortfall` excuses may miss it, at a cost)."""
    excused = tm.shortfall.excused_days if tm.shortfall is not None else frozenset()
    for (manager, kind), blocks in tm.blocks.items():
        rule = tm.policy.kinds[kind]
        if rule.per_day_minutes is None:
            continue
        for block in blocks:
            longest = tm.room_beside_leave.get((manager, kind, block.day))
            if longest is not None:
                _block_beside_leave(tm, block, longest)
                continue
            if tm.shortfall is not None and (manager, block.day) in excused:
                size = block.size if isinstance(block.size, int) else 0
                tm.penalties.append((f"missing_hours[{manager},{kind},{tm.frame.days[block.day].date}]",
                                     tm.shortfall.per_slot * size, 1 - block.present_literal(tm.cp)))
                continue
            tm.enforce(tm.cp.add(block.present == 1), KIND_RULE[kind])


def _block_beside_leave(tm: TimetableModel, block: BlockVar, longest: int) -> None:
    """A daily block a part-day leave leaves no room for whole, planned as long as it fits
    beside the leave (model.room_beside_leave): each slot of `longest` it is not is short,
    priced as a missing slot of the week. Where the week may not be short, the day keeps
    no such block, as before there was one (the leave makes it not owed)."""
    assert block.manager is not None
    if tm.shortfall is None:
        tm.cp.add(block.present == 0)
        return
    missing = tm.slots(longest) - _contribution(tm, block)
    date = tm.frame.days[block.day].date
    tm.penalties.append((f"missing_hours[{block.manager},{block.kind},{date},beside_leave]", tm.shortfall.per_slot,
                         missing))


def add_department_slots(tm: TimetableModel) -> None:
    """"Meetings Mon 40 / Wed 20 / Fri 60 min, whole department, same time"; "site study
    1 h, whole department together, one slot per week" — SPEC §2."""
    for kind, occurrences in tm.department_blocks.items():
        rule = tm.policy.kinds[kind]
        if rule.per_day_minutes is not None:
            for occ in occurrences:
                tm.enforce(tm.cp.add(occ.present == 1), KIND_RULE[kind])
            continue
        assert rule.sessions is not None and rule.total_minutes is not None
        count = sum(occ.present for occ in occurrences)
        tm.enforce(tm.cp.add(count >= rule.sessions[0]), KIND_RULE[kind])
        tm.enforce(tm.cp.add(count <= rule.sessions[1]), KIND_RULE[kind])
        total = sum(_contribution(tm, occ) for occ in occurrences)
        tm.enforce(tm.cp.add(total == tm.slots(rule.total_minutes)), KIND_RULE[kind])


def add_weekly_quotas(tm: TimetableModel) -> None:
    """"Maintenance 2 x 2 h", "promotion 5 h as 2–3 sessions of 1.5–2 h", "POS project
    3 x 1 h", "admin 3 h" — SPEC §2: the sessions and minutes of each weekly kind, prorated
    for leave (week.py); "on different days" is structural (one piece per day). Under a
    `shortfall` the quota is a ceiling, every slot short of it costs, the shortfall's
    floors are kept, and a kind held at a different POS-target household each session has
    no more sessions than the manager's territory has households (shortfalls.data_limits)."""
    for (manager, kind), blocks in tm.blocks.items():
        rule = tm.policy.kinds[kind]
        if rule.per_day_minutes is not None or not blocks:
            continue
        quota = tm.frame.managers[manager].quotas[kind]
        count = sum(b.present for b in blocks)
        owed = tm.slots(quota.total_minutes)
        if (tm.shortfall is not None and rule.at == "pos_target"
                and (households := pos_target_count(tm.department, manager)) < quota.sessions_max):
            # A different household each session: no more sessions than his territory has
            # (under hard quotas explain.check_capacity refuses a territory with too few).
            tm.enforce(tm.cp.add(count <= households), KIND_RULE[kind])
        if tm.shortfall is None:
            tm.enforce(tm.cp.add(count >= quota.sessions_min), KIND_RULE[kind])
            tm.enforce(tm.cp.add(count <= quota.sessions_max), KIND_RULE[kind])
            total = sum(_contribution(tm, b) for b in blocks)
            tm.enforce(tm.cp.add(total == owed), KIND_RULE[kind])
        else:
            tm.enforce(tm.cp.add(count <= quota.sessions_max), KIND_RULE[kind])
            total = sum(_contribution(tm, b) for b in blocks)
            tm.enforce(tm.cp.add(total <= owed), KIND_RULE[kind])
            least_slots, least_sessions = tm.shortfall.floors.get((manager, kind), (0, 0))
            tm.enforce(tm.cp.add(total >= min(least_slots, owed)), KIND_RULE[kind])
            tm.enforce(tm.cp.add(count >= least_sessions), KIND_RULE[kind])
            short = tm.cp.new_int_var(0, owed, f"short[{manager},{kind}]")
            tm.cp.add(short >= owed - total)
            tm.penalties.append((f"missing_hours[{manager},{kind}]", tm.shortfall.per_slot, short))
        _order_pieces_within_a_day(tm, blocks)
        if rule.min_per_day is not None:
            _sessions_every_day(tm, manager, kind, rule.min_per_day, blocks)


def _sessions_every_day(tm: TimetableModel, manager: str, kind: str, fewest: int,
                        blocks: list[BlockVar]) -> None:
    """"Back at the office for the daily report" — SPEC §3: a kind with `min_per_day` has
    that many sessions on every day the manager works, where one still fits around leave."""
    mw = tm.frame.managers[manager]
    rule = tm.policy.kinds[kind]
    shortest = mw.quotas[kind].session_minutes_min
    for day in tm.frame.days:
        pieces = [b for b in blocks if b.day == day.index]
        window = kind_window(tm.policy, rule, shortest, day.weekday)
        if pieces and mw.room_outside_leave(day.index, *window, shortest, tm.grid):
            tm.enforce(tm.cp.add(sum(b.present for b in pieces) >= fewest), KIND_RULE[kind])


def _order_pieces_within_a_day(tm: TimetableModel, blocks: list[BlockVar]) -> None:
    """Pieces of a kind on one day are interchangeable: fill them in order (symmetry)."""
    by_day: dict[int, list[BlockVar]] = {}
    for block in blocks:
        by_day.setdefault(block.day, []).append(block)
    for pieces in by_day.values():
        pieces.sort(key=lambda b: b.occurrence)
        for first, second in itertools.pairwise(pieces):
            if second.optional and first.optional:
                tm.cp.add_implication(second.present, first.present)
                tm.cp.add(first.end <= second.start).only_enforce_if(second.present)


def add_lunch(tm: TimetableModel) -> None:
    """"Lunch on the road at a convenient place" — SPEC §3: one lunch inside the lunch
    window every working day (unless a leave leaves it no room there). Under a policy
    that takes it inside the visit block, a separate lunch exists only on a day a leave
    cuts that block (model.add_lunches): there it is held exactly when the block does not
    hold the lunch's minutes inside the lunch window."""
    for (manager, day), lunch in tm.lunches.items():
        if not tm.frame.managers[manager].owes_lunch(day, tm.policy.lunch, tm.grid):
            continue
        if tm.policy.lunch.during_visit:
            tm.enforce(tm.cp.add(lunch.present == 1 - _holds_the_lunch(tm, manager, day)), "lunch")
        else:
            tm.enforce(tm.cp.add(lunch.present == 1), "lunch")


def _holds_the_lunch(tm: TimetableModel, manager: str, day: int) -> cp_model.IntVar | int:
    """1 when the manager's visit block that day holds the lunch's minutes inside the lunch
    window (as the route takes it, routing/daily._field_day), else 0."""
    visits = [b for b in tm.blocks.get((manager, "visit"), []) if b.day == day]
    if not visits:
        return 0
    visit, rules = visits[0], tm.policy.lunch
    minutes = tm.slots(rules.minutes)
    holds = tm.cp.new_bool_var(f"lunch_in_visit[{manager},{day}]")
    conditions = [visit.present_literal(tm.cp)]
    for name, expr, bound in (("ends", visit.end, tm.slots(rules.earliest) + minutes),
                              ("starts", -visit.start, minutes - tm.slots(rules.latest_end))):
        met = tm.cp.new_bool_var(f"lunch_{name}[{manager},{day}]")
        tm.cp.add(expr >= bound).only_enforce_if(met)
        tm.cp.add(expr <= bound - 1).only_enforce_if(~met)
        conditions.append(met)
    tm.cp.add_bool_and(conditions).only_enforce_if(holds)
    tm.cp.add_bool_or([~c for c in conditions]).only_enforce_if(~holds)
    return holds


def add_pairing(tm: TimetableModel) -> None:
    """"Pairs: 2 managers, same time, same place … a department with an odd head-count
    needs one group of three (or the policy says otherwise)" — SPEC §2."""
    if not tm.pairs and not tm.in_trio and not tm.solo:
        return
    cp = tm.cp
    eligible = tm.frame.paired_managers
    for m in eligible:
        degree = sum(lit for (a, b), lit in tm.pairs.items() if m in (a, b))
        if m in tm.in_trio:
            tm.enforce(cp.add(degree == 1 + tm.in_trio[m]), "pairing")
        elif m in tm.solo:
            tm.enforce(cp.add(degree == 1 - tm.solo[m]), "pairing")
        else:
            tm.enforce(cp.add(degree == 1), "pairing")
    if tm.in_trio:
        tm.enforce(cp.add(sum(tm.in_trio.values()) == 3), "pairing")
        for (a, b), lit in tm.pairs.items():
            # a trio member is only paired inside the trio
            cp.add(tm.in_trio[a] == tm.in_trio[b]).only_enforce_if(lit)
    if tm.solo:
        tm.enforce(cp.add(sum(tm.solo.values()) == 1), "pairing")
    paired_kinds = [k for k, r in tm.policy.kinds.items() if r.group == "pair"]
    for m in eligible:
        # A group is known by the sessions it holds together (engine/check: a manager with
        # no paired session "works in no pair"): a week short of paired hours (`shortfall`)
        # still holds one, so a group whose store or rides hold none is no week at all.
        sessions = [b.present for k in paired_kinds for b in tm.blocks.get((m, k), [])]
        if sessions:
            tm.enforce(cp.add(sum(sessions) >= 1), "pairing")
    for constraint in group_store_rules(cp, tm.pairs, tm.solo, without_own_store(tm.department, tm.policy)):
        tm.enforce(constraint, KIND_RULE["promotion"])


def group_store_rules(cp: cp_model.CpModel, pairs: Mapping[tuple[str, str], cp_model.IntVar],
                      solo: Mapping[str, cp_model.IntVar], storeless: frozenset[str]) -> list[cp_model.Constraint]:
    """"In-store promotion … in pairs … at a promotion store" — SPEC §2, a store of the
    group's own territories (venues.without_own_store): two managers without a store of
    their own are paired only in a group of three with a member who has one (one of them
    is then also paired with him), and a manager without one is never alone. `pairs` and
    `solo` are the pair and alone literals of any pairing model (this one, or the first
    week's, decompose.choose_pairs)."""
    rules = []
    for (a, b), paired in pairs.items():
        if holds_a_store((a, b), storeless):
            continue
        with_store = [lit for (x, y), lit in pairs.items() if a in (x, y) and holds_a_store((x, y), storeless)]
        rules.append(cp.add_bool_or(with_store).only_enforce_if(paired) if with_store else cp.add(paired == 0))
    rules += [cp.add(alone == 0) for m, alone in solo.items() if m in storeless]
    return rules


def add_pairs_share_time(tm: TimetableModel) -> None:
    """"Pairs share time and place" — SPEC §2: paired managers do every session of a
    paired kind together: same day, same start, same length."""
    cp = tm.cp
    paired_kinds = [k for k, r in tm.policy.kinds.items() if r.group == "pair"]
    for (a, b), paired in tm.pairs.items():
        for kind in paired_kinds:
            rule_id = KIND_RULE[kind]
            mine = {(x.day, x.occurrence): x for x in tm.blocks.get((a, kind), [])}
            theirs = {(x.day, x.occurrence): x for x in tm.blocks.get((b, kind), [])}
            for key in mine.keys() | theirs.keys():
                x, y = mine.get(key), theirs.get(key)
                if x is None or y is None:
                    lone = x or y
                    assert lone is not None
                    tm.enforce(cp.add(lone.present == 0).only_enforce_if(paired), rule_id)
                    continue
                tm.enforce(cp.add(x.present == y.present).only_enforce_if(paired), rule_id)
                tm.enforce(cp.add(x.start == y.start).only_enforce_if(paired), rule_id)
                if not (isinstance(x.size, int) and isinstance(y.size, int)):
                    tm.enforce(cp.add(x.size == y.size).only_enforce_if(paired), rule_id)


def add_one_place_at_a_time(tm: TimetableModel) -> None:
    """"No overlaps" — SPEC §6, with riding time: office and field work of a day are
    separated by the policy's office–field buffer (the field period of the day), and two
    field blocks by the field transfer time. Lunch may be taken in the field."""
    cp = tm.cp
    buffer = _ceil_slots(tm, tm.policy.travel.office_field_buffer_min)
    transfer = _ceil_slots(tm, tm.policy.travel.field_transfer_min)
    day_lo, day_hi = tm.slots(tm.policy.day.start), tm.slots(tm.policy.day.end)
    for manager_id, mw in tm.frame.managers.items():
        for day in tm.frame.days:
            if not mw.works_on(day.index):
                continue
            blocks = tm.manager_blocks(manager_id, day.index)
            field = [b for b in blocks if b.kind != "lunch" and tm.policy.kinds[b.kind].place == "field"]
            office = [b for b in blocks if b.kind != "lunch" and tm.policy.kinds[b.kind].place == "office"]
            lunch = [b.interval for b in blocks if b.kind == "lunch"]
            leave = tm.leave_intervals.get((manager_id, day.index), [])
            name = f"{manager_id},{day.weekday}"
            field_ext = [
                cp.new_optional_interval_var(b.start, b.size + transfer, b.end + transfer,
                                             b.present_literal(cp), f"field_ext[{name},{b.kind}]")
                for b in field
            ]
            office_intervals = [b.interval for b in office]
            if field:
                lo = cp.new_int_var(day_lo, day_hi, f"field_from[{name}]")
                hi = cp.new_int_var(day_lo, day_hi, f"field_to[{name}]")
                in_field = cp.new_bool_var(f"in_field[{name}]")
                cp.add(lo <= hi)
                for b in field:
                    lit = b.present_literal(cp)
                    cp.add(lo <= b.start).only_enforce_if(lit)
                    cp.add(hi >= b.end).only_enforce_if(lit)
                    cp.add_implication(lit, in_field)
                span = cp.new_int_var(0, day_hi - day_lo + 2 * buffer, f"field_span[{name}]")
                envelope = cp.new_optional_interval_var(lo - buffer, span, hi + buffer,
                                                        in_field, f"field_period[{name}]")
                office_intervals_with_field = [*office_intervals, envelope]
                tm.field_periods[(manager_id, day.index)] = (lo, hi, in_field)
            else:
                office_intervals_with_field = office_intervals
            # Leave may fall inside the field period (a manager can go off between two
            # field blocks); it only has to stay clear of the blocks themselves, not of the
            # ride on to a next field place (a morning's visits up to a leave from 11:00).
            _no_overlap(tm, office_intervals_with_field)
            _no_overlap(tm, field_ext + lunch)
            if leave:
                _no_overlap(tm, [b.interval for b in field] + leave)
            _no_overlap(tm, office_intervals + lunch + leave)


def add_rides_between_places(tm: TimetableModel) -> None:
    """"A manager is in one place at a time, with riding time between" — SPEC §3, §6: of
    two blocks of a manager's day, the later starts no earlier than the ride from the
    first one's place (venues.py), plus the lunch when it is taken between them. A
    paired block is at its group's store (`_store_rides`); each partner rides from his
    own place. Two paired blocks of a day share the store.

    The rides into and out of a visit block lie in the gaps beside it, as the judges
    read them (engine/check). The approach rule of model.py (the visit block starts by
    `first_stop_by` less the ride from the office to the nearest retailer due) still
    holds for the day's first block, whose ride out of the office lies inside it; a
    visit block after another block is held to it too, which asks more than the ride
    needs (the route leaves from that block's place at the block's start,
    engine/routing/daily.py) and costs room only on such mornings.

    The policy's office–field buffer and field transfer stay lower bounds of the same
    gaps (add_one_place_at_a_time): a gap holds the larger of a buffer and a ride, never
    their sum.

    Blocks that started before a re-plan's moment (`tm.past`) are facts: neither the
    ride between two of them nor a past visit block's ride out of the office is the
    model's to keep; the ride from a past block to one still to plan is."""
    venues = tm.week_venues()
    past = tm.past
    for manager_id, mw in tm.frame.managers.items():
        store_rides = _store_rides(tm, venues, manager_id)
        _a_household_open_for_each_session(tm, venues, manager_id)
        for day in tm.frame.days:
            if not mw.works_on(day.index):
                continue
            blocks = [b for b in tm.manager_blocks(manager_id, day.index) if b.kind != "lunch"]
            _leave_the_office_in_working_hours(tm, venues, store_rides, blocks)
            _leave_from_and_back_to_the_office(tm, venues, store_rides, blocks)
            _open_while_there(tm, venues, store_rides, blocks)
            lunch = tm.lunches.get((manager_id, day.index))
            lunch_first: dict[int, cp_model.IntVar] = {}
            _back_at_the_office_by_the_day_end(tm, venues, store_rides, blocks, lunch, lunch_first)
            for x, y in itertools.combinations(blocks, 2):
                if id(x) in past and id(y) in past:
                    continue  # both facts of the week: the ride between them is not to plan
                there, back = _ride_slots(tm, venues, store_rides, x, y), _ride_slots(tm, venues, store_rides, y, x)
                if isinstance(there, int) and isinstance(back, int) and there == back == 0:
                    continue
                both = [x.present_literal(tm.cp), y.present_literal(tm.cp)]
                x_first = tm.cp.new_bool_var(f"first[{manager_id},{day.index},{x.kind},{y.kind}]")
                for first, then, ride, order in ((x, y, there, x_first), (y, x, back, ~x_first)):
                    if then.kind == "visit":
                        # The route rides into its area inside the visit block, leaving the
                        # place before it at the block's start (engine/routing/daily.py).
                        _ride(tm, first, then, 0, [order, *both])  # ties `order` to the real order
                        _reach_the_area_in_time(tm, then, ride, [order, *both])
                        continue
                    _ride(tm, first, then, ride, [order, *both])
                    if lunch is not None and not (isinstance(ride, int) and ride == 0):
                        between = [~_lunch_first(tm, lunch, first, lunch_first),
                                   _lunch_first(tm, lunch, then, lunch_first), lunch.present_literal(tm.cp)]
                        assert isinstance(lunch.size, int)
                        _ride(tm, first, then, ride + lunch.size, [order, *both, *between])
            for visit in (b for b in blocks if b.kind == "visit" and id(b) not in past):
                _ride_out_of_the_office(tm, visit)
        _a_first_retailer_for_each_visit_day(tm, manager_id)


def _reach_the_area_in_time(tm: TimetableModel, visit: BlockVar, ride: int | cp_model.IntVar,
                            literals: list) -> None:
    """"First retailer reached by 09:30" — SPEC §3: a visit block after a block elsewhere
    starts by the manager's first-stop time that day (routing/approach.first_stop_time)
    less the ride from that block's place into its area."""
    first_stop_by = first_stop_time(tm.policy, tm.frame.days[visit.day].weekday,
                                    tm.approach.get(visit.manager or "", 0),
                                    tm.back_from_leave.get((visit.manager or "", visit.day)))
    constraint = tm.cp.add(visit.start + cast(cp_model.LinearExpr, ride) <= tm.slots(first_stop_by))
    constraint.only_enforce_if(literals)
    tm.enforce(constraint, KIND_RULE["visit"])


def _ride_out_of_the_office(tm: TimetableModel, visit: BlockVar) -> None:
    """"First retailer reached by 09:30" — SPEC §3: the day's route leaves at the start of
    its visit block (engine/routing/daily.py), from the office when the block opens the
    day: it then starts by the manager's first-stop time that day (`first_stop_by`, on a
    Monday after the meeting as far as this ride needs, routing/approach.first_stop_time)
    less the ride from the office to the nearest retailer due (`tm.approach`). After a block elsewhere, `_reach_the_area_in_time`
    holds the ride from that block's place as well; this one holds whatever comes first
    (from a nearer place it asks a little more room than the riding needs, never less)."""
    minutes = tm.approach.get(visit.manager or "", 0)
    approach = _ceil_slots(tm, minutes)
    if not approach:
        return
    first_stop_by = first_stop_time(tm.policy, tm.frame.days[visit.day].weekday, minutes,
                                    tm.back_from_leave.get((visit.manager or "", visit.day)))
    constraint = tm.cp.add(visit.start + approach <= tm.slots(first_stop_by))
    tm.enforce(constraint, KIND_RULE["visit"])


def _a_first_retailer_for_each_visit_day(tm: TimetableModel, manager: str) -> None:
    """"First retailer reached by 09:30" — SPEC §3, on each visit day: every day's route
    opens with a retailer of its own, and a retailer due once opens one day only. With his
    nearest due visits' rides r_1 <= ... <= r_m (one per visit day, `tm.first_rides`), a
    block starting by the day's first-stop time less r_j can open with any of the j
    nearest; the days open with m different retailers exactly when, for each j, at least
    m - j + 1 of them start that early (Hall's condition, the choices being nested). A day
    whose block cannot open that early counts as reaching it at its opening
    (routing/approach.visit_block_opens): a manager that far out gets what the opening
    allows, and what his day then cannot reach is the routes' to say. Days with a part-day
    leave (the leave moves their block) and blocks already under way are left out."""
    mw = tm.frame.managers[manager]
    visits = [b for b in tm.blocks.get((manager, "visit"), [])
              if id(b) not in tm.past and b.day not in mw.partial_leave]
    rides = tm.first_rides.get(manager, ())
    if min(len(rides), len(visits)) < 2:
        return
    # m: the days that open with a first retailer, one per block held, as many as are due.
    held = sum(v.present_literal(tm.cp) for v in visits)
    days = tm.cp.new_int_var(0, len(rides), f"opening_days[{manager}]")
    tm.cp.add_min_equality(days, [held, len(rides)])
    approach = tm.approach.get(manager, 0)
    for j in range(1, min(len(rides), len(visits))):  # j = 0, the nearest, binds every day: _ride_out_of_the_office
        if _ceil_slots(tm, rides[j]) == _ceil_slots(tm, approach):
            continue
        early = []
        for visit in visits:
            weekday = tm.frame.days[visit.day].weekday
            opens = visit_block_opens(tm.policy, weekday)
            latest = tm.slots(first_stop_time(tm.policy, weekday, approach)) - _ceil_slots(tm, rides[j])
            if opens is not None:
                latest = max(latest, _ceil_slots(tm, opens))
            reaches = tm.cp.new_bool_var(f"reaches[{manager},{visit.day},{j}]")
            tm.cp.add(visit.start <= latest).only_enforce_if(reaches)
            tm.cp.add_implication(reaches, visit.present_literal(tm.cp))
            early.append(reaches)
        tm.enforce(tm.cp.add(sum(early) >= days - j), KIND_RULE["visit"])


def _leave_the_office_in_working_hours(tm: TimetableModel, venues: Venues,
                                       store_rides: dict[tuple[str, str], int | cp_model.IntVar],
                                       blocks: list[BlockVar]) -> None:
    """"08:00 morning meeting / at the office" — SPEC §3: the day starts at the office, so
    a block at a fixed place starts no earlier than the working day's start plus the ride
    there (a visit block's route rides out inside the block)."""
    day_start = tm.slots(tm.policy.day.start)
    for block, ride in _rides_with_the_office(tm, venues, store_rides, blocks, out=True):
        constraint = tm.cp.add(block.start >= day_start + cast(cp_model.LinearExpr, ride))
        constraint.only_enforce_if(block.present_literal(tm.cp))
        tm.enforce(constraint, "ride_between_places")


def _rides_with_the_office(tm: TimetableModel, venues: Venues,
                           store_rides: dict[tuple[str, str], int | cp_model.IntVar], blocks: list[BlockVar],
                           out: bool) -> Iterator[tuple[BlockVar, int | cp_model.IntVar]]:
    """Each block at a fixed place still to plan (not a visit block: its route rides out and
    back inside it) with the ride from the office to it (`out`) or from it back, when there
    is one."""
    office_kinds = [k for k, r in tm.policy.kinds.items() if r.place == "office" and r.group != "pair"]
    if not office_kinds:
        return
    for block in blocks:
        if block.kind == "visit" or id(block) in tm.past or block.manager is None:
            continue
        at_the_office = BlockVar(office_kinds[0], block.manager, block.day, block.start, 0,
                                 block.start, 1, block.interval)
        ride = (_ride_slots(tm, venues, store_rides, at_the_office, block) if out
                else _ride_slots(tm, venues, store_rides, block, at_the_office))
        if not (isinstance(ride, int) and ride == 0):
            yield block, ride


def _back_at_the_office_by_the_day_end(tm: TimetableModel, venues: Venues,
                                       store_rides: dict[tuple[str, str], int | cp_model.IntVar],
                                       blocks: list[BlockVar], lunch: BlockVar | None,
                                       lunch_first: dict[int, cp_model.IntVar]) -> None:
    """"Then back to the office" — SPEC §3: the day ends at the office as it starts there
    (`_leave_the_office_in_working_hours`), so a block at a fixed place ends no later than
    the working day's end less the ride from it back to the office, less the lunch when
    that is taken after it (a visit block's route rides back inside it). Held for every
    such block, not only the day's last: one that another block follows needs it anyway,
    the ride back from there being no longer than the ride on and back. Without it m13's
    POS household 51 min out held him until 17:00 with the day ending 17:30."""
    day_end = tm.slots(tm.policy.day.end)
    for block, ride in _rides_with_the_office(tm, venues, store_rides, blocks, out=False):
        present = block.present_literal(tm.cp)
        back = cast(cp_model.LinearExpr, block.end) + cast(cp_model.LinearExpr, ride)
        constraint = tm.cp.add(back <= day_end)
        constraint.only_enforce_if(present)
        tm.enforce(constraint, "ride_between_places")
        if lunch is not None:
            assert isinstance(lunch.size, int)
            with_lunch = tm.cp.add(back + lunch.size <= day_end)
            with_lunch.only_enforce_if([~_lunch_first(tm, lunch, block, lunch_first), present,
                                        lunch.present_literal(tm.cp)])
            tm.enforce(with_lunch, "ride_between_places")


def _leave_from_and_back_to_the_office(tm: TimetableModel, venues: Venues,
                                       store_rides: dict[tuple[str, str], int | cp_model.IntVar],
                                       blocks: list[BlockVar]) -> None:
    """"The day starts at the office" — SPEC §3, around a part-day leave as at the day's
    start and end: the manager goes on leave from the office and comes back from it by
    the office, so a block at a fixed place after the leave starts no earlier than the
    leave's end plus the ride there from the office, and one before it ends no later than
    the leave's start less the ride from there to the office, lunch not ridden through (a
    visit block's route rides out and back inside it). A block that follows another one
    after the leave (precedes another before it) is held to it too: more than its ride
    needs only when that other block is in the field near it, which so near a leave is
    rare. Without the ride before the leave a manager 70 min out at 12:10 was "at the
    office" when his leave ended at 15:00 with only 50 min of riding outside lunch."""
    office_kinds = [k for k, r in tm.policy.kinds.items() if r.place == "office" and r.group != "pair"]
    field_blocks = [b for b in blocks if b.kind != "visit" and id(b) not in tm.past and b.manager is not None]
    if not office_kinds or not field_blocks:
        return
    manager, day = field_blocks[0].manager, field_blocks[0].day
    assert manager is not None
    spans = tm.frame.managers[manager].partial_leave.get(day, [])
    day_end = tm.slots(tm.policy.day.end)
    lunch = tm.lunches.get((manager, day))
    for block in field_blocks:
        at_the_office = BlockVar(office_kinds[0], manager, day, block.start, 0, block.start, 1, block.interval)
        ride = _ride_slots(tm, venues, store_rides, at_the_office, block)
        ride_back = _ride_slots(tm, venues, store_rides, block, at_the_office)
        if isinstance(ride, int) and ride == 0 and isinstance(ride_back, int) and ride_back == 0:
            continue
        present = block.present_literal(tm.cp)
        for i, (start, end) in enumerate(spans):
            leave_from, leave_to = tm.slots(start), -(-end // tm.grid)
            name = f"{manager},{day},{i},{block.kind},{block.occurrence}"
            after = tm.cp.new_bool_var(f"after_leave[{name}]")
            if leave_to >= day_end:
                tm.cp.add(after == 0)  # nothing of the day follows this leave
            reached = tm.cp.add(block.start >= leave_to + cast(cp_model.LinearExpr, ride))
            reached.only_enforce_if([after, present])
            tm.enforce(reached, "ride_between_places")
            ends = cast(cp_model.LinearExpr, block.end)
            back_in_time = tm.cp.add(ends + cast(cp_model.LinearExpr, ride_back) <= leave_from)
            back_in_time.only_enforce_if([~after, present])
            tm.enforce(back_in_time, "ride_between_places")
            if lunch is None:
                continue
            for riding_after, length in ((True, ride), (False, ride_back)):
                if isinstance(length, int) and length == 0:
                    continue
                side = "after" if riding_after else "before"
                riding = tm.cp.new_bool_var(f"riding_{side}_leave[{name}]")
                on_this_side = after if riding_after else ~after
                tm.cp.add_bool_and([on_this_side, present]).only_enforce_if(riding)
                tm.cp.add_bool_or([~on_this_side, ~present, riding])
                length_expr = cast(cp_model.LinearExpr, length)
                # The ride's own start: with the group's store not yet chosen its length is a variable.
                sets_off = tm.cp.new_int_var(0, day_end, f"sets_off_{side}_leave[{name}]")
                arrives = tm.cp.new_int_var(0, day_end, f"arrives_{side}_leave[{name}]")
                tm.cp.add(sets_off == (block.start - length_expr if riding_after else ends)).only_enforce_if(riding)
                tm.cp.add(arrives == sets_off + length_expr).only_enforce_if(riding)
                ride_interval = tm.cp.new_optional_interval_var(sets_off, length_expr, arrives,
                                                                riding, f"ride_{side}_leave[{name}]")
                _no_overlap(tm, [ride_interval, lunch.interval])


def _open_while_there(tm: TimetableModel, venues: Venues,
                      store_rides: dict[tuple[str, str], int | cp_model.IntVar], blocks: list[BlockVar]) -> None:
    """"Promotion at a promotion store" — SPEC §2, §4 (opening hours): a paired session is
    held while its group's store is open (`store_rides`' ("hours", …) entries), as
    places.py needs to keep the group at the store the rides were held to."""
    paired = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    opens, closes = store_rides.get(("hours", "open")), store_rides.get(("hours", "close"))
    for block in blocks:
        if id(block) in tm.past or block.kind not in paired:
            continue
        lit = block.present_literal(tm.cp)
        for constraint in (() if opens is None else (tm.cp.add(block.start >= opens),)) + (
                () if closes is None else (tm.cp.add(block.end <= closes),)):
            constraint.only_enforce_if(lit)
            tm.enforce(constraint, KIND_RULE[block.kind])


def _a_household_open_for_each_session(tm: TimetableModel, venues: Venues, manager: str) -> None:
    """"POS project 3 x 1 h at 3 different target households" — SPEC §2, §4 (opening
    hours): each POS session of the week still to plan gets a different household of
    the week's POS venue (venues.py) not used by a session already held, open through
    the session, as places.py then matches them; nothing is stated when every household
    is open through the working day. With fewer households than sessions, each session
    only needs one of them open (places.py reports the lack)."""
    day = (tm.policy.day.start, tm.policy.day.end)
    for kind, rule in tm.policy.kinds.items():
        if rule.at != "pos_target":
            continue
        blocks = tm.blocks.get((manager, kind), [])
        used = {tm.past[id(b)] for b in blocks if id(b) in tm.past}
        todo = [b for b in blocks if id(b) not in tm.past]
        points = set(venues.of(kind, manager).points) - used
        shops = [r for r in tm.department.retailers if r.id in points]
        if not todo or not shops or all(r.opens <= day[0] and day[1] <= r.closes for r in shops):
            continue
        quota = tm.frame.managers[manager].quotas.get(kind)
        most = None if quota is None else min(quota.sessions_max, pos_target_count(tm.department, manager))
        distinct = most is not None and len(shops) >= most - len(used)
        taken: dict[str, list[cp_model.IntVar]] = {r.id: [] for r in shops}
        for block in todo:
            lit = block.present_literal(tm.cp)
            options = []
            for shop in shops:
                at = tm.cp.new_bool_var(f"household[{manager},{block.day},{block.occurrence},{shop.id}]")
                tm.cp.add(block.start >= _ceil_slots(tm, shop.opens)).only_enforce_if(at)
                tm.cp.add(block.end <= tm.slots(shop.closes)).only_enforce_if(at)
                tm.cp.add_implication(at, lit)
                options.append(at)
                taken[shop.id].append(at)
            tm.enforce(tm.cp.add(sum(options) == 1).only_enforce_if(lit), KIND_RULE[kind])
        if distinct:
            for ats in taken.values():
                tm.cp.add(sum(ats) <= 1)


def _open_slots(tm: TimetableModel, venues: Venues, place: Venue) -> tuple[int | None, int | None]:
    """The grid slots between which every retailer of a place is open (None: no bound)."""
    shops = [r for r in venues.department.retailers if r.id in place.points]
    if not shops:
        return None, None
    return _ceil_slots(tm, max(r.opens for r in shops)), tm.slots(min(r.closes for r in shops))


def _ride(tm: TimetableModel, first: BlockVar, then: BlockVar, slots: cp_model.LinearExprT,
          literals: list) -> None:
    """`then` starts no earlier than `slots` after `first` ends, when `literals` hold."""
    end = cast(cp_model.LinearExpr, first.end)
    constraint = tm.cp.add(then.start >= end + cast(cp_model.LinearExpr, slots))
    constraint.only_enforce_if(literals)
    tm.enforce(constraint, "ride_between_places")


def _lunch_first(tm: TimetableModel, lunch: BlockVar, block: BlockVar,
                 known: dict[int, cp_model.IntVar]) -> cp_model.IntVar:
    """A literal true exactly when the day's lunch is over before `block` starts."""
    if id(block) not in known:
        lit = tm.cp.new_bool_var(f"lunch_first[{block.manager},{block.day},{block.kind}]")
        both = [lunch.present_literal(tm.cp), block.present_literal(tm.cp)]
        tm.cp.add(lunch.end <= block.start).only_enforce_if([lit, *both])
        tm.cp.add(block.end <= lunch.start).only_enforce_if([~lit, *both])
        known[id(block)] = lit
    return known[id(block)]


def _ride_slots(tm: TimetableModel, venues: Venues, store_rides: dict[tuple[str, str], int | cp_model.IntVar],
                origin: BlockVar, target: BlockVar) -> int | cp_model.IntVar:
    """Grid slots of the ride from one block's place to the other's (rounded up)."""
    assert origin.manager is not None
    paired = {k for k, r in tm.policy.kinds.items() if r.group == "pair"}
    if origin.kind in paired and target.kind in paired:
        return 0
    held_at = tm.past.get(id(origin))
    if origin.kind in paired and held_at is not None and venues.knows(held_at):
        # a paired session already held: from its own store (the group may have changed since)
        return _ceil_slots(tm, venues.minutes(Venue((held_at,)), venues.of(target.kind, origin.manager)))
    if origin.kind in paired:
        return store_rides.get(("from", target.kind), 0)
    if target.kind in paired:
        return store_rides.get(("to", origin.kind), 0)
    minutes = venues.minutes(venues.of(origin.kind, origin.manager), venues.of(target.kind, origin.manager))
    return _ceil_slots(tm, minutes)


def _store_rides(tm: TimetableModel, venues: Venues, manager: str) -> dict[tuple[str, str], int | cp_model.IntVar]:
    """The rides in slots between the manager's paired sessions and each of his other
    block kinds, ("from"|"to", kind) -> slots, read from the group's store: the store of
    the group he is known to be in (`tm.known_groups`, a re-plan), of the group he joins
    (`tm.joinable`, a re-plan's manager left without a partner: the group keeps its
    store), or else of the pair hosted best among his true pair literals (a group of
    three therefore gets its host's store, as places.py gives it), or of his own store
    when he works alone (`tm.solo`, SPEC §2's odd head-count; or in no group at all, a
    re-plan's manager alone)."""
    if manager in tm.known_groups:
        return _rides_to_one_of(tm, venues, manager, [(venues.pair_venue(tm.known_groups[manager]), [])])
    if manager in tm.joinable:
        # at most one of the literals holds (engine/replan/pairs.py)
        return _rides_to_one_of(tm, venues, manager,
                                [(venues.pair_venue(group), [lit]) for group, lit in tm.joinable[manager]])
    mine = sorted(((a if b == manager else b, lit) for (a, b), lit in tm.pairs.items() if manager in (a, b)),
                  key=lambda p: (venues.hosts.get(venues.host((manager, p[0])), 0), venues.host((manager, p[0]))))
    choices = [(venues.pair_venue((manager, partner)), [lit, *(~other for _, other in mine[:i])])
               for i, (partner, lit) in enumerate(mine)]
    if manager in tm.solo:
        # the manager alone holds his paired sessions at his own store (places.py); he is
        # then in no pair, so no other choice's literals hold
        choices.append((venues.pair_venue((manager,)), [tm.solo[manager]]))
    elif not choices:
        # in no group he could form or join (a re-plan's manager alone): his own store
        choices.append((venues.pair_venue((manager,)), []))
    return _rides_to_one_of(tm, venues, manager, choices)


def _rides_to_one_of(tm: TimetableModel, venues: Venues, manager: str,
                     choices: list[tuple[Venue, list]]) -> dict[tuple[str, str], int | cp_model.IntVar]:
    """The store rides of `_store_rides` when the store is the first of `choices` whose
    literals all hold (any of them when none does: the manager then has no paired
    session)."""
    if not choices:
        return {}
    cp = tm.cp
    which = cp.new_int_var(0, len(choices) - 1, f"store[{manager}]")
    for i, (_, literals) in enumerate(choices):
        if literals:
            cp.add(which == i).only_enforce_if(literals)
    stores = [store for store, _ in choices]
    rides: dict[tuple[str, str], int | cp_model.IntVar] = {}
    for kind in (k for k, r in tm.policy.kinds.items() if r.group != "pair"):
        place = venues.of(kind, manager)
        for way, table in (("from", [venues.minutes(v, place) for v in stores]),
                           ("to", [venues.minutes(place, v) for v in stores])):
            slots = [_ceil_slots(tm, m) for m in table]
            if min(slots) == max(slots):
                rides[(way, kind)] = slots[0]
                continue
            ride = cp.new_int_var(min(slots), max(slots), f"ride[{manager},{way},{kind}]")
            cp.add_element(which, slots, ride)
            rides[(way, kind)] = ride
    hours = [_open_slots(tm, venues, store) for store in stores]
    day = (tm.slots(tm.policy.day.start), tm.slots(tm.policy.day.end))
    for end, bound in enumerate(("open", "close")):
        table = [day[end] if (known := h[end]) is None else known for h in hours]
        if min(table) == max(table):
            rides[("hours", bound)] = table[0]
            continue
        at = cp.new_int_var(min(table), max(table), f"store_{bound}[{manager}]")
        cp.add_element(which, table, at)
        rides[("hours", bound)] = at
    return rides


def _no_overlap(tm: TimetableModel, intervals: list[cp_model.IntervalVar]) -> None:
    """No two of `intervals` overlap. CP-SAT's no-overlap takes no enforcement literal, so
    when explaining an infeasible week each pair gets an order, enforced through the rule's
    literal: the explanation can then name `no_overlap` (a day has few blocks)."""
    if not tm.explain:
        tm.cp.add_no_overlap(intervals)
        return
    rule = tm.rule_literals["no_overlap"]
    for a, b in itertools.combinations(intervals, 2):
        both = [rule, *a.presence_literals(), *b.presence_literals()]
        (a_start, a_end), (b_start, b_end) = _start_end(a), _start_end(b)
        a_first = tm.cp.new_bool_var("")
        tm.cp.add(a_end <= b_start).only_enforce_if([a_first, *both])
        tm.cp.add(b_end <= a_start).only_enforce_if([~a_first, *both])


def _start_end(interval: cp_model.IntervalVar) -> tuple[cp_model.LinearExpr, cp_model.LinearExpr]:
    """The interval's start and end expressions (ortools' stubs type both as `object`)."""
    return (
        cast(cp_model.LinearExpr, interval.start_expr()),
        cast(cp_model.LinearExpr, interval.end_expr()),
    )


HARD_RULES: list[Callable[[TimetableModel], None]] = [
    add_daily_blocks,
    add_department_slots,
    add_weekly_quotas,
    add_lunch,
    add_pairing,
    add_pairs_share_time,
    add_one_place_at_a_time,
    add_rides_between_places,
]


def add_hard_rules(tm: TimetableModel) -> None:
    """Step 2: every hard rule of the policy."""
    for add_rule in HARD_RULES:
        add_rule(tm)
