"""Builders shared by the API, export and browser tests: small departments as the API
receives them (one named to run script), a hand-made timetable and routes, a solved
week in a service's store, and a wait for a job to finish."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import httpx

from engine.domain import Block, Department, ManagerRef, Timetable
from engine.policy import load_policy

WEEK = dt.date(2026, 11, 23)  # a Monday
OFFICE = {"lat": 30.6921, "lon": 104.0874}
# Names that would run script if a page placed them as markup; the marking one changes the
# page's title when it runs (an alert leaves no mark in the dumped DOM).
RETAILER_PAYLOAD = "${alert(document.domain)}<img src=x onerror=alert(1)>"
MANAGER_PAYLOAD = "</script><img src=x onerror=alert(1)>"
MARKING_PAYLOAD = "</script><img src=x onerror=\"top.document.title='ran'\">"


def department_body(managers: int = 2, retailers_each: int = 6, **overrides: Any) -> dict[str, Any]:
    """A department as JSON for POST /v1/departments: `managers` managers (alternately senior
    and newcomer), each with a compact territory holding POS targets and a promotion store."""
    manager_rows = [
        {
            "id": f"m{i:02d}",
            "name": f"经理{i}",
            "years": 10 if i % 2 else 1,
            "skills": ["difficult"] if i == 1 else [],
        }
        for i in range(1, managers + 1)
    ]
    retailer_rows = []
    for i in range(1, managers + 1):
        for j in range(retailers_each):
            retailer_rows.append(
                {
                    "id": f"R{i:02d}{j:02d}",
                    "name": f"便利店{i}-{j}",
                    "lat": round(OFFICE["lat"] + 0.004 * j, 6),
                    "lon": round(OFFICE["lon"] + 0.005 * i, 6),
                    "manager": f"m{i:02d}",
                    "class": "A" if j == 0 else "B",
                    "visits_per_4_weeks": 4,
                    "area": "town",
                    "opens": "08:00",
                    "closes": "21:00",
                    "service_min": 10,
                    "pos_target": j < 3,
                    "promo_store": j == retailers_each - 1,
                }
            )
    body = {
        "name": "测试市场部",
        "office": dict(OFFICE),
        "policy": "15-13-7",
        "market_manager": "李建国",
        "managers": manager_rows,
        "retailers": retailer_rows,
        "leave": [],
        "history": [],
    }
    body.update(overrides)
    return body


def wait_for_job(
    client: httpx.Client,
    job_id: str,
    timeout_s: float = 60.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Poll GET /v1/timetables/{job} until the job leaves queued/running (bounded by `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.get(f"/v1/timetables/{job_id}", headers=headers).json()
        if status["status"] not in ("queued", "running"):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {status['status']} after {timeout_s} s")
        time.sleep(0.2)


def wait_for_result(
    client: httpx.Client,
    accepted: httpx.Response,
    timeout_s: float = 60.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The finished job of a 202 answer (route plans and re-plans are jobs): poll
    GET /v1/jobs/{id} until it leaves queued/running (bounded by `timeout_s`)."""
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] not in ("queued", "running"):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout_s} s")
        time.sleep(0.2)


def hand_timetable(department: Department) -> Timetable:
    """A small solved-looking week typed by hand (not by the solver): Monday and Tuesday
    for the first two managers, with a meeting, visits, a pair maintenance and a POS hour."""
    m1, m2 = department.managers[0].id, department.managers[1].id
    tuesday = WEEK + dt.timedelta(days=1)
    pos_target = next(r.id for r in department.retailers if r.manager == m1 and r.pos_target)
    blocks = [
        Block(manager=m1, date=WEEK, kind="meeting", start=480, end=520, **{"with": (m2,)}),
        Block(manager=m2, date=WEEK, kind="meeting", start=480, end=520, **{"with": (m1,)}),
        Block(manager=m1, date=WEEK, kind="visit", start=540, end=720),
        Block(manager=m2, date=WEEK, kind="visit", start=540, end=720),
        Block(manager=m1, date=WEEK, kind="lunch", start=720, end=780),
        Block(manager=m1, date=WEEK, kind="maintenance", start=840, end=960, **{"with": (m2,)}),
        Block(manager=m2, date=WEEK, kind="maintenance", start=840, end=960, **{"with": (m1,)}),
        Block(
            manager=m1, date=tuesday, kind="pos_project", start=480, end=540, retailer=pos_target
        ),
        Block(manager=m1, date=tuesday, kind="phone", start=810, end=840),
    ]
    return Timetable(
        department=department.name,
        policy=department.policy,
        week_start=WEEK,
        status="optimal",
        objective=12.0,
        best_bound=12.0,
        managers=tuple(ManagerRef(id=m.id, name=m.name) for m in department.managers),
        blocks=tuple(blocks),
    )


def hand_routes(department: Department) -> dict[str, Any]:
    """A routes JSON (the `fieldweek routes` contract) for the first manager's Monday, typed by hand."""
    manager = department.managers[0].id
    stops = [r.id for r in department.retailers if r.manager == manager][:4]
    times = ["09:10", "09:35", "10:05", "10:40"]
    return {
        "week_start": WEEK.isoformat(),
        "routes": [
            {
                "manager": manager,
                "date": WEEK.isoformat(),
                "depart": "09:00",
                "return": "11:20",
                "distance_km": 6.2,
                "travel_minutes": 38,
                "stops": [
                    {
                        "retailer": r,
                        "kind": "visit",
                        "arrive": t,
                        "start": t,
                        "end": t[:3] + f"{int(t[3:]) + 10:02d}",
                    }
                    for r, t in zip(stops, times, strict=True)
                ],
            }
        ],
        "unvisited": [{"retailer": "R0105", "manager": manager, "reason": "opening_hours"}],
    }


def hostile_body(manager_name: str = MANAGER_PAYLOAD) -> dict[str, Any]:
    """The test department with its first manager (named `manager_name`) and his retailers
    named to run script."""
    body = department_body()
    body["managers"][0]["name"] = manager_name
    for retailer in body["retailers"]:
        if retailer["manager"] == "m01":
            retailer["name"] = RETAILER_PAYLOAD
    return body


def store_solved_week(client: Any, app: Any, body: dict[str, Any], runner: str,
                      routes: Callable[[Department], dict[str, Any]] | None = None,
                      auth: dict[str, str] | None = None) -> tuple[str, str, Department]:
    """The department `body` sent through the API, a hand-typed solved week of it and, with
    `routes`, `routes(department)` as its route plan in the service's store: its id, the
    job's id and the department."""
    created = client.post("/v1/departments", json=body, headers=auth)
    assert created.status_code == 201, created.text
    department_id = created.json()["id"]
    department = Department.model_validate(body)
    job_id = store_solved_job(app.state.service.store, department_id, department, runner,
                              None if routes is None else routes(department))
    return department_id, job_id, department


def store_solved_job(store: Any, department_id: str, department: Department, runner: str,
                     routes: dict[str, Any] | None = None) -> str:
    """A hand-typed solved week of the stored department and, when given, `routes` as its
    route plan, straight into the service's store: the job's id."""
    job = store.add_job(department_id, WEEK, load_policy("15-13-7").model_dump(mode="json"), 1.0)
    store.start_job(job.id, runner)
    store.finish_job(job.id, "optimal", runner=runner, timetable=hand_timetable(department).to_json_dict())
    if routes is not None:
        store.add_route_plan(department_id, job.id, WEEK, None, None, routes)
    return job.id


def store_department_and_week(store: Any, runner: str = "test") -> tuple[Department, str, str]:
    """`department_body()` and a hand-typed solved week of it straight into the service's
    store (no request, no solve): the department, its id and the week's job id."""
    department = Department.model_validate(department_body())
    record = store.add_department(department.model_dump(mode="json", by_alias=True), None, None)
    return department, record.id, store_solved_job(store, record.id, department, runner)


def idle_service(tmp_path_factory: Any, name: str) -> Any:
    """A service on its own sqlite file whose queued jobs never start (tests store solved
    weeks themselves): yield its TestClient, for a module-scoped fixture."""
    from fastapi.testclient import TestClient

    from api.http.app import create_app
    from api.http.settings import Settings

    folder = tmp_path_factory.mktemp(name)
    with TestClient(create_app(Settings(database_url=f"sqlite:///{folder / 'service.db'}"))) as client:
        client.app.state.service.jobs.submit = lambda _job_id: None
        yield client
