"""The exports on a hand-typed week (no solver): the workbook's grid and hours, the
calendars, the printable page and the route map that needs no network."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from icalendar import Calendar

from api.exports.html import timetable_page
from api.exports.ics import manager_calendar
from api.exports.route_map import route_map_page
from api.exports.week import hours_text
from api.exports.xlsx import timetable_workbook
from engine.domain import Department, DutyGap, Timetable
from engine.policy import Policy
from tests.api.http.support import WEEK, department_body, hand_routes, hand_timetable


@pytest.fixture(scope="module")
def timetable(department: Department) -> Timetable:
    """A hand-typed Monday and Tuesday (see tests.api.http.support.hand_timetable)."""
    return hand_timetable(department)


def test_hours_text() -> None:
    """Hours are shown without trailing zeros and blank for none."""
    assert [hours_text(m) for m in (180, 90, 40, 0)] == ["3", "1.5", "0.67", ""]


def test_workbook_grid_merges_each_block_over_its_slots(
    timetable: Timetable, department: Department, policy: Policy
) -> None:
    """On a manager's sheet a block is one coloured cell merged over its 10-minute slots, in its day's column."""
    workbook = openpyxl.load_workbook(io.BytesIO(timetable_workbook(timetable, department, policy)))
    sheet = workbook["m01 经理1"]
    visit = next(
        c
        for row in sheet.iter_rows()
        for c in row
        if str(c.value or "").startswith("个人拜访\n09:00")
    )
    merged = next(
        r for r in sheet.merged_cells.ranges if r.min_row == visit.row and r.min_col == visit.column
    )
    assert merged.max_row - merged.min_row + 1 == 18  # 09:00-12:00 in 10-minute rows
    assert sheet.cell(visit.row, 1).value == "09:00"
    header_row = next(c.row for c in sheet["A"] if c.value == "时间")
    assert sheet.cell(header_row, visit.column).value == "周一 11-23"
    assert visit.fill.fgColor.rgb.endswith("B7E1CD")
    maintenance = next(
        c for row in sheet.iter_rows() for c in row if str(c.value or "").startswith("终端专项维护")
    )
    assert "同组 经理2" in maintenance.value
    pos = next(
        c for row in sheet.iter_rows() for c in row if str(c.value or "").startswith("课题实践")
    )
    assert "便利店1-0" in pos.value and sheet.cell(header_row, pos.column).value == "周二 11-24"


def test_workbook_overview_adds_up_hours_per_kind(
    timetable: Timetable, department: Department, policy: Policy
) -> None:
    """The overview's hours per kind match the blocks (lunch is not working time)."""
    workbook = openpyxl.load_workbook(
        io.BytesIO(timetable_workbook(timetable, department, policy, lang="en"))
    )
    overview = workbook["Overview"]
    rows = [[c.value for c in row] for row in overview.iter_rows()]
    header = next(r for r in rows if r[:2] == ["Manager", "Name"] and "Total" in r)
    m01 = next(
        r for r in rows if r[0] == "m01" and len(r) >= len(header) and r[header.index("Total")]
    )
    assert m01[header.index("Individual visits")] == 3
    assert m01[header.index("Terminal maintenance (pairs)")] == 2
    assert m01[header.index("Department meeting")] == 0.67
    assert m01[header.index("Total")] == round((40 + 180 + 120 + 60 + 30) / 60, 2)


def test_workbook_sheet_names_are_valid_and_unique(timetable: Timetable, policy: Policy) -> None:
    """Manager names with characters Excel forbids, or too long, still give distinct sheet names."""
    body = department_body()
    body["managers"][0]["name"] = "张/伟[组长]*" + "长" * 40
    body["managers"][1]["id"] = (
        "m01 张/伟[组长]*" + "长" * 40
    )  # same sheet name once cut to 31 characters
    body["managers"][1]["name"] = ""
    for retailer in body["retailers"]:
        if retailer["manager"] == "m02":
            retailer["manager"] = body["managers"][1]["id"]
    department = Department.model_validate(body)
    names = openpyxl.load_workbook(
        io.BytesIO(timetable_workbook(hand_timetable(department), department, policy))
    ).sheetnames
    assert len(names) == 3 == len(set(names))
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


def test_calendar_events_carry_time_zone_place_and_partner(
    timetable: Timetable, department: Department, policy: Policy
) -> None:
    """Each block but lunch is an event at its local time; appointments name the retailer; UIDs are stable."""
    first = manager_calendar(timetable, department, policy, "m01", "Asia/Shanghai")
    events = Calendar.from_ical(first).walk("VEVENT")
    assert len(events) == sum(
        1 for b in timetable.blocks if b.manager == "m01" and b.kind != "lunch"
    )
    visit = next(e for e in events if str(e["summary"]) == "个人拜访")
    start = visit.decoded("dtstart")
    assert start == dt.datetime(2026, 11, 23, 9, 0, tzinfo=start.tzinfo)
    assert start.utcoffset() == dt.timedelta(hours=8)
    pos = next(e for e in events if "POS" in str(e["summary"]))
    assert str(pos["location"]) == "便利店1-0"
    maintenance = next(e for e in events if str(e["summary"]) == "终端专项维护")
    assert "经理2" in str(maintenance["description"])
    second = Calendar.from_ical(
        manager_calendar(timetable, department, policy, "m01", "Asia/Shanghai")
    )
    assert sorted(str(e["uid"]) for e in second.walk("VEVENT")) == sorted(
        str(e["uid"]) for e in events
    )


def test_printable_page_places_blocks_on_the_grid(
    timetable: Timetable, department: Department, policy: Policy
) -> None:
    """One grid per manager; each block spans rows from its start to its end; nothing is fetched."""
    page = timetable_page(timetable, department, policy)
    assert page.count('class="manager"') == 2
    visit = re.search(
        r'data-kind="visit" data-date="2026-11-23" data-start="09:00" data-end="12:00" '
        r'style="grid-column:2;grid-row:(\d+) / (\d+)"',
        page,
    )
    assert visit is not None
    assert int(visit.group(2)) - int(visit.group(1)) == 18  # 3 h of 10-minute rows
    assert "<script" not in page and "http://" not in page and "https://" not in page
    english = timetable_page(timetable, department, policy, lang="en")
    assert "Individual visits" in english and 'lang="en"' in english


def test_route_map_draws_stops_and_path_without_the_network(
    department: Department, policy: Policy
) -> None:
    """The SVG drawing holds every stop (numbered in order) and the path office → stops → office,
    with no script; the Leaflet map is left out unless asked for, and then confined to an iframe."""
    routes = hand_routes(department)
    page = route_map_page(routes, department, policy, day=WEEK, manager="m01")
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert [int(n) for n in re.findall(r'data-order="(\d+)"', svg)] == [1, 2, 3, 4]
    path = re.search(r'<polyline class="path" points="([^"]+)"', svg).group(1).split()
    assert len(path) == 6 and path[0] == path[-1]  # starts and ends at the office
    assert "<script" not in page and "<iframe" not in page
    with_map = route_map_page(routes, department, policy, day=WEEK, background_map=True)
    outside_iframe = re.sub(r'<iframe[^>]*srcdoc="[^"]*"', "", with_map)
    assert "<iframe" in with_map and "<script" not in outside_iframe
    assert "R0105" in page  # the unvisited retailer is listed
    assert "便利店1-1" in page


def test_route_map_for_a_day_without_routes_says_so(department: Department, policy: Policy) -> None:
    """A day with no route gives a page that says so instead of an empty drawing."""
    page = route_map_page(
        hand_routes(department), department, policy, day=WEEK + dt.timedelta(days=2), lang="en"
    )
    assert "No route matches" in page and "<svg" not in page


def test_workbook_keeps_user_text_that_looks_like_a_formula(policy: Policy) -> None:
    """A name typed as "=HYPERLINK(...)" is exported as text, never as a formula Excel would run."""
    body = department_body()
    body["managers"][0]["name"] = '=HYPERLINK("http://example.invalid","click")'
    department = Department.model_validate(body)
    workbook = openpyxl.load_workbook(
        io.BytesIO(timetable_workbook(hand_timetable(department), department, policy))
    )
    cells = [
        c
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_workbook_lists_an_unfilled_duty_with_its_reason(
    timetable: Timetable, department: Department, policy: Policy
) -> None:
    """A duty nobody can take is on the overview sheet, not left out in silence, its reason in
    the workbook's language (Chinese here: api/exports/reasons.py)."""
    gap = DutyGap(duty="image_showcase", managers_needed=2, managers_assigned=0,
                  reason="no manager has the skill 'showcase'")
    unfilled = timetable.model_copy(update={"unfilled_duties": (gap,)})
    sheet = openpyxl.load_workbook(io.BytesIO(timetable_workbook(unfilled, department, policy))).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    why = "没有客户经理具备技能“showcase”；请在 managers.csv 的 skills 列为客户经理添加该技能"
    assert any(r[:3] == ["终端形象展示", "人手不足 0/2", why] for r in rows)
