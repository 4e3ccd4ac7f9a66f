"""Every headline measure a quality report gives has words (the tester saw the raw key
`rides_too_short` in the score table), and the markdown names who the spreads leave out."""

from __future__ import annotations

from benchmarks.measures import MEASURES
from benchmarks.tables import report_markdown
from engine.quality import QualityReport, Spread

SPREADS = {name: Spread(0.0, 0.0, 0.0, 0.0) for name in
           ("workload_per_manager", "load_per_day", "late_per_manager", "travel_per_manager")}


def test_every_summary_measure_has_a_label() -> None:
    report = QualityReport(department="d", week_start="2026-11-23", policy="p", has_timetable=True,
                           has_routes=True, spreads=SPREADS)
    assert set(report.summary()) <= set(MEASURES), set(report.summary()) - set(MEASURES)


def test_the_markdown_names_the_managers_the_spreads_leave_out() -> None:
    report = QualityReport(department="d", week_start="2026-11-23", policy="p", has_timetable=True,
                           has_routes=False, away_all_week=["m04"],
                           spreads=SPREADS)
    assert "leave out m04, on leave all week" in report_markdown(report)
