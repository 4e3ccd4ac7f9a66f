"""The quality numbers of a week as small bar charts for the desk (SPEC §6): due visits
made by manager and class, km ridden, riding and idle minutes, late finishes. Data only;
the template draws them."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.domain import Department
from engine.quality import QualityReport

BAR_WIDTH_PX = 190
LOW_COVERAGE = 0.9  # below this share a coverage bar is drawn in the warning colour


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    width: int
    tone: str = ""


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    bars: tuple[Bar, ...]


def _bars(values: Mapping[str, float], text: Mapping[str, str] | None = None,
          tones: Mapping[str, str] | None = None, scale: float | None = None) -> tuple[Bar, ...]:
    top = scale if scale is not None else max([*values.values(), 0.0])
    return tuple(
        Bar(label, value, (text or {}).get(label, f"{value:g}"),
            round(BAR_WIDTH_PX * value / top) if top > 0 else 0, (tones or {}).get(label, ""))
        for label, value in values.items()
    )


@dataclass(frozen=True)
class CoverageCell:
    made: int
    due: int
    tone: str  # "full", "short" (under LOW_COVERAGE), "" otherwise, "none" with nothing due


@dataclass(frozen=True)
class CoverageTable:
    """Due visits made, by manager (rows) and retailer class (columns)."""

    classes: tuple[str, ...]
    rows: tuple[tuple[str, tuple[CoverageCell, ...]], ...]


def coverage_by_manager_and_class(routes: Mapping[str, Any], department: Department) -> CoverageTable:
    """A due visit is one made on a route (kind visit) or one listed unvisited."""
    classes = {r.id: r.retailer_class for r in department.retailers}
    made: Counter[tuple[str, str]] = Counter()
    missed: Counter[tuple[str, str]] = Counter()
    for route in routes.get("routes", []):
        for stop in route.get("stops", []):
            if stop.get("kind") == "visit":
                made[(str(route.get("manager")), classes.get(stop.get("retailer"), "?"))] += 1
    for entry in routes.get("unvisited", []):
        missed[(str(entry.get("manager")), classes.get(entry.get("retailer"), "?"))] += 1
    columns = tuple(sorted({c for _, c in made.keys() | missed.keys()}))
    rows = []
    for manager in department.managers:
        cells = []
        for retailer_class in columns:
            done, due = made[(manager.id, retailer_class)], made[(manager.id, retailer_class)] + missed[(manager.id, retailer_class)]
            tone = "none" if not due else "full" if done == due else "short" if done / due < LOW_COVERAGE else ""
            cells.append(CoverageCell(done, due, tone))
        rows.append((manager.name, tuple(cells)))
    return CoverageTable(columns, tuple(rows))


def quality_charts(report: QualityReport, routes: Mapping[str, Any] | None, department: Department,
                   words: Mapping[str, str]) -> list[Chart]:
    """The week's charts per manager: the km and riding minutes (when there are routes),
    idle minutes and minutes past the end of the working day."""
    names = {m.id: m.name for m in department.managers}
    charts = []
    if routes is not None:
        km: dict[str, float] = defaultdict(float)
        riding: dict[str, float] = defaultdict(float)
        for route in report.routes:
            km[names.get(route.manager, route.manager)] += route.recomputed_km or route.distance_km or 0
            riding[names.get(route.manager, route.manager)] += route.recomputed_minutes or route.travel_minutes or 0
        charts.append(Chart("km", words["km"], _bars({k: round(v, 1) for k, v in km.items()})))
        charts.append(Chart("riding", words["riding"], _bars(dict(riding))))
    idle: dict[str, float] = defaultdict(float)
    late: dict[str, float] = defaultdict(float)
    for day in report.days:
        idle[names.get(day.manager, day.manager)] += day.idle_minutes
        late[names.get(day.manager, day.manager)] += day.late_minutes
    charts.append(Chart("idle", words["idle"], _bars(dict(idle))))
    charts.append(Chart("late", words["late"], _bars(dict(late))))
    return charts
