"""How headline measures are written: a solver gap is a percentage with digits enough
to show a 0.2 % gap (it read "0.00")."""

from __future__ import annotations

from api.commands.console import console
from api.commands.quality_tables import summary_table
from benchmarks.measures import format_measure
from benchmarks.tables import report_markdown
from engine.quality import QualityReport


def test_a_small_gap_is_a_percentage_not_zero():
    assert format_measure("gap", 0.002176) == "0.22%"
    assert format_measure("gap", 0.0) == "0.00%"
    assert format_measure("gap", None) == "–"
    assert format_measure("pair_km_mean", 11.7) == "11.70"


def test_score_tables_show_the_gap_as_a_percentage():
    report = QualityReport(department="d", policy="15-13-7", week_start="2026-11-23",
                           has_timetable=False, has_routes=False, gap=0.002176)
    with console.capture() as captured:
        console.print(summary_table(report, "quality"))
    assert "0.22%" in captured.get()
    assert "| solver gap to bound | 0.22% |" in report_markdown(report)
