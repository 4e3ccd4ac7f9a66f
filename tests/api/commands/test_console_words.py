"""What the commands print, as a person reads it: `score`'s soft rules and the checkers'
words as text (rich read "late_finish[latest]" as markup: the line showed late_finish
twice, 98 and 9, tester seed 384), a missing figure as a dash, and the re-plan's counts
agreeing with its JSON."""

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


def test_the_replan_console_counts_the_weeks_own_left_outs_too() -> None:
    """The JSON's `unplaced` holds the re-plan's own left-outs and those the week's routes
    had already left out (not_planned); the console counted only the first (18 against
    146 in the JSON, tester's rp1)."""
    import datetime as dt

    from api.commands.replan import render_replan
    from engine.domain import Timetable
    from engine.replan.result import ReplanResult, UnplacedVisit

    monday = dt.date(2026, 11, 23)
    result = ReplanResult(
        week_start=monday, now=dt.datetime(2026, 11, 25, 10, 15), status="feasible",
        timetable=Timetable(department="d", policy="15-13-7", week_start=monday, status="feasible"),
        unplaced=(UnplacedVisit(retailer="R1", manager="m01", reason="no_room_in_day"),
                  UnplacedVisit(retailer="R2", manager="m01", reason="not_planned"),
                  UnplacedVisit(retailer="R3", manager="m02", reason="not_planned")))
    with console.capture() as captured:
        render_replan(result)
    text = " ".join(captured.get().split())
    assert "2 visit(s) the week's routes had already left out stay out" in text
    assert "1 visit(s) without a place this week" in text
