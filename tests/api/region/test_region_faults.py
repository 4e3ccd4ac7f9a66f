"""Three faults a tester found in the region commands, each without a solve or a cluster:
a department folder with no department.toml (or empty) is reported, not left out; a
month its checker rejects says so and what it found; a week is solved by `fieldweek
plan`'s time-limit rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from api.commands.console import EXIT_INPUT_ERROR, EXIT_NO_PLAN
from api.commands.region import _exit_code
from api.region import tasks
from api.region.folder import LoadedDepartment, error_text, load_region_department, read_region
from api.region.month import CHECK_FAILED, DepartmentMonth
from api.region.report import MONTH_TOTALS, WEEK_TOTALS, month_entry, region_document, week_entry
from api.region.runs import checked_inputs
from api.region.tasks import JudgedMonth, Timed
from api.region.week import DepartmentWeek
from benchmarks.departments import generate_department
from engine.budget import DEFAULT_TIMETABLE_S, EXTENDED_TIMETABLE_S
from engine.errors import InputError
from engine.load import META_FILE, load_department_with_policy, write_department
from engine.month import MonthPlan, MonthRoute, MonthStop

WEEK = dt.date(2026, 11, 30)


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """A good department, one whose department.toml is misnamed, one empty, one without
    managers.csv, and the hidden folders a region folder may hold."""
    (tmp_path / "region.toml").write_text('name = "测试片区"\n', encoding="utf-8")
    department = generate_department(2, seed=1, retailers_per_manager=2)
    for name in ("d_ok", "d_nometa", "d_nomgr"):
        write_department(department, tmp_path / name)
    (tmp_path / "d_nometa" / META_FILE).rename(tmp_path / "d_nometa" / f"{META_FILE}.txt")
    (tmp_path / "d_nomgr" / "managers.csv").unlink()
    for name in ("d_empty", ".git", "__pycache__"):
        (tmp_path / name).mkdir()
    return tmp_path


def test_a_folder_without_department_toml_or_empty_is_a_department_that_could_not_be_read(region: Path) -> None:
    read = read_region(region)
    assert [p.name for p in read.departments] == ["d_empty", "d_nometa", "d_nomgr", "d_ok"]
    works = [DepartmentWeek(load_region_department(read, folder)) for folder in read.departments]
    for work in works:
        checked_inputs(work, lambda _department, _policy: None)
    entries = {e["folder"]: e for e in (week_entry(work) for work in works)}
    assert entries["d_empty"]["status"] == "error" and entries["d_empty"]["error"] == "the folder is empty"
    assert entries["d_nometa"]["status"] == "error"
    assert entries["d_nometa"]["error"].splitlines()[0] == f"{META_FILE} is missing"
    assert "department.toml.txt" in entries["d_nometa"]["error"]
    assert entries["d_nomgr"]["error"] == "managers.csv is missing"  # not "… — managers.csv" again
    assert entries["d_ok"]["error"] == ""
    document = region_document("r", {"week_start": str(WEEK)}, list(entries.values()), WEEK_TOTALS, 1.0, 2)
    assert document["totals"]["departments"] == 4
    assert _exit_code(list(entries.values()), executable=False) == EXIT_INPUT_ERROR


def test_an_error_with_a_row_or_column_still_names_where(tmp_path: Path) -> None:
    write_department(generate_department(2, seed=1, retailers_per_manager=2), tmp_path)
    rows = (tmp_path / "retailers.csv").read_text("utf-8-sig").splitlines()
    rows[1] = rows[1].replace(",m01,", ",m99,")
    (tmp_path / "retailers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_department_with_policy(tmp_path)
    assert error_text(raised.value) == "\n".join(str(p) for p in raised.value.problems)
    assert " — retailers.csv, row" in error_text(raised.value)


class Done:
    """A finished task's future: its result."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


FAULTS = ("[focus_window] m01 2026-10-07 R0101 a key customer is visited outside its window",
          "[first_stop] m02 2026-10-08  the first stop starts after 10:00")


def test_a_month_its_checker_rejects_says_so_and_what_it_found() -> None:
    department = generate_department(2, seed=1, retailers_per_manager=2)
    route = MonthRoute(manager="m01", date=dt.date(2026, 10, 7), visit_start=9 * 60, visit_end=12 * 60,
                       start_from="office", stops=(MonthStop(retailer="R0101", arrive=560, start=560, end=590),))
    plan = MonthPlan(department=department.name, policy="15-13-7", month="2026-10", days=(), routes=(route,),
                     visits=1, wanted=1)
    work = DepartmentMonth(LoadedDepartment(Path("c_d01"), department))
    work.planned = Done(Timed(JudgedMonth(plan, FAULTS), 1.0))  # type: ignore[assignment]
    work.weeks = [Done(Timed({}, 2.0))]  # type: ignore[list-item]
    work.collect()
    assert work.status == CHECK_FAILED
    entry = month_entry(work)
    assert entry["faults"] == 2 and entry["fault_lines"] == list(FAULTS)
    assert entry["executable"] is False
    assert entry["error"].splitlines() == list(FAULTS)  # the console's error column shows the first
    document = region_document("r", {"month": "2026-10"}, [entry], MONTH_TOTALS, 1.0, 2)
    assert document["totals"]["planned"] == 0 and document["totals"]["failed"] == 1
    assert _exit_code([entry], executable=False) == EXIT_NO_PLAN
    clean = DepartmentMonth(LoadedDepartment(Path("a_m6"), department))
    clean.planned = Done(Timed(JudgedMonth(plan, ()), 1.0))  # type: ignore[assignment]
    clean.collect()
    assert clean.status == "planned"
    assert month_entry(clean)["executable"] is True and month_entry(clean)["fault_lines"] == []


@pytest.mark.parametrize(("named", "limit", "extend_to", "first_by"), [
    (5.0, 5.0, None, EXTENDED_TIMETABLE_S),  # named under 60 s: kept, but searches on for a first week
    (None, DEFAULT_TIMETABLE_S, EXTENDED_TIMETABLE_S, None),  # none named: the default, extended
    (90.0, 90.0, None, None),  # named above the extension: kept to
])
def test_a_region_week_is_solved_by_plans_time_limit_rules(monkeypatch: pytest.MonkeyPatch, named: float | None,
                                                           limit: float, extend_to: float | None,
                                                           first_by: float | None) -> None:
    seen = []

    def solve(_department: object, _policy: object, _week: dt.date, params: Any) -> SimpleNamespace:
        seen.append(params)
        return SimpleNamespace(timetable="the week")

    monkeypatch.setattr(tasks, "solve_timetable", solve)
    department, policy = object(), object()
    result = tasks.solve_week(department, policy, WEEK, named, 2)  # type: ignore[arg-type]
    [params] = seen
    assert result.value == "the week"
    assert (params.time_limit_s, params.extend_to_s, params.first_week_by_s) == (limit, extend_to, first_by)
    assert params.workers == 2


class _Submitted(Exception):
    """Raised by the stand-in cluster once it has the request: nothing is solved."""


def test_region_plan_names_no_limit_unless_given(region: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`region plan` without --time-limit passes no limit (the default, extended as `plan`
    extends it); its option defaulted to 10 s, so every limit counted as named."""
    from typer.testing import CliRunner

    import api.commands.region as region_command
    from api.cli import app

    seen: list[Any] = []

    def capture(run: Any, loaded: Any, request: Any, scheduler: Any, workers: Any) -> Any:
        seen.append(request)
        raise _Submitted

    monkeypatch.setattr(region_command, "_on_cluster", capture)
    for extra, expected in (([], None), (["--time-limit", "20"], 20.0)):
        before = len(seen)
        CliRunner().invoke(app, ["region", "plan", str(region), "--week", str(WEEK), *extra])
        assert len(seen) == before + 1
        assert seen[-1].time_limit_s == expected
