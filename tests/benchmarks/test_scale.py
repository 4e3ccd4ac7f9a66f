"""The scaling suite's arithmetic and output (benchmarks/scale.py): the fitted growth
exponent, the milestones of one small timetable solve, and the tables and charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scale import (
    RoutePoint,
    TimetablePoint,
    growth_exponent,
    scale_markdown,
    timetable_point,
    write_scale_plots,
)


def test_growth_exponent_is_the_log_log_slope() -> None:
    """Times that grow with the square of the size give 2; missing points are skipped;
    fewer than two points give none."""
    assert growth_exponent([1, 2, 4, 8], [3, 12, 48, None]) == pytest.approx(2.0)
    assert growth_exponent([10, 100], [5.0, 5.0]) == pytest.approx(0.0, abs=1e-9)
    assert growth_exponent([6, 13], [1.0, None]) is None


def test_a_small_timetable_reaches_its_milestones_in_order() -> None:
    """Two managers: a first week is found, and no milestone comes before the first week."""
    point = timetable_point(2, decompose=True, time_limit=3, seed=0, workers=2)
    assert point.status in ("optimal", "feasible") and point.first_feasible_s is not None
    for later in (point.one_percent_s, point.proof_s):
        assert later is None or later >= point.first_feasible_s


def test_tables_and_charts_name_both_approaches(tmp_path: Path) -> None:
    """The markdown holds a row per point and the exponents of both approaches; the two
    charts are written."""
    timetables = [TimetablePoint(m, a, "feasible", 0.1 * m, 0.2 * m, None, 0.05)
                  for m in (6, 12) for a in ("product", "plain")]
    routes = [RoutePoint(n, n // 250, a, n / 500, n // 10, n // 5, n / 3.0)
              for n in (1000, 2000) for a in ("product", "plain")]
    text = scale_markdown(timetables, routes)
    rows = [line for line in text.splitlines() if line[2:3].isdigit()]
    assert len(rows) == 8 and sum("| product |" in row for row in rows) == 4
    assert "| timetable: first feasible | 1.00 | 1.00 |" in text
    assert "| routes: wall seconds | 1.00 | 1.00 |" in text
    written = write_scale_plots(timetables, routes, tmp_path)
    assert [p.name for p in written] == ["scale_timetable.png", "scale_routes.png"]
    assert all(p.stat().st_size > 1000 for p in written)
