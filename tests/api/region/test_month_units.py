"""A region's month counts its unplanned work in visits, as `visits` and `wanted` are (and
a week's `unvisited`): visits + unplanned = wanted. `unplanned` counted retailers (379
retailers beside 1916 visits of 2386 wanted: 470 visits were missing); the retailers are
`unplanned_retailers` now."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from api.region.folder import LoadedDepartment
from api.region.month import DepartmentMonth
from api.region.report import MONTH_TOTALS, month_entry, month_overview, region_document
from api.region.tasks import JudgedMonth
from benchmarks.departments import generate_department
from engine.month import MonthPlan, Unplanned

UNPLANNED = (
    Unplanned(retailer="R0101", manager="m01", wanted=4, planned=1, reason="spacing"),
    Unplanned(retailer="R0102", manager="m01", wanted=2, planned=0, reason="no_room_in_day"),
    # A missed focus window is no visit of its own: R0102's visits are on the line above.
    Unplanned(retailer="R0102", manager="m01", wanted=1, planned=0, reason="focus_window"),
    Unplanned(retailer="R0201", manager="m02", wanted=3, planned=2, reason="no_room_in_day"),
)


def test_a_month_s_unplanned_are_visits_and_its_retailers_are_counted_apart() -> None:
    department = generate_department(2, seed=1, retailers_per_manager=2)
    work = DepartmentMonth(LoadedDepartment(Path("dept01"), department))
    work.status = "planned"
    plan = MonthPlan(department=department.name, policy="15-13-7", month="2026-12", days=(),
                     unplanned=UNPLANNED, visits=10, wanted=16)
    work.result = JudgedMonth(plan, ())
    entry = month_entry(work)
    assert entry["unplanned"] == 3 + 2 + 1 == entry["wanted"] - entry["visits"]
    assert entry["unplanned_retailers"] == 3
    document = region_document("r", {"month": "2026-12"}, [entry], MONTH_TOTALS, 1.0, 2)
    assert (document["totals"]["unplanned"], document["totals"]["unplanned_retailers"]) == (6, 3)
    book = load_workbook(BytesIO(month_overview(document, [work])))
    rows = [[c.value for c in row] for row in book["departments"].iter_rows()]
    assert rows[1][rows[0].index("unplanned")] == 6
    assert rows[1][rows[0].index("unplanned_retailers")] == 3
    managers = [[c.value for c in row] for row in book["managers"].iter_rows()]
    m01 = managers[1]
    assert m01[managers[0].index("unplanned visits")] == 5
    assert m01[managers[0].index("unplanned retailers")] == 2
