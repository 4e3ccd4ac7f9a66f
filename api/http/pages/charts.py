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
    baseline_text: str | None = None
    """The hand-made week's figure, drawn as a thin grey bar under this plan's."""
    baseline_width: int = 0


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    bars: tuple[Bar, ...]


def _bars(values: Mapping[str, float], baseline: Mapping[str, float] | None = None) -> tuple[Bar, ...]:
    top = max([*values.values(), *(baseline or {}).values(), 0.0])

    def width(value: float) -> int:
        return round(BAR_WIDTH_PX * value / top) if top > 0 else 0

    return tuple(
        Bar(label, value, f"{value:g}", width(value),
            baseline_text=None if baseline is None else f"{baseline.get(label, 0):g}",
            baseline_width=0 if baseline is None else width(baseline.get(label, 0)))
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


def _per_manager(report: QualityReport, names: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """km, riding, idle and late minutes summed per manager name."""
    sums: dict[str, dict[str, float]] = {key: defaultdict(float) for key in ("km", "riding", "idle", "late")}
    for route in report.routes:
        name = names.get(route.manager, route.manager)
        sums["km"][name] += route.recomputed_km or route.distance_km or 0
        sums["riding"][name] += route.recomputed_minutes or route.travel_minutes or 0
    for day in report.days:
        name = names.get(day.manager, day.manager)
        sums["idle"][name] += day.idle_minutes
        sums["late"][name] += day.late_minutes
    sums["km"] = {name: round(km, 1) for name, km in sums["km"].items()}
    return sums


def quality_charts(report: QualityReport, department: Department, words: Mapping[str, str],
                   baseline: QualityReport | None = None) -> list[Chart]:
    """The week's charts per manager: the km and riding minutes (when there are routes),
    idle minutes and minutes past the end of the working day; with `baseline`, the
    hand-made week's figure beside each (SPEC §6)."""
    names = {m.id: m.name for m in department.managers}
    ours = _per_manager(report, names)
    theirs = _per_manager(baseline, names) if baseline is not None else None
    kinds = ("km", "riding", "idle", "late") if report.has_routes else ("idle", "late")
    return [
        Chart(kind, words[kind], _bars(dict(ours[kind]), None if theirs is None else dict(theirs[kind])))
        for kind in kinds
    ]
