"""Soft rules of the week (SPEC §6), each a named, weighted term of the objective.

Weights come from the policy's [objective] table. Each term is recorded in
`tm.penalties` as (name, weight, expression) so that a result can say what each
soft rule cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ortools.sat.python import cp_model

from engine.routing.matrix import great_circle_km
from engine.timetable.model import BlockVar, TimetableModel

LATEST_FINISH = "late_finish[latest]"
"""The soft rule of the department's latest finish: paid once for the week, not per group."""


def recent_partners(tm: TimetableModel) -> set[frozenset[str]]:
    """Pairs from history.csv within the policy's `history_weeks` before this week."""
    horizon = dt.timedelta(weeks=tm.policy.pairs.history_weeks)
    week_start = tm.frame.week_start
    return {
        frozenset((h.manager, h.partner))
        for h in tm.department.history
        if week_start - horizon <= h.week_start < week_start and h.manager != h.partner
    }


def is_senior_newcomer(tm: TimetableModel, a: str, b: str) -> bool:
    ya, yb = tm.department.manager(a).years, tm.department.manager(b).years
    senior, newcomer = tm.policy.pairs.senior_years, tm.policy.pairs.newcomer_years
    return (ya >= senior and yb < newcomer) or (yb >= senior and ya < newcomer)


def pair_terms(tm: TimetableModel) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """"Senior–newcomer pairs; partners not repeated from recent weeks; pairs whose
    territories are near each other" — SPEC §2 (以老带新) and §6: each possible pair's
    named weights under these rules (a reward is a negative weight). The one statement
    of the pair rules: the objective charges them and the fast first week chooses its
    pairs by them."""
    weights = tm.policy.objective
    centres = tm.department.territory_centres()
    managers = list(centres)
    row = {m: i for i, m in enumerate(managers)}
    km_between = great_circle_km([centres[m][0] for m in managers], [centres[m][1] for m in managers])
    repeated = recent_partners(tm)
    terms: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for a, b in tm.pairs:
        named = terms.setdefault((a, b), [])
        if is_senior_newcomer(tm, a, b):
            named.append((f"senior_newcomer[{a},{b}]", -weights.senior_newcomer_pair))
        if frozenset((a, b)) in repeated:
            named.append((f"repeated_partner[{a},{b}]", weights.repeated_partner))
        km = round(float(km_between[row[a], row[b]]))
        if km and weights.pair_distance_per_km:
            named.append((f"pair_distance[{a},{b}]={km}km", weights.pair_distance_per_km * km))
    return terms


def add_pair_preferences(tm: TimetableModel) -> None:
    """The pair rules (`pair_terms`), each paid when the pair works together."""
    for pair, named in pair_terms(tm).items():
        for name, weight in named:
            tm.penalties.append((name, weight, tm.pairs[pair]))


def add_office_fragmentation(tm: TimetableModel) -> None:
    """"Fragmentation of office time" — SPEC §6: each separate piece of office time in a
    day costs; two office blocks back to back count as one piece."""
    cp = tm.cp
    weight = tm.policy.objective.office_piece
    if not weight:
        return
    for manager_id in tm.frame.managers:
        for day in tm.frame.days:
            office = [b for b in tm.manager_blocks(manager_id, day.index)
                      if b.kind != "lunch" and tm.policy.kinds[b.kind].place == "office"]
            if not office:
                continue
            joins: dict[tuple[int, int], cp_model.IntVar] = {}
            for i, first in enumerate(office):
                for j, second in enumerate(office):
                    if i == j:
                        continue
                    join = cp.new_bool_var(f"office_join[{manager_id},{day.weekday},{i},{j}]")
                    cp.add(first.end == second.start).only_enforce_if(join)
                    cp.add_implication(join, first.present_literal(cp))
                    cp.add_implication(join, second.present_literal(cp))
                    joins[(i, j)] = join
            for i in range(len(office)):
                cp.add_at_most_one([v for (a, _), v in joins.items() if a == i])
                cp.add_at_most_one([v for (_, b), v in joins.items() if b == i])
            pieces = sum(b.present for b in office) - sum(joins.values())
            _bound_pieces_by_sides(tm, manager_id, day.index, office, pieces)
            tm.penalties.append((f"office_fragmentation[{manager_id},{day.weekday}]", weight, pieces))


def _bound_pieces_by_sides(tm: TimetableModel, manager_id: str, day: int, office: list[BlockVar],
                           pieces) -> None:
    """Redundant: office work before the field period and office work after it are
    separate pieces. Stating it gives the solver a much stronger bound."""
    period = tm.field_periods.get((manager_id, day))
    if period is None:
        return
    cp = tm.cp
    lo, hi, in_field = period
    buffer = -(-tm.policy.travel.office_field_buffer_min // tm.grid)
    morning_used = cp.new_bool_var(f"office_before_field[{manager_id},{day}]")
    afternoon_used = cp.new_bool_var(f"office_after_field[{manager_id},{day}]")
    for b in office:
        present = b.present_literal(cp)
        before = cp.new_bool_var("")
        cp.add(b.end + buffer <= lo).only_enforce_if([before, in_field])
        cp.add(b.start >= hi + buffer).only_enforce_if([~before, in_field])
        cp.add_bool_or([~present, ~before, morning_used])
        cp.add_bool_or([~present, before, afternoon_used])
    cp.add(pieces >= morning_used + afternoon_used)


def _day_end(tm: TimetableModel, blocks: list[BlockVar], name: str):
    cp = tm.cp
    end = cp.new_int_var(tm.slots(tm.policy.day.start), tm.slots(tm.policy.day.end), f"day_end[{name}]")
    for b in blocks:
        cp.add(end >= b.end).only_enforce_if(b.present_literal(cp))
    return end


def add_late_finishes(tm: TimetableModel) -> None:
    """"Balance of workload and late finishes across managers and across days" — SPEC §6:
    minutes after the normal end of the day cost, and the latest finish of all costs more."""
    cp = tm.cp
    weights = tm.policy.objective
    normal_end = tm.slots(tm.policy.day.normal_end)
    per_slot = max(1, round(weights.late_finish_per_10min * tm.grid / 10)) if weights.late_finish_per_10min else 0
    per_slot_max = (max(1, round(weights.max_late_finish_per_10min * tm.grid / 10))
                    if weights.max_late_finish_per_10min else 0)
    horizon = tm.slots(tm.policy.day.end) - normal_end
    latest = cp.new_int_var(0, max(0, horizon), "latest_late_finish")
    # Each term equals the plan's late finish, not merely bounds it: a week found before
    # the optimum then states the cost the scorer recomputes from its blocks (a slack slot
    # made the stated objective 2 more than the week's own, 60,173 against 60,171).
    lates: list[cp_model.IntVar] = []
    for manager_id in tm.frame.managers:
        for day in tm.frame.days:
            blocks = [b for b in tm.manager_blocks(manager_id, day.index) if b.kind != "lunch"]
            if not blocks:
                continue
            name = f"{manager_id},{day.weekday}"
            late = cp.new_int_var(0, max(0, horizon), f"late[{name}]")
            cp.add_max_equality(late, [0, _day_end(tm, blocks, name) - normal_end])
            lates.append(late)
            if per_slot:
                tm.penalties.append((f"late_finish[{name}]", per_slot, late))
    cp.add_max_equality(latest, [0, *lates])
    if per_slot_max:
        tm.penalties.append((LATEST_FINISH, per_slot_max, latest))


def add_department_presence(tm: TimetableModel) -> None:
    """"Site study: whole department together", "meeting: whole department, same time" —
    SPEC §2: prefer a slot when everyone is in. Each manager a department slot misses costs
    (the site study's weight, or the meetings'): a Friday review put on a leave from 17:00
    when 15:00 was open left him out for nothing (tester's dJ)."""
    weights = tm.policy.objective
    for kind, manager_id, absent in tm.absences:
        weekly = tm.policy.kinds[kind].per_day_minutes is None
        weight = weights.site_study_absence if weekly else weights.meeting_absence
        if weight:
            name = "site_study_absence" if weekly else "meeting_absence"
            tm.penalties.append((f"{name}[{kind},{manager_id}]", weight, absent))


SOFT_RULES: list[Callable[[TimetableModel], None]] = [
    add_pair_preferences,
    add_office_fragmentation,
    add_late_finishes,
    add_department_presence,
]


def add_objective(tm: TimetableModel) -> None:
    """Step 3: minimise the weighted sum of every soft rule's penalty."""
    for add_rule in SOFT_RULES:
        add_rule(tm)
    tm.cp.minimize(sum(weight * expr for _, weight, expr in tm.penalties))
