"""Whether a planned week can be carried out as written, in numbers (SPEC §3-4, §6).

`measure_week` reads a week's timetable and routes as plain data — the JSON of
`fieldweek plan` (timetable.json, routes.json) — and counts what a customer manager
would run into: due visits left out, key customers dropped while small ones are
visited, rides that reach a fixed block after it has started, visits outside opening
hours or the policy's visiting hours, and time in the visit blocks spent neither
riding nor serving. Nothing here comes from a solver: due visits, rides and
objectives are recomputed by the judges' own rules (engine/check/spec.py,
engine/quality.py), so a plan typed by hand is measured like one a solver wrote.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from engine.check.spec import Point, expected_visits, first_stop_deadline, place_of, ride
from engine.domain import Block, Department, Retailer, Timetable
from engine.policy import Policy, parse_clock
from engine.quality import recompute_route_legs, solver_gap, timetable_objective

Span = tuple[int, int]


@dataclass(frozen=True)
class WeekMeasures:
    """One department-week: how much of what was due is planned, and what in the plan
    a manager could not carry out as written."""

    due: int
    planned: int
    class_a_due: int
    class_a_planned: int
    class_a_left_for_c: int
    """Class-A visits left out in a manager-week where the same manager made a class-C
    visit, not counting A retailers no visit block of the week could serve at all."""
    km: float
    riding_min: int
    idle_min: int
    """Minutes inside the visit blocks spent neither riding, serving nor at lunch."""
    late_arrivals: int
    """Fixed blocks (an appointment, or the office block after a ride back) reached after
    they start: at the stated arrival, or earlier ride plus departure when that is later."""
    late_max_min: int
    late_office_returns: int
    outside_opening: int
    first_stop_late: int
    visiting_after_end: int
    unvisited_without_reason: int
    reasons_without_figures: int
    objective: float | None
    gap: float | None

    @property
    def planned_pct(self) -> float | None:
        return _percent(self.planned, self.due)

    @property
    def class_a_coverage_pct(self) -> float | None:
        return _percent(self.class_a_planned, self.class_a_due)

    def as_dict(self) -> dict[str, Any]:
        """Every measure by name, the percentages included."""
        return {**asdict(self), "planned_pct": self.planned_pct,
                "class_a_coverage_pct": self.class_a_coverage_pct}


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def measure_week(timetable: Mapping[str, Any] | Timetable, routes: Mapping[str, Any],
                 department: Department, policy: Policy) -> WeekMeasures:
    """The measures of one week's plan (timetable and routes as JSON data)."""
    table = timetable if isinstance(timetable, Timetable) else Timetable.model_validate(timetable)
    week_start = dt.date.fromisoformat(str(routes["week_start"]))
    retailers = {r.id: r for r in department.retailers}
    blocks: dict[tuple[str, dt.date], list[Block]] = defaultdict(list)
    for block in table.blocks:
        blocks[(block.manager, block.date)].append(block)
    route_list = list(routes.get("routes", []))
    done = Counter(s["retailer"] for r in route_list for s in r.get("stops", []) if s["kind"] == "visit")
    due = {r.id: expected_visits(r.id, r.visits_per_4_weeks, week_start) for r in department.retailers}
    planned = {rid: min(done[rid], owed) for rid, owed in due.items()}
    late = [_late_minutes(route, blocks, retailers, department, policy) for route in route_list]
    km, riding = 0.0, 0
    for route in route_list:
        legs = recompute_route_legs(route, retailers, (department.office.lat, department.office.lon), policy)
        if legs is not None:
            km += legs[0]
            riding += legs[1]
    visit_rules = _visit_rule_counts(route_list, retailers, department, policy)
    without_reason, without_figures = _unvisited_reasons(routes, due, done)
    objective = timetable_objective(table, department, policy) if table.blocks else None
    class_a = [r.id for r in department.retailers if r.retailer_class == "A"]
    return WeekMeasures(
        due=sum(due.values()), planned=sum(planned.values()),
        class_a_due=sum(due[rid] for rid in class_a), class_a_planned=sum(planned[rid] for rid in class_a),
        class_a_left_for_c=_class_a_left_for_c(department, policy, blocks, due, done),
        km=round(km, 1), riding_min=riding, idle_min=_idle_minutes(route_list, blocks),
        late_arrivals=sum(len(stops) + len(office) for stops, office in late),
        late_max_min=max((m for stops, office in late for m in (*stops, *office)), default=0),
        late_office_returns=sum(len(office) for _, office in late),
        outside_opening=visit_rules["opening_hours"], first_stop_late=visit_rules["first_stop"],
        visiting_after_end=visit_rules["visiting_ends"],
        unvisited_without_reason=without_reason, reasons_without_figures=without_figures,
        objective=objective, gap=solver_gap(table.objective, table.best_bound),
    )


# -- key customers first ------------------------------------------------------------------------


def _class_a_left_for_c(department: Department, policy: Policy,
                        blocks: Mapping[tuple[str, dt.date], list[Block]],
                        due: Mapping[str, int], done: Counter[str]) -> int:
    """Class-A visits missing in manager-weeks with a class-C visit made, except for A
    retailers that no visit block of the manager's week could serve."""
    visit_blocks: dict[str, list[Block]] = defaultdict(list)
    for (manager, _), day in blocks.items():
        visit_blocks[manager] += [b for b in day if b.kind == "visit"]
    c_made: Counter[str] = Counter()
    a_missing: Counter[str] = Counter()
    for retailer in department.retailers:
        if retailer.retailer_class == "C":
            c_made[retailer.manager] += done[retailer.id]
        elif retailer.retailer_class == "A" and _servable(retailer, visit_blocks[retailer.manager], policy):
            a_missing[retailer.manager] += max(due[retailer.id] - done[retailer.id], 0)
    return sum(missing for manager, missing in a_missing.items() if c_made[manager])


def _servable(retailer: Retailer, visit_blocks: Sequence[Block], policy: Policy) -> bool:
    """Some visit block of the week overlaps the retailer's opening hours, before the
    policy's end of visiting, by at least one visit."""
    need = max(retailer.service_min, policy.route.min_service_min)
    return any(min(b.end, retailer.closes, policy.route.visiting_ends_by) - max(b.start, retailer.opens)
               >= need for b in visit_blocks)


# -- fixed blocks reached late --------------------------------------------------------------------


def _late_minutes(route: Mapping[str, Any], blocks: Mapping[tuple[str, dt.date], list[Block]],
                  retailers: Mapping[str, Retailer], department: Department,
                  policy: Policy) -> tuple[list[int], list[int]]:
    """Minutes late at each fixed block of the route's day: (appointments, office blocks)."""
    manager, date = route["manager"], dt.date.fromisoformat(str(route["date"]))
    day = sorted(blocks.get((manager, date), []), key=lambda b: b.start)
    office_blocks = [b for b in day if place_of(policy, b.kind) == "office"]
    office: Point = (department.office.lat, department.office.lon, "town")

    def point(key: str) -> Point | None:
        if key == "office":
            return office
        retailer = retailers.get(key)
        return None if retailer is None else (retailer.lat, retailer.lon, retailer.area)

    stops = list(route.get("stops", []))
    appointments = []
    for number, stop in enumerate(stops):
        if stop["kind"] == "visit":
            continue
        start = parse_clock(stop["start"])
        block = next((b for b in day if b.kind == stop["kind"] and b.start <= start < b.end), None)
        due_at = block.start if block is not None else start
        arrive = parse_clock(stop["arrive"])
        origin = str(stop.get("from", "elsewhere"))
        left = _departure(origin, stops[:number], office_blocks, due_at)
        a, b = point(origin), point(stop["retailer"])
        if left is not None and a is not None and b is not None:
            arrive = max(arrive, left + ride(policy, a, b)[1])
        if arrive > due_at:
            appointments.append(arrive - due_at)
    returns = []
    for leg in route.get("office_returns", []):
        leave, arrive = parse_clock(leg["leave"]), parse_clock(leg["arrive"])
        a = point(str(leg.get("from")))
        if a is not None:
            arrive = max(arrive, leave + ride(policy, a, office)[1])
        block = next((b for b in office_blocks if b.end > leave), None)
        if block is not None and arrive > block.start:
            returns.append(arrive - block.start)
    return appointments, returns


def _departure(origin: str, earlier: Sequence[Mapping[str, Any]], office_blocks: Sequence[Block],
               due_at: int) -> int | None:
    """When the ride to a fixed block could start at the earliest: the end of the stop it
    comes from, or of the last office block before it; None when the plan does not say."""
    if origin == "office":
        ends = [b.end for b in office_blocks if b.end <= due_at]
        return max(ends) if ends else None
    ends = [parse_clock(s["end"]) for s in earlier if s["retailer"] == origin]
    return ends[-1] if ends else None


# -- visiting hours, idle time, reasons -----------------------------------------------------------


def _visit_rule_counts(routes: Sequence[Mapping[str, Any]], retailers: Mapping[str, Retailer],
                       department: Department, policy: Policy) -> Counter[str]:
    """Visits outside opening hours, days whose first retailer is reached after the
    manager's first-stop time that day (the judges' `first_stop_deadline`: the policy's
    first_stop_by, later on a meeting morning only as far as his ride needs), visits that
    end after its visiting_ends_by."""
    counts: Counter[str] = Counter()
    for route in routes:
        visits = sorted((s for s in route.get("stops", []) if s["kind"] == "visit"),
                        key=lambda s: parse_clock(s["arrive"]))
        date = dt.date.fromisoformat(str(route["date"]))
        deadline = first_stop_deadline(policy, date, department, route["manager"])
        if visits and parse_clock(visits[0]["arrive"]) > deadline:
            counts["first_stop"] += 1
        for stop in visits:
            retailer = retailers.get(stop["retailer"])
            start, end = parse_clock(stop["start"]), parse_clock(stop["end"])
            if retailer is not None and (start < retailer.opens or end > retailer.closes):
                counts["opening_hours"] += 1
            if end > policy.route.visiting_ends_by:
                counts["visiting_ends"] += 1
    return counts


def _idle_minutes(routes: Sequence[Mapping[str, Any]],
                  blocks: Mapping[tuple[str, dt.date], list[Block]]) -> int:
    """Minutes of the visit blocks covered by no ride, no service and no lunch; a visit
    block whose day has no route is idle throughout."""
    by_day = {(r["manager"], dt.date.fromisoformat(str(r["date"]))): r for r in routes}
    idle = 0
    for key, day in blocks.items():
        busy = _busy_spans(by_day[key]) if key in by_day else []
        for block in (b for b in day if b.kind == "visit"):
            covered = _covered(busy, (block.start, block.end))
            idle += block.end - block.start - covered
    return idle


def _busy_spans(route: Mapping[str, Any]) -> list[Span]:
    spans = []
    for stop in route.get("stops", []):
        arrive = parse_clock(stop["arrive"])
        spans.append((arrive - int(stop.get("ride_min") or 0), arrive))
        spans.append((parse_clock(stop["start"]), parse_clock(stop["end"])))
    for leg in route.get("office_returns", []):
        spans.append((parse_clock(leg["leave"]), parse_clock(leg["arrive"])))
    if route.get("lunch_start") is not None and route.get("lunch_end") is not None:
        spans.append((parse_clock(route["lunch_start"]), parse_clock(route["lunch_end"])))
    return spans


def _covered(spans: Sequence[Span], window: Span) -> int:
    """Minutes of `window` inside the union of `spans`."""
    clipped = sorted((max(a, window[0]), min(b, window[1])) for a, b in spans)
    covered, reach = 0, window[0]
    for start, end in clipped:
        if end > max(start, reach):
            covered += end - max(start, reach)
            reach = end
    return covered


def _unvisited_reasons(routes: Mapping[str, Any], due: Mapping[str, int],
                       done: Counter[str]) -> tuple[int, int]:
    """(missing visits no unvisited entry gives a reason for, entries whose words carry
    no figure)."""
    listed: Counter[str] = Counter()
    without_figures = 0
    for item in routes.get("unvisited", []):
        if item.get("reason"):
            listed[item["retailer"]] += 1
        if not any(ch.isdigit() for ch in str(item.get("detail", ""))):
            without_figures += 1
    missing = sum(max(owed - done[rid] - listed[rid], 0) for rid, owed in due.items())
    return missing, without_figures
