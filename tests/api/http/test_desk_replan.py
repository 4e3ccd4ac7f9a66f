"""After a re-plan finished `done`, the phone's day, the desk's week (its grid, QR sheet,
map and downloads) and the Friday sheet still showed the plan before it: a sick
manager's cancelled block among them. `week_job` read only timetable jobs, and a
re-plan's id answered 404 "no timetable job" on /v1/desk/week?job= and
/v1/desk/feedback/. Every page now shows the week's newest plan: the newest finished
re-plan of the latest solved timetable, else that timetable. No solver runs: the plan,
its routes and the re-plan's result are typed by hand into the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.settings import Settings
from engine.domain import Department
from engine.replan.result import ReplanResult, ReplanRoute, ReplanStop
from tests.api.http.support import WEEK, hand_routes, store_department_and_week, store_solved_job
from tests.api.http.test_replan_calendar import TUESDAY, replan_job, replan_result


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("desk_replan")
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'd.db'}"))) as client:
        client.app.state.service.jobs.submit = lambda _job_id: None  # type: ignore[attr-defined]
        yield client


def _store(client: TestClient) -> Any:
    return client.app.state.service.store  # type: ignore[attr-defined]


SHORT_WORDS = "m01 has 0 POS project sessions from now on: the closure took 1 (Tue 13:30-14:30)"
VERDICT = {"executable": True, "violations": [], "late": [], "shortfalls": [
    {"manager": "m01", "kind": "pos_project", "rule": "weekly_quota", "unit": "sessions", "planned": 0,
     "asked": 1, "lost": 1, "message": SHORT_WORDS}]}


def _replanned(department: Department, status: str = "optimal",
               check: dict[str, Any] | None = VERDICT) -> dict[str, Any]:
    """m01's Tuesday POS hour cancelled and his phone hour moved to 15:00; his Monday's
    third and fourth visits give way to R0105 (the first two made before `now`); `check`:
    the re-plan checker's verdict the job carries."""
    result = replan_result(department, status)
    stops = (ReplanStop(retailer="R0100", arrive=550, start=550, end=560, pinned=True),
             ReplanStop(retailer="R0101", arrive=575, start=575, end=585, pinned=True),
             ReplanStop(retailer="R0105", arrive=780, start=780, end=790))
    routes = ReplanResult.model_validate(result).model_copy(
        update={"routes": (ReplanRoute(manager="m01", date=WEEK, stops=stops),)})
    return {**routes.to_json_dict(), "check": check}


def _week(client: TestClient, status: str = "optimal",
          check: dict[str, Any] | None = VERDICT) -> tuple[str, str, str]:
    """A department whose week has a plan with routes, and a finished re-plan of it:
    (department id, plan job id, re-plan job id)."""
    store = _store(client)
    department, department_id, plan_id = store_department_and_week(store)
    store.add_route_plan(department_id, plan_id, WEEK, None, None, hand_routes(department))
    return department_id, plan_id, replan_job(store, plan_id, "done",
                                              result=_replanned(department, status, check))


def _get(client: TestClient, url: str, **params: Any) -> str:
    answer = client.get(url, params={"lang": "en", **params})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_phone_shows_the_replanned_day(client: TestClient) -> None:
    department_id, _, replan = _week(client)
    tuesday = _get(client, f"/v1/desk/my/{department_id}/m01/{TUESDAY}")
    assert f'data-job="{replan}"' in tuesday  # the done / missed marks go to the re-plan
    assert "kind-pos_project" not in tuesday  # cancelled by the re-plan
    assert "15:00–15:30" in tuesday and "13:30–14:00" not in tuesday  # the phone hour moved
    monday = _get(client, f"/v1/desk/my/{department_id}/m01/{WEEK}")
    assert 'data-retailer="R0105"' in monday and 'data-retailer="R0103"' not in monday


def test_the_desk_week_is_the_replan_with_its_grid_map_feedback_and_downloads(client: TestClient) -> None:
    department_id, plan_id, replan = _week(client)
    week = _get(client, "/v1/desk/week", department=department_id, week_start=str(WEEK))
    assert f'data-job="{replan}"' in week and plan_id not in week
    assert "re-planned from 2026-11-23 12:00" in week
    for link in (f"/v1/timetables/{replan}.html", f"/v1/desk/feedback/{replan}", f"/v1/desk/map/{replan}",
                 f"/v1/desk/routes/{replan}.json", f"/v1/timetables/{replan}.xlsx", f"/v1/jobs/{replan}"):
        assert link in week
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    assert f"/my/{department_id}/m01/{WEEK}" in week  # the QR sheet's days: the re-plan's routes
    # a re-plan's id is taken wherever a timetable job's is
    assert f'data-job="{replan}"' in _get(client, "/v1/desk/week", department=department_id,
                                          week_start=str(WEEK), job=replan)
    assert f'data-job="{plan_id}"' in _get(client, "/v1/desk/week", department=department_id,
                                           week_start=str(WEEK), job=plan_id)
    feedback = _get(client, f"/v1/desk/feedback/{replan}")
    assert replan in feedback
    assert client.get(f"/v1/desk/feedback/{replan}.xlsx").status_code == 200


def test_a_replan_that_found_no_week_leaves_the_plan(client: TestClient) -> None:
    department_id, plan_id, replan = _week(client, status="infeasible")
    assert f'data-job="{plan_id}"' in _get(client, "/v1/desk/week", department=department_id,
                                           week_start=str(WEEK))
    assert "kind-pos_project" in _get(client, f"/v1/desk/my/{department_id}/m01/{TUESDAY}")
    assert client.get(f"/v1/desk/feedback/{replan}").status_code == 409


def test_a_week_solved_after_the_replan_is_the_weeks_plan_again(client: TestClient) -> None:
    department_id, _, replan = _week(client)
    store = _store(client)
    department = Department.model_validate(store.department(department_id).department)
    newer = store_solved_job(store, department_id, department, "test")
    week = _get(client, "/v1/desk/week", department=department_id, week_start=str(WEEK))
    assert f'data-job="{newer}"' in week and replan not in week
    assert "kind-pos_project" in _get(client, f"/v1/desk/my/{department_id}/m01/{TUESDAY}")


def test_a_replan_of_the_replan_is_the_newest_plan(client: TestClient) -> None:
    department_id, _, first = _week(client)
    store = _store(client)
    department = Department.model_validate(store.department(department_id).department)
    second = replan_job(store, first, "done", result=_replanned(department))
    assert f'data-job="{second}"' in _get(client, f"/v1/desk/my/{department_id}/m01/{TUESDAY}")


def test_a_route_job_is_no_week(client: TestClient) -> None:
    department_id, plan_id, _ = _week(client)
    routes = _store(client).add_job(department_id, WEEK, {}, 1.0, kind="routes",
                                    request={"timetable_id": plan_id})
    answer = client.get("/v1/desk/week", params={"department": department_id, "week_start": str(WEEK),
                                                 "job": routes.id})
    assert answer.status_code == 404
    assert client.get(f"/v1/desk/feedback/{routes.id}").status_code == 404


def test_the_desk_judges_a_replan_by_its_own_checker(client: TestClient) -> None:
    """The week's checkers know nothing of the sickness or closure a re-plan answers:
    read by them every re-plan was "not executable" (tester seed 361: 71 problems on a
    re-plan its checker found none in). The page shows the re-plan's verdict: executable
    with its shortfalls; a fault it found; a job without a verdict never as executable."""
    department_id, _, replan = _week(client)
    week = _get(client, "/v1/desk/week", department=department_id, week_start=str(WEEK), job=replan)
    assert 'data-executable="yes"' in week and SHORT_WORDS in week
    fault = {**VERDICT, "executable": False, "violations": [
        {"rule": "lunch", "manager": "m02", "date": str(TUESDAY), "time": None,
         "message": "m02 has no lunch on Tue; the plan of the week gave him one"}]}
    department_id, _, faulty = _week(client, check=fault)
    week = _get(client, "/v1/desk/week", department=department_id, week_start=str(WEEK), job=faulty)
    assert 'data-executable="no"' in week and "m02 has no lunch on Tue" in week
    department_id, _, unjudged = _week(client, check=None)
    week = _get(client, "/v1/desk/week", department=department_id, week_start=str(WEEK), job=unjudged)
    assert 'data-executable="no"' in week and "carries no checker" in week


def test_the_phone_says_why_a_sick_managers_day_is_empty(client: TestClient) -> None:
    """A re-plan for m01 off sick from Tuesday: his Tuesday held no block and the phone
    showed an empty page with no word why (read as a broken page). It now says he is off
    sick; a day with work says nothing of the kind."""
    store = _store(client)
    department, department_id, plan_id = store_department_and_week(store)
    result = replan_result(department)
    week = result["timetable"]
    week["blocks"] = [b for b in week["blocks"] if not (b["manager"] == "m01" and b["date"] >= str(TUESDAY))]
    job = store.add_job(department_id, WEEK, store.job(plan_id).policy, 1.0, kind="replan", request={
        "timetable_id": plan_id, "replan": {"now": f"{TUESDAY}T08:00:00", "events": [
            {"type": "manager_sick", "manager": "m01", "from": f"{TUESDAY}T08:00:00"}]}})
    store.start_job(job.id, "test")
    store.finish_job(job.id, "done", runner="test", result={**result, "check": VERDICT})
    tuesday = _get(client, f"/v1/desk/my/{department_id}/m01/{TUESDAY}")  # the week's newest plan
    assert "Off sick" in tuesday and 'class="day-note"' in tuesday
    assert "day-note" not in _get(client, f"/v1/desk/my/{department_id}/m01/{WEEK}")


def test_the_phone_shows_a_part_day_leave_and_a_sickness_from_its_hour(client: TestClient) -> None:
    """m01 off sick from Tuesday 10:00 in a re-plan, and on leave Monday 13:00-14:00: the
    phone showed his blocks and nothing of either (tester seed 431)."""
    from api.http.pages.my_day import _absences
    from engine.domain import Leave
    from engine.policy import load_policy

    store = _store(client)
    department, department_id, plan_id = store_department_and_week(store)
    job = store.add_job(department_id, WEEK, store.job(plan_id).policy, 1.0, kind="replan", request={
        "timetable_id": plan_id, "replan": {"now": f"{TUESDAY}T09:00:00", "events": [
            {"type": "manager_sick", "manager": "m01", "from": f"{TUESDAY}T10:00:00"}]}})
    store.start_job(job.id, "test")
    store.finish_job(job.id, "done", runner="test", result={**replan_result(department), "check": VERDICT})
    tuesday = _get(client, f"/v1/desk/my/{department_id}/m01/{TUESDAY}")
    assert 'kind-sick"><span class="time">10:00–17:30</span> Off sick' in tuesday
    on_leave = department.model_copy(update={"leave": (Leave(manager="m01", date=WEEK, start=13 * 60, end=14 * 60),)})
    (line,) = _absences(None, None, on_leave, load_policy("15-13-7"), "m01", WEEK, "en")  # type: ignore[arg-type]
    assert (line["kind"], line["start"], line["end"], line["label"]) == ("leave", "13:00", "14:00", "Leave")
