"""An outside tester found the workbook and the printed page half in the wrong language: the
solve's status (`求解状态: feasible`) was never translated, and the English exports still
named the policy by its Chinese title ("15+13+7 周工作时间模型"). The status is said in the
export's language, and an English export names the policy by its English title."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from api.exports.html import timetable_page
from api.exports.labels import Lang, policy_title
from api.exports.route_map import route_map_page
from api.exports.xlsx import timetable_workbook
from engine.domain import Department, Timetable
from engine.policy import Policy
from tests.api.http.support import hand_timetable


@pytest.fixture(scope="module")
def feasible(department: Department) -> Timetable:
    return hand_timetable(department).model_copy(update={"status": "feasible"})


def _particulars(timetable: Timetable, department: Department, policy: Policy, lang: Lang) -> dict[str, str]:
    sheet = load_workbook(io.BytesIO(timetable_workbook(timetable, department, policy, lang))).worksheets[0]
    return {str(sheet.cell(row, 1).value): str(sheet.cell(row, 2).value) for row in range(2, 7)}


def test_the_status_is_said_in_the_export_s_language(feasible: Timetable, department: Department,
                                                     policy: Policy) -> None:
    assert _particulars(feasible, department, policy, "zh")["求解状态"] == "可行"
    assert "<b>求解状态</b>: 可行" in timetable_page(feasible, department, policy, "zh")
    assert _particulars(feasible, department, policy, "en")["Status"] == "feasible"
    assert "<b>Status</b>: feasible" in timetable_page(feasible, department, policy, "en")


def test_an_english_export_names_the_policy_by_its_english_title(feasible: Timetable, department: Department,
                                                                policy: Policy) -> None:
    assert policy.title == "15+13+7 周工作时间模型" and policy.title_en
    assert _particulars(feasible, department, policy, "en")["Policy"] == policy.title_en
    page = timetable_page(feasible, department, policy, "en")
    assert policy.title_en in page and policy.title not in page
    assert _particulars(feasible, department, policy, "zh")["工作模型"] == policy.title
    assert policy.title in timetable_page(feasible, department, policy, "zh")
    routes = {"week_start": str(feasible.week_start), "routes": [], "unvisited": []}
    assert policy.title not in route_map_page(routes, department, policy, lang="en", background_map=False)


def test_a_policy_without_an_english_title_is_named_by_its_name_in_english(policy: Policy) -> None:
    bare = policy.model_copy(update={"title_en": ""})
    assert policy_title(bare, "en") == "15-13-7" and policy_title(bare, "zh") == policy.title
