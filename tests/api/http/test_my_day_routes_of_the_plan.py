"""The phone's day showed a new timetable's blocks with the stops of the route plan made
from the week's previous timetable (an outside tester: the week solved, routed, solved
again and not routed; the first stop at 08:29 during office work), while the desk's week
said no routes yet. The phone now takes the desk's rule (`job_routes`): only the stops of a
route plan made from the plan it shows. No solver runs: the weeks and routes are typed by
hand into the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.domain import CalendarDay, Department
from tests.api.http.support import (
    WEEK,
    department_body,
    hand_routes,
    idle_service,
    store_department_and_week,
    store_solved_job,
)

NO_ROUTES = "No routes planned for this timetable yet."


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from idle_service(tmp_path_factory, "my_day_routes")


def _get(client: TestClient, url: str, **params: Any) -> str:
    answer = client.get(url, params={"lang": "en", **params})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_phone_shows_no_stops_of_an_earlier_timetables_routes(client: TestClient) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    department, department_id, first = store_department_and_week(store)
    routes = hand_routes(department)
    store.add_route_plan(department_id, first, WEEK, None, None, routes)
    manager = routes["routes"][0]["manager"]
    first_stop = routes["routes"][0]["stops"][0]["retailer"]
    day = f"/v1/desk/my/{department_id}/{manager}/{WEEK}"
    routed = _get(client, day)
    assert f'data-job="{first}"' in routed and f'data-retailer="{first_stop}"' in routed
    assert NO_ROUTES not in routed

    second = store_solved_job(store, department_id, department, "test")  # solved again, not routed
    week = _get(client, "/v1/desk/week", department=department_id, week_start=str(WEEK))
    assert f'data-job="{second}"' in week and 'data-routes="no"' in week  # the desk: no routes yet
    phone = _get(client, day)
    assert f'data-job="{second}"' in phone  # the new timetable's blocks
    assert 'class="stop-card"' not in phone and NO_ROUTES in phone  # and none of the old stops

    # Routed from the new timetable (a day's plan of one manager): its stops show again.
    store.add_route_plan(department_id, second, WEEK, WEEK, manager, routes)
    again = _get(client, day)
    assert f'data-retailer="{first_stop}"' in again and NO_ROUTES not in again


def test_the_desks_week_refuses_a_day_that_is_no_monday(client: TestClient) -> None:
    """A Tuesday read as a week without a plan ("no plan yet") while the week had one."""
    store = client.app.state.service.store  # type: ignore[attr-defined]
    _, department_id, _ = store_department_and_week(store)
    tuesday = WEEK.fromordinal(WEEK.toordinal() + 1)
    answer = client.get("/v1/desk/week", params={"department": department_id, "week_start": str(tuesday)})
    assert answer.status_code == 422
    assert "must be a Monday" in answer.text and "Tuesday" in answer.text


def test_a_holiday_is_said_to_be_one_not_a_day_with_nothing_planned(client: TestClient) -> None:
    """The phone said "Nothing planned for this day." on a public holiday, as if the plan
    had forgotten him."""
    store = client.app.state.service.store  # type: ignore[attr-defined]
    wednesday, saturday = WEEK.fromordinal(WEEK.toordinal() + 2), WEEK.fromordinal(WEEK.toordinal() + 5)
    department = Department.model_validate(department_body()).model_copy(
        update={"calendar_days": (CalendarDay(date=wednesday, kind="holiday"),)})
    department_id = store.add_department(department.model_dump(mode="json", by_alias=True), None, None).id
    store_solved_job(store, department_id, department, "test")
    manager = department.managers[0].id
    assert "Public holiday: no work this day." in _get(client, f"/v1/desk/my/{department_id}/{manager}/{wednesday}")
    assert "Not a working day." in _get(client, f"/v1/desk/my/{department_id}/{manager}/{saturday}")
    thursday = wednesday.fromordinal(wednesday.toordinal() + 1)
    assert "Nothing is planned for you this day." in _get(client, f"/v1/desk/my/{department_id}/{manager}/{thursday}")
