"""What a region run hands back (SPEC §1): `region.json`, one entry per department and
the region's totals (each the sum of the department files' figures), and the overview
workbook, one row per department and one per manager."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from openpyxl import Workbook

from api.exports.workbook import bold_headers, legal_text, workbook_bytes
from api.region.month import DepartmentMonth
from api.region.week import DepartmentWeek
from engine.domain import Timetable
from engine.month import Unplanned

WEEK_TOTALS = ("due_visits", "planned_visits", "unvisited", "km", "seconds", "managers",
               "timetable_faults", "route_faults", "minutes_short")
MONTH_TOTALS = ("visits", "wanted", "unplanned", "unplanned_retailers", "seconds", "managers", "faults",
                "minutes_short")


def short_by_manager(timetable: Timetable | None) -> dict[str, dict[str, int]]:
    """The weekly minutes the timetable declares short, per manager and kind (as
    `fieldweek plan` prints them; a daily block the leave leaves no room for is not owed,
    so not short); empty for a week with none or no timetable."""
    short: dict[str, dict[str, int]] = {}
    for item in timetable.shortfalls if timetable is not None else ():
        if item.minutes_short and not item.not_owed:
            kinds = short.setdefault(item.manager, {})
            kinds[item.kind] = kinds.get(item.kind, 0) + item.minutes_short
    return short


def kinds_text(kinds: dict[str, int]) -> str:
    """'admin 70, promotion 60': a manager's minutes short of each kind, most first."""
    return ", ".join(f"{kind} {minutes}" for kind, minutes in sorted(kinds.items(), key=lambda p: (-p[1], p[0])))


def unplanned_visits(unplanned: Sequence[Unplanned]) -> int:
    """The month's visits that found no place, counted as `visits` and `wanted` are (so
    visits + unplanned = wanted): each retailer's wanted less planned. A missed focus
    window is no visit of its own (the retailer's visits are counted on their own line)."""
    return sum(u.wanted - u.planned for u in unplanned if u.reason != "focus_window")


def week_entry(work: DepartmentWeek) -> dict:
    """One department of region.json: its status, the timetable's objective and bound, the
    routes' figures (as routes.json has them), the seconds its tasks took, and its error."""
    judged = work.result
    timetable = judged.timetable if judged is not None else None
    routes = judged.routes if judged is not None else None
    department = work.loaded.department
    short = short_by_manager(timetable)
    return {
        "department": work.loaded.name,
        "folder": work.loaded.folder.name,
        "status": work.status,
        "timetable_status": timetable.status if timetable is not None else None,
        "objective": timetable.objective if timetable is not None else None,
        "best_bound": timetable.best_bound if timetable is not None else None,
        "managers": len(department.managers) if department is not None else 0,
        "due_visits": routes.due_visits if routes is not None else 0,
        "planned_visits": sum(r.visits for r in routes.routes) if routes is not None else 0,
        "unvisited": len(routes.unvisited) if routes is not None else 0,
        "km": round(sum(r.distance_km for r in routes.routes), 3) if routes is not None else 0.0,
        "seconds": round(work.seconds, 3),
        "critical_path_seconds": round(work.critical_seconds, 3),
        "timetable_faults": len(judged.timetable_faults) if judged is not None else 0,
        "route_faults": len(judged.route_faults) if judged is not None else 0,
        "executable": bool(judged and routes and not judged.timetable_faults and not judged.route_faults),
        "error": work.error,
        # Declared short weekly hours are no fault, so "executable" stays true; said here
        # so a region's short weeks are not hidden (the department's timetable.json has each).
        "minutes_short": sum(sum(kinds.values()) for kinds in short.values()),
        "short_by_manager": short,
    }


def month_entry(work: DepartmentMonth) -> dict:
    """One department of a month's region.json."""
    plan = work.result.plan if work.result is not None else None
    department = work.loaded.department
    return {
        "department": work.loaded.name,
        "folder": work.loaded.folder.name,
        "status": work.status,
        "managers": len(department.managers) if department is not None else 0,
        "weeks": {str(w.week_start): w.status for w in plan.weeks} if plan is not None else {},
        "visits": plan.visits if plan is not None else 0,
        "wanted": plan.wanted if plan is not None else 0,
        # Visits, as `visits` and `wanted` (and a week's `unvisited`); the retailers they
        # belong to apart (a retailer short of two visits is one retailer, two visits).
        "unplanned": unplanned_visits(plan.unplanned) if plan is not None else 0,
        "unplanned_retailers": len({u.retailer for u in plan.unplanned}) if plan is not None else 0,
        "seconds": round(work.seconds, 3),
        "critical_path_seconds": round(work.critical_seconds, 3),
        "faults": len(work.result.faults) if work.result is not None else 0,
        # What the month checker found, as `fieldweek month` prints it; the month is
        # executable when it has visit days and no such fault (a week's `executable`).
        "fault_lines": list(work.result.faults) if work.result is not None else [],
        "executable": bool(plan is not None and plan.routes and not work.result.faults)
                      if work.result is not None else False,
        "error": work.error,
        # The weekly hours its weeks' timetables declare short (its month.json's weeks).
        "minutes_short": sum(w.minutes_short for w in plan.weeks) if plan is not None else 0,
        "minutes_short_by_week": {str(w.week_start): w.minutes_short for w in plan.weeks} if plan is not None else {},
    }


def region_document(region: str, period: dict, entries: Sequence[dict], totals_of: Sequence[str],
                    wall_seconds: float, workers: int) -> dict:
    """region.json: the region, its period (week_start or month), the departments, their
    totals, the run's wall seconds, workers and critical path (its longest department chain)."""
    totals: dict[str, float | int] = {
        "departments": len(entries),
        "planned": sum(1 for e in entries if e["status"] == "planned"),
        "failed": sum(1 for e in entries if e["status"] != "planned"),
    }
    for key in totals_of:
        total = sum(e[key] for e in entries)
        totals[key] = round(total, 3) if isinstance(total, float) else total
    return {
        "region": region, **period, "departments": list(entries), "totals": totals,
        "wall_seconds": round(wall_seconds, 3), "workers": workers,
        "critical_path_seconds": max((e["critical_path_seconds"] for e in entries), default=0.0),
    }


def week_overview(document: dict, works: Sequence[DepartmentWeek]) -> bytes:
    """The overview workbook of a week: a sheet of departments, a sheet of managers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "departments"
    columns = ["department", "folder", "status", "managers", "objective", "best_bound", "due_visits",
               "planned_visits", "unvisited", "km", "timetable_faults", "route_faults", "minutes_short",
               "seconds", "error"]
    sheet.append(columns)
    for entry in document["departments"]:
        sheet.append([legal_text(entry[c]) for c in columns])
    managers = book.create_sheet("managers")
    managers.append(["department", "manager", "name", "field days", "visits", "due visits", "unvisited",
                     "km", "minutes short", "short of", "seconds"])
    for work in works:
        routes = work.result.routes if work.result is not None else None
        department = work.loaded.department
        if work.result is None or routes is None or department is None:
            continue
        short = short_by_manager(work.result.timetable)
        for manager in department.managers:
            mine = [r for r in routes.routes if r.manager == manager.id]
            managers.append([legal_text(department.name), manager.id, legal_text(manager.name), len(mine),
                             sum(r.visits for r in mine),
                             work.result.manager_due.get(manager.id, 0),
                             sum(1 for u in routes.unvisited if u.manager == manager.id),
                             round(sum(r.distance_km for r in mine), 3),
                             sum(short.get(manager.id, {}).values()), kinds_text(short.get(manager.id, {})),
                             round(work.manager_seconds.get(manager.id, 0.0), 3)])
    bold_headers(book)
    return workbook_bytes(book)


def month_overview(document: dict, works: Sequence[DepartmentMonth]) -> bytes:
    """The overview workbook of a month: a sheet of departments, a sheet of managers."""
    book = Workbook()
    sheet = book.active
    sheet.title = "departments"
    columns = ["department", "folder", "status", "managers", "visits", "wanted", "unplanned",
               "unplanned_retailers", "faults", "minutes_short", "seconds", "error"]
    sheet.append(columns)
    for entry in document["departments"]:
        sheet.append([legal_text(entry[c]) for c in columns])
    managers = book.create_sheet("managers")
    managers.append(["department", "manager", "name", "visit days", "visits", "unplanned visits",
                     "unplanned retailers"])
    for work in works:
        plan = work.result.plan if work.result is not None else None
        department = work.loaded.department
        if plan is None or department is None:
            continue
        for manager in department.managers:
            mine = [r for r in plan.routes if r.manager == manager.id]
            missed = [u for u in plan.unplanned if u.manager == manager.id]
            managers.append([legal_text(department.name), manager.id, legal_text(manager.name), len(mine),
                             sum(len(r.stops) for r in mine), unplanned_visits(missed),
                             len({u.retailer for u in missed})])
    bold_headers(book)
    return workbook_bytes(book)


def week_period(week_start: dt.date) -> dict:
    return {"week_start": str(week_start)}


def projected_wall(task_seconds: float, critical_path_seconds: float, workers: int) -> float:
    """The wall seconds of a region on `workers` workers by the model max(critical path,
    task seconds / workers): every worker busy while work is ready, no department faster
    than its longest chain of tasks (start-up and data moves left out)."""
    return max(critical_path_seconds, task_seconds / max(workers, 1))


def projected_wall_at_most(task_seconds: float, critical_path_seconds: float, workers: int) -> float:
    """The most a scheduler that never leaves a worker idle while a task is ready can take
    (Graham's list-scheduling bound): task seconds / workers + critical path."""
    return task_seconds / max(workers, 1) + critical_path_seconds
