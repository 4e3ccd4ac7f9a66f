"""A department of a region planned alone (`fieldweek plan REGION/DEPT`, timetable,
routes, month) gets the region's shared holidays as the region run gives them: the
loader reads them, so no command plans work on a holiday the region declared."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from api.commands.inputs import region_holidays_line
from api.region.folder import load_region_department, read_region
from engine.errors import InputError
from engine.load import load_department_in_region, load_department_with_policy
from engine.month import read_holidays, working_days
from engine.work_calendar import WorkCalendar
from tests.locations import SAMPLE

REGION_DAY = dt.date(2026, 11, 25)  # a Wednesday
WEEK = dt.date(2026, 11, 23)


def _region(tmp_path: Path, toml: str = 'name = "West"\n', holidays: str = "date,name\n2026-11-25,Founding day\n",
            holidays_at: str = "holidays.csv") -> Path:
    """A region folder with one department (a copy of the sample); its department folder."""
    (tmp_path / "region.toml").write_text(toml, "utf-8")
    (tmp_path / holidays_at).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / holidays_at).write_text(holidays, "utf-8")
    return Path(shutil.copytree(SAMPLE, tmp_path / "east"))


def test_a_department_planned_alone_has_its_regions_holidays(tmp_path: Path) -> None:
    department, policy = load_department_with_policy(_region(tmp_path))
    assert department.calendar_day(REGION_DAY) is not None
    assert REGION_DAY not in [d for d, _ in WorkCalendar(department, policy).working_days(WEEK)]


def test_the_month_of_a_department_planned_alone_leaves_out_its_regions_holidays(tmp_path: Path) -> None:
    folder = _region(tmp_path)
    department, policy = load_department_with_policy(folder)
    # as `fieldweek month` reads them: the folder's own holidays.csv over the loaded calendar
    assert REGION_DAY not in working_days(policy, 2026, 11, read_holidays(folder), department)


def test_the_command_line_says_how_many_holidays_came_from_the_region(tmp_path: Path) -> None:
    _, _, region = load_department_in_region(_region(tmp_path))
    assert region is not None
    assert region_holidays_line(region) == "holidays: 1 from the region West (../holidays.csv)"


def test_the_file_region_toml_names_is_read(tmp_path: Path) -> None:
    toml = 'name = "West"\nholidays = "shared/holidays.csv"\n'
    _, _, region = load_department_in_region(_region(tmp_path, toml, holidays_at="shared/holidays.csv"))
    assert region is not None and region.dates == {REGION_DAY}
    assert region.file == "../shared/holidays.csv"


def test_the_departments_own_workday_wins_over_the_regions_holiday(tmp_path: Path) -> None:
    folder = _region(tmp_path)
    (folder / "holidays.csv").write_text("date,kind,name\n2026-11-25,workday,stock-taking\n", "utf-8")
    department, _ = load_department_with_policy(folder)
    assert [(d.date, d.kind) for d in department.calendar_days] == [(REGION_DAY, "workday")]


def test_a_bad_date_in_the_regions_holidays_names_the_regions_file_and_row(tmp_path: Path) -> None:
    folder = _region(tmp_path, holidays="date\n2026-11-25\n2026-13-01\n")
    with pytest.raises(InputError) as error:
        load_department_with_policy(folder)
    [problem] = error.value.problems
    assert (problem.file, problem.row, problem.column) == ("../holidays.csv", 3, "date")


def test_a_bad_region_toml_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        load_department_with_policy(_region(tmp_path, toml='name = "West"\nholidays = "nowhere.csv"\n'))
    assert [(p.file, p.column) for p in error.value.problems] == [("../region.toml", "holidays")]


def test_a_department_on_its_own_has_no_region() -> None:
    assert load_department_in_region(SAMPLE)[2] is None


def test_the_region_run_gives_the_same_calendar_once(tmp_path: Path) -> None:
    folder = _region(tmp_path)
    alone, _ = load_department_with_policy(folder)
    loaded = load_region_department(read_region(tmp_path), folder)
    assert loaded.department is not None
    assert loaded.department.calendar_days == alone.calendar_days


@pytest.mark.parametrize("command", [["routes", "--day", "2026-11-25"],
                                     ["timetable", "--warm-start", "no-such-plan.json"]])
def test_the_week_commands_say_they_read_the_regions_holidays(tmp_path: Path, command: list[str]) -> None:
    """`routes` and `timetable` (and `plan`, by the same loader) print the region line before
    they go on; here each stops at once on an input it refuses, after loading."""
    from typer.testing import CliRunner

    from api.cli import app

    folder = _region(tmp_path)
    result = CliRunner().invoke(app, [command[0], str(folder), "--week", WEEK.isoformat(), *command[1:]])
    assert result.exit_code == 2, result.output
    assert "holidays: 1 from the region West (../holidays.csv)" in result.output
