"""`fieldweek score` on the terminal: the objective's soft rules and the checkers' words are
printed as text (rich read "late_finish[latest]" as markup: the line showed late_finish
twice, 98 and 9, tester seed 384)."""

from __future__ import annotations

from api.commands.console import console
from api.commands.quality_tables import render_report
from engine.quality import Finding, QualityReport


def test_soft_rule_names_and_messages_keep_their_brackets() -> None:
    report = QualityReport(department="d", policy="15-13-7", week_start="2026-11-23", has_timetable=False,
                           has_routes=False)
    report.objective_terms = {"late_finish": 98.0, "late_finish[latest]": 9.0}
    report.violations = [Finding("timetable", "no_overlap", "m01", None, None, "class [b] shop")]
    with console.capture() as captured:
        render_report(report)
    text = captured.get()
    assert "late_finish 98, late_finish[latest] 9" in text
    assert "class [b] shop" in text


def test_a_missing_objective_or_bound_is_a_dash() -> None:
    """No week found: the console printed "objective None · bound None" and "(start None)"."""
    from api.commands.console import solver_figure

    assert solver_figure(None) == "–" and solver_figure(2370534.0) == "2370534" and solver_figure(0.5) == "0.5"
