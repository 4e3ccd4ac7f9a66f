"""The department's calendar (SPEC §5): public holidays and make-up working days from the
policy's calendar, holidays.csv over them, the loader's problems, the working days the
planners and the judges read."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from engine.check.spec import presence, working_dates
from engine.domain import CalendarDay
from engine.errors import InputError
from engine.load import load_department, load_department_with_policy, write_department
from engine.public_calendar import public_days
from engine.work_calendar import WorkCalendar
from tests.strategies import WEEK, simple_department

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
WEDNESDAY, SATURDAY = WEEK + dt.timedelta(days=2), WEEK + dt.timedelta(days=5)


def calendar_department(n: int = 2):
    """A department whose week has a Wednesday holiday and a make-up Saturday."""
    return simple_department(n).model_copy(update={"calendar_days": (
        CalendarDay(date=WEDNESDAY, kind="holiday", name="local holiday"),
        CalendarDay(date=SATURDAY, kind="workday", name="调休"),
    )})


def test_public_calendar_carries_2026_make_up_days_and_2027_holidays():
    """The package gives the 2026 make-up Saturday of National Day and 2027's Spring Festival."""
    assert public_days("CN", 2026)[dt.date(2026, 10, 10)][0] == "workday"
    assert public_days("CN", 2026)[dt.date(2026, 10, 1)][0] == "holiday"
    assert public_days("CN", 2027)[dt.date(2027, 2, 8)][0] == "holiday"


def test_holiday_out_make_up_saturday_in_with_the_policy_s_rules(policy_15_13_7):
    department = calendar_department()
    days = WorkCalendar(department, policy_15_13_7).working_days(WEEK)
    assert [d for d, _ in days] == [WEEK, WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=3),
                                   WEEK + dt.timedelta(days=4), SATURDAY]
    assert dict(days)[SATURDAY] == policy_15_13_7.makeup_day_rules
    # The independent judges read the same days in their own way.
    assert working_dates(policy_15_13_7, WEEK, department) == dict(days)


def test_a_holiday_prorates_like_leave_and_a_make_up_day_fills_in(policy_15_13_7):
    with_both = calendar_department()
    holiday_only = simple_department(2).model_copy(update={"calendar_days": with_both.calendar_days[:1]})
    assert set(presence(with_both, policy_15_13_7, WEEK).values()) == {1}
    assert {float(s) for s in presence(holiday_only, policy_15_13_7, WEEK).values()} == {0.8}


def test_public_calendar_applies_through_the_policy(policy_15_13_7):
    """Loaded with a policy naming CN, the National Day week of 2026 works Mon-Fri less the
    holidays of 5-7 October, plus the make-up Saturday 10 October."""
    department = load_department(SAMPLE)
    assert department.public_calendar == policy_15_13_7.calendar == "CN"
    days = [d for d, _ in WorkCalendar(department, policy_15_13_7).working_days(dt.date(2026, 10, 5))]
    assert days == [dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)]


def test_holidays_csv_overrides_the_public_calendar_and_writes_back(tmp_path: Path, policy_15_13_7):
    folder = tmp_path / "dept"
    shutil.copytree(SAMPLE, folder)
    (folder / "holidays.csv").write_text(
        "date,kind,name\n2026-10-10,holiday,不调休\n2026-11-25,holiday,本地节日\n2026-11-28,workday,调休\n",
        encoding="utf-8")
    department = load_department(folder)
    works = WorkCalendar(department, policy_15_13_7)
    assert not works.is_working_day(dt.date(2026, 10, 10))
    assert not works.is_working_day(dt.date(2026, 11, 25))
    assert works.is_working_day(dt.date(2026, 11, 28))
    write_department(department, tmp_path / "again")
    assert load_department(tmp_path / "again").calendar_days == department.calendar_days


def test_bad_holidays_rows_are_named_by_file_row_and_column(tmp_path: Path):
    folder = tmp_path / "dept"
    shutil.copytree(SAMPLE, folder)
    (folder / "holidays.csv").write_text(
        "date,kind,name\n2026-13-01,holiday,坏日子\n2026-11-25,day off,?\n2026-11-26,holiday,a\n"
        "2026-11-26,workday,b\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_department_with_policy(folder)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [
        ("holidays.csv", 2, "date"), ("holidays.csv", 3, "kind"), ("holidays.csv", 5, "date")]
