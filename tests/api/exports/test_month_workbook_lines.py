"""The month workbook's unplanned lines as a market manager reads them (tester's d7f):
a `focus_window` line (the retailer got every visit, none on a focus day) stood in the
sheet 未排拜访 as 应访 1, 计划 0, read as a missed visit; and the zh workbook's detail
column was the engine's English. A plan typed by hand; no solve."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from api.exports.month_reasons import unplanned_detail
from api.exports.month_xlsx import month_workbook
from engine.domain import HoursShortfall, Timetable
from engine.month import DueInWeek, MonthPlan, MonthRoute, MonthStop, Unplanned, WeekSolved
from engine.timetable.shortfalls import NOT_PROVEN
from tests.engine.month_cases import MONDAYS
from tests.strategies import simple_department

SPACING = ("3 of 4 visits planned (on 12-17, 12-23, 12-30): no day it fits in the week(s) of 12-07 lies 4-6 "
           "working days from them")
FULL = ("0 of 1 visits planned: the days it could go on in the week(s) of 12-07 (12-11) are full; 12-08 would lie "
        "under 4 or over 6 working days from its visits on , even with the one before or after moved within its week")
AWAY = ("1 visit(s) due in the week of 12-14, which has no visit block on this month's days; m02, who makes its "
        "visits that week, has no day then with room that keeps its spacing with the other visits")
FOCUS = "m05 has no visit day in the focus window (on leave, or no visit block on those days)"


def _plan() -> MonthPlan:
    day = MONDAYS[1] + dt.timedelta(days=4)
    route = MonthRoute(manager="m01", date=day, visit_start=480, visit_end=660, start_from="office",
                       stops=(MonthStop(retailer="m01-r00", arrive=490, start=490, end=500),))
    return MonthPlan(
        department="d", policy="15-13-7", month="2026-12", days=(day,), routes=(route,),
        due=(DueInWeek(week_start=MONDAYS[1], retailer="m01-r00", manager="m01", visits=1),
             DueInWeek(week_start=MONDAYS[1], retailer="m01-r01", manager="m01", visits=4)),
        unplanned=(Unplanned(retailer="m01-r00", manager="m01", wanted=1, planned=0, reason="focus_window",
                             detail=FOCUS),
                   Unplanned(retailer="m01-r01", manager="m01", wanted=4, planned=3, reason="spacing",
                             detail=SPACING),
                   Unplanned(retailer="m01-r01", manager="m01", wanted=1, planned=0, reason="focus_window",
                             detail=FOCUS)))


def _rows(book, title: str) -> list[list]:
    return [[c.value for c in row] for row in book[title].iter_rows()]


def test_a_focus_line_is_not_shown_as_a_missed_visit() -> None:
    """m01-r00 got its one visit (none on a focus day): no row in 未排拜访 (before: 应访 1,
    计划 0 there), a row of its own saying it is no missed visit; m01-r01, also short of a
    visit, says to look there."""
    for lang, sheet, focus_sheet, all_made in (("zh", "未排拜访", "未排入重点日", "不是漏访"),
                                               ("en", "Visits not planned", "Missed the focus days",
                                                "not a missed visit")):
        book = load_workbook(BytesIO(month_workbook(_plan(), simple_department(2), lang=lang)))
        missing = _rows(book, sheet)
        assert [row[1] for row in missing[1:]] == ["m01-r01"]
        focus = _rows(book, focus_sheet)
        assert [(row[1], row[3]) for row in focus[1:]] == [("m01-r00", "1/1"), ("m01-r01", "0/4")]
        assert all_made in focus[1][4] and all_made not in focus[2][4]


def test_the_chinese_workbook_gives_the_month_reasons_in_chinese() -> None:
    """Each phrase of the engine's reasons in Chinese, its dates and counts kept (before:
    the English as it stands); an English workbook keeps the engine's words."""
    book = load_workbook(BytesIO(month_workbook(_plan(), simple_department(2), lang="zh")))
    assert _rows(book, "未排拜访")[1][6] == ("已排 3/4 次（12-17、12-23、12-30）：12-07 当周可拜访的日子，没有一天与"
                                          "这些拜访相隔 4–6 个工作日")
    assert _rows(book, "未排入重点日")[1][5] == "m05 在重点日没有拜访日（请假，或这些天没有拜访时段）"
    assert unplanned_detail(AWAY, "zh") == ("12-14 当周应访 1 次，但该周本月的日子没有拜访时段；当周代访的 m02 没有既有"
                                            "空间、又与其他拜访保持间隔的日子")
    assert unplanned_detail(FULL, "zh").startswith("已排 0/1 次：12-07 当周可拜访的日子（12-11）已排满；12-08 与已排拜访")
    assert unplanned_detail("no day of m02, m05, who make its visits that week, keeps its spacing with the visits "
                            "on 12-10, 12-21", "zh") == "当周代访的 m02、m05 没有一天与已排拜访（12-10、12-21）保持间隔"
    # A phrase without a Chinese pattern keeps its English words, never nothing.
    assert unplanned_detail("m02: a reason yet unknown; week of 12-14: it fits on its own, but the days it could "
                            "go on are full", "zh") == "m02：a reason yet unknown；12-14 当周：单独可以安排，但可拜访的日子都已排满"
    english = load_workbook(BytesIO(month_workbook(_plan(), simple_department(2), lang="en")))
    assert _rows(english, "Visits not planned")[1][6] == SPACING


def test_the_chinese_workbook_gives_the_weeks_hours_short_in_chinese(policy_15_13_7) -> None:
    """The sheet of weekly hours short said the engine's English in a zh workbook; with the
    policy and the week's timetable (a plan made in this process) it says the week's
    Chinese, as the week's workbook does. A plan read back from JSON keeps the English."""
    short = HoursShortfall(manager="m01", kind="admin", minutes_short=40, reason=NOT_PROVEN)
    plan = _plan().model_copy(update={"weeks": (WeekSolved(week_start=MONDAYS[1], status="feasible",
                                                           minutes_short=40, shortfalls=(short,)),)})
    plan._timetables = {MONDAYS[1]: Timetable(department="d", policy="15-13-7", week_start=MONDAYS[1],
                                              status="feasible", shortfalls=(short,))}
    department = simple_department(2)
    book = load_workbook(BytesIO(month_workbook(plan, department, lang="zh", policy=policy_15_13_7)))
    (reason,) = [row[6] for row in _rows(book, book.sheetnames[-1])[1:]]
    assert reason.startswith("本周") and "40 分钟" in reason and "not kept" not in reason
    book = load_workbook(BytesIO(month_workbook(plan, department, lang="en", policy=policy_15_13_7)))
    assert [row[6] for row in _rows(book, book.sheetnames[-1])[1:]] == [NOT_PROVEN]


def test_a_wait_for_a_shop_to_open_is_said() -> None:
    """Tester's d8e: m02 reached R02004 at 08:25 and it opened at 10:00. The route says its
    waiting minutes (JSON, as the week's routes do) and the workbook's visit row the wait."""
    route = MonthRoute(manager="m01", date=MONDAYS[1], visit_start=480, visit_end=660, start_from="office",
                       stops=(MonthStop(retailer="m01-r00", arrive=505, start=600, end=640),
                              MonthStop(retailer="m01-r01", arrive=641, start=641, end=651)))
    assert route.model_dump(mode="json")["waiting_minutes"] == 95
    plan = _plan().model_copy(update={"routes": (route,)})
    for lang, title, header in (("zh", "月度拜访计划", "到店等候（分钟）"), ("en", None, "Wait to open (min)")):
        book = load_workbook(BytesIO(month_workbook(plan, simple_department(2), lang=lang)))
        rows = _rows(book, title or book.sheetnames[0])
        column = rows[0].index(header)
        assert column == 9  # after the visit's end, before the stops a day asks
        assert [row[column] for row in rows[1:]] == [95, None]


def test_a_visit_called_by_phone_reads_in_chinese() -> None:
    """The month's reason for a visit a capacity proposal calls instead (engine/month.py)
    kept its English in the zh workbook."""
    detail = ("1 visit(s) called in a phone slot instead of visited in the week(s) of 11-30 (the capacity proposal "
              "applied: retailers.csv's phone_call_week)")
    assert unplanned_detail(detail, "zh") == ("11-30 当周的 1 次拜访改在电话时段电话拜访（已采纳的产能方案：retailers.csv 的 "
                                              "phone_call_week）")
