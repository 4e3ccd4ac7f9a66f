"""The HTTP API against a temporary SQLite store: departments in and out (JSON, workbook,
CSV), bad input named by file/row/column, limits, unknown ids, timetable jobs solved in a
worker process, exports of a solved job, API keys and recovery after a restart."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.http.app import create_app
from api.http.settings import Settings
from api.http.storage import Store
from engine.domain import Department, Timetable
from engine.errors import InputError
from engine.load import department_from_tables, write_department
from engine.policy import load_policy
from tests.api.http.support import WEEK, department_body, wait_for_job, wait_for_result
from tests.locations import POLICIES

SOLVE_SECONDS = 3


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A service on a fresh SQLite file with small limits, so the limits can be hit cheaply."""
    folder = tmp_path_factory.mktemp("api")
    return Settings(
        database_url=f"sqlite:///{folder / 'api.db'}",
        max_body_bytes=400_000,
        max_managers=8,
        max_retailers=200,
        default_time_limit_s=SOLVE_SECONDS,
        max_time_limit_s=10,
        solver_threads=2,
        default_route_time_limit_s=3,
        max_route_time_limit_s=10,
    )


@pytest.fixture(scope="module")
def client(settings: Settings):
    """A TestClient on the app (its lifespan runs, so worker pools are shut down after the module)."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def department_id(client: TestClient) -> str:
    """A stored two-manager department."""
    response = client.post("/v1/departments", json=department_body())
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
def solved_job(client: TestClient, department_id: str) -> dict:
    """The department's week, solved through the API (status optimal or feasible)."""
    response = client.post(
        f"/v1/departments/{department_id}/timetables",
        json={"week_start": WEEK.isoformat(), "time_limit": SOLVE_SECONDS},
    )
    assert response.status_code == 202, response.text
    status = wait_for_job(client, response.json()["id"], timeout_s=90)
    assert status["status"] in ("optimal", "feasible"), status
    return status


# ---------------------------------------------------------------------------
# Departments


def test_department_is_stored_and_read_back_unchanged(client: TestClient) -> None:
    """POST returns the stored department with an id; GET returns the same document."""
    body = department_body()
    created = client.post("/v1/departments", json=body)
    assert created.status_code == 201
    stored = created.json()
    fetched = client.get(f"/v1/departments/{stored['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == stored
    document = stored["department"]
    assert document["name"] == body["name"] and document["policy"] == "15-13-7"
    assert [m["id"] for m in document["managers"]] == ["m01", "m02"]
    assert document["retailers"][0]["opens"] == "08:00" and document["retailers"][0]["class"] == "A"
    assert stored["id"] in {d["id"] for d in client.get("/v1/departments").json()}


def test_stored_department_can_be_sent_again(client: TestClient, department_id: str) -> None:
    """The `department` of a GET is itself a valid POST body (round trip)."""
    document = client.get(f"/v1/departments/{department_id}").json()["department"]
    again = client.post("/v1/departments", json=document)
    assert again.status_code == 201, again.text
    assert again.json()["department"] == document


def test_bad_department_lists_every_problem_with_the_loaders_words(client: TestClient) -> None:
    """Every bad value comes back at once, each with file, row, column and the loader's message."""
    body = department_body()
    body["retailers"][1]["closes"] = "07:00"
    body["retailers"][2]["lat"] = "north"
    body["managers"].append({"id": "m01", "name": "重复", "years": 3})
    body["colour"] = "blue"
    response = client.post("/v1/departments", json=body)
    assert response.status_code == 422
    problems = response.json()["detail"]
    by_column = {(p["file"], p["row"], p["column"]): p for p in problems}
    assert (
        by_column[("retailers", 3, "closes")]["message"]
        == "closes (07:00) must be after opens (08:00)"
    )
    assert by_column[("retailers", 3, "closes")]["loc"] == ["body", "retailers", 1, "closes"]
    assert by_column[("retailers", 4, "lat")]["message"] == "lat 'north' is not a number"
    assert by_column[("managers", 4, "id")]["message"] == "id 'm01' is already used on row 2"
    assert ("department", None, "colour") in by_column

    # The same rows given to the loader directly produce the same messages.
    text_rows = [{k: str(v) for k, v in row.items()} for row in body["retailers"]]
    with pytest.raises(InputError) as loader:
        department_from_tables(
            {k: body[k] for k in ("name", "office", "policy", "market_manager")},
            {
                "managers": [
                    {k: str(v) for k, v in m.items() if k != "skills"} for m in body["managers"]
                ],
                "retailers": text_rows,
            },
            "{table}",
            meta_where="department",
        )
    loader_messages = {(p.file, p.row, p.column): p.message for p in loader.value.problems}
    for key in [("retailers", 3, "closes"), ("retailers", 4, "lat"), ("managers", 4, "id")]:
        assert loader_messages[key] == by_column[key]["message"]


@pytest.mark.parametrize(
    "body, column",
    [
        ([1, 2], None),
        ({"name": "x"}, "office"),
    ],
)
def test_malformed_department_bodies_are_422(
    client: TestClient, body: object, column: str | None
) -> None:
    """A body that is not a department object, or lacks settings, is a 422 naming what is missing."""
    response = client.post("/v1/departments", json=body)
    assert response.status_code == 422
    columns = {p["column"] for p in response.json()["detail"]}
    if column:
        assert column in columns


def test_invalid_json_is_422_not_500(client: TestClient) -> None:
    """A body that is not JSON at all is refused with 422 in the same problem shape."""
    response = client.post(
        "/v1/departments", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["message"].startswith("not valid JSON")


def test_policy_must_be_built_in_or_sent_along(client: TestClient) -> None:
    """A policy named by a path is refused (the service reads no files for callers)."""
    response = client.post(
        "/v1/departments", json=department_body(policy="/etc/fieldweek/secret.toml")
    )
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["column"] == "policy" and "15-13-7" in problem["message"]


def test_department_with_its_own_policy(client: TestClient) -> None:
    """A policy sent as an object is checked, used for the retailers and stored inline."""
    policy = load_policy("15-13-7").model_dump(mode="json")
    policy["name"] = "east-district"
    policy["route"]["min_service_min"] = 12  # the retailers' 10 minutes are now too short
    response = client.post("/v1/departments", json=department_body(policy=policy))
    assert response.status_code == 422
    assert any(
        p["column"] == "service_min" and "at least 12" in p["message"]
        for p in response.json()["detail"]
    )

    policy["route"]["min_service_min"] = 8
    created = client.post("/v1/departments", json=department_body(policy=policy))
    assert created.status_code == 201, created.text
    assert created.json()["department"]["policy"]["name"] == "east-district"

    broken = copy.deepcopy(policy)
    broken["grid_minutes"] = 0
    response = client.post("/v1/departments", json=department_body(policy=broken))
    assert response.status_code == 422
    assert response.json()["detail"][0]["file"] == "policy"


def _workbook_bytes(body: dict) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in ("managers", "retailers", "leave", "history"):
        sheet = workbook.create_sheet(table)
        rows = body[table]
        columns = list(dict.fromkeys(key for row in rows for key in row)) or ["manager", "date"]
        sheet.append(columns)
        for row in rows:
            sheet.append(
                [";".join(v) if isinstance(v, list) else v for v in (row.get(c) for c in columns)]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FORM = {
    "name": "测试市场部",
    "office_lat": "30.6921",
    "office_lon": "104.0874",
    "policy": "15-13-7",
    "market_manager": "李建国",
}


def test_import_workbook_gives_the_same_department_as_json(client: TestClient) -> None:
    """An .xlsx with one sheet per table, plus form fields, stores the same department as the JSON body."""
    body = department_body()
    response = client.post(
        "/v1/departments/import",
        data=FORM,
        files={"workbook": ("dept.xlsx", _workbook_bytes(body))},
    )
    assert response.status_code == 201, response.text
    from_json = client.post("/v1/departments", json=body).json()["department"]
    assert response.json()["department"] == from_json


def test_import_workbook_problems_name_the_sheet_and_row(client: TestClient) -> None:
    """A bad cell in a workbook is reported with the workbook and sheet, row and column."""
    body = department_body()
    body["retailers"][0]["area"] = "suburb"
    response = client.post(
        "/v1/departments/import",
        data={**FORM, "office_lat": "north"},
        files={"workbook": ("east.xlsx", _workbook_bytes(body))},
    )
    assert response.status_code == 422
    problems = {(p["file"], p["row"], p["column"]): p["message"] for p in response.json()["detail"]}
    assert (
        problems[("east.xlsx, sheet retailers", 2, "area")]
        == "area must be town or country, not 'suburb'"
    )
    assert problems[("form", None, "office_lat")] == "office_lat 'north' is not a number"


def test_import_csv_files(client: TestClient, tmp_path: Path) -> None:
    """The CSV files of a department folder (as `write_department` writes them) import as is."""
    body = department_body()
    department = Department.model_validate(body)
    write_department(department, tmp_path)
    files = {
        table: (f"{table}.csv", (tmp_path / f"{table}.csv").read_bytes())
        for table in ("managers", "retailers", "leave", "history")
    }
    response = client.post("/v1/departments/import", data=FORM, files=files)
    assert response.status_code == 201, response.text
    assert len(response.json()["department"]["retailers"]) == len(body["retailers"])

    missing = client.post(
        "/v1/departments/import",
        data={k: v for k, v in FORM.items() if k != "name"},
        files={"managers": files["managers"]},
    )
    assert missing.status_code == 422
    messages = {p["message"] for p in missing.json()["detail"]}
    assert "name is missing" in messages and "retailers.csv is missing" in messages


def test_import_needs_a_workbook_or_csv_files(client: TestClient) -> None:
    """An import with no file at all is a 422 saying what to send."""
    response = client.post("/v1/departments/import", data=FORM)
    assert response.status_code == 422
    assert "workbook" in response.json()["detail"][0]["message"]


# ---------------------------------------------------------------------------
# Limits and unknown ids


def test_limits_answer_413_with_the_limit(client: TestClient, department_id: str) -> None:
    """Too big a body, too many managers or retailers, or too long a time limit: 413 naming the limit."""
    huge = department_body(retailers_each=40)
    huge["retailers"][0]["name"] = "x" * 500_000
    response = client.post("/v1/departments", json=huge)
    assert response.status_code == 413 and response.json()["limit"] == 400_000

    response = client.post("/v1/departments", json=department_body(managers=9))
    assert response.status_code == 413 and response.json()["limit"] == 8
    response = client.post("/v1/departments", json=department_body(managers=2, retailers_each=101))
    assert response.status_code == 413 and "retailers" in response.json()["detail"]

    response = client.post(
        f"/v1/departments/{department_id}/timetables",
        json={"week_start": WEEK.isoformat(), "time_limit": 600},
    )
    assert response.status_code == 413 and response.json()["limit"] == 10


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/v1/departments/d-none"),
        ("post", "/v1/departments/d-none/timetables"),
        ("post", "/v1/departments/d-none/routes"),
        ("get", "/v1/timetables/t-none"),
        ("get", "/v1/timetables/t-none.xlsx"),
        ("get", "/v1/timetables/t-none.ics"),
        ("get", "/v1/timetables/t-none.html"),
        ("get", "/v1/jobs/j-none"),
        ("delete", "/v1/jobs/j-none"),
        ("post", "/v1/timetables/t-none/replan"),
    ],
)
def test_unknown_ids_are_404(client: TestClient, method: str, path: str) -> None:
    """An id that does not exist answers 404 with a message, never 500."""
    body = {"json": {"week_start": WEEK.isoformat()}} if method == "post" else {}
    if path.endswith("/replan"):
        body = {"json": {"now": f"{WEEK}T12:00"}}
    response = getattr(client, method)(path, **body)
    assert response.status_code == 404
    assert "none" in response.json()["detail"]


def test_timetable_request_is_checked(client: TestClient, department_id: str) -> None:
    """week_start must be a Monday, time_limit positive, policy a built-in name; else 422 naming the field."""
    path = f"/v1/departments/{department_id}/timetables"
    tuesday = client.post(path, json={"week_start": (WEEK + dt.timedelta(days=1)).isoformat()})
    assert tuesday.status_code == 422
    assert tuesday.json()["detail"][0]["column"] == "week_start"
    assert "Monday" in tuesday.json()["detail"][0]["message"]
    negative = client.post(path, json={"week_start": WEEK.isoformat(), "time_limit": -1})
    assert negative.status_code == 422 and negative.json()["detail"][0]["column"] == "time_limit"
    unknown = client.post(path, json={"week_start": WEEK.isoformat(), "policy": "nine-to-five"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["column"] == "policy"


# ---------------------------------------------------------------------------
# Timetable jobs and exports


def test_solved_job_reports_status_progress_and_the_cli_json(solved_job: dict) -> None:
    """A finished job shows its final status, the solver's last objective and bound, and the
    timetable as `fieldweek timetable --json` writes it."""
    assert solved_job["progress"]["objective"] is not None
    assert solved_job["progress"]["bound"] <= solved_job["progress"]["objective"] + 1e-6
    timetable = Timetable.model_validate(solved_job["timetable"])
    assert timetable.to_json_dict() == solved_job["timetable"]
    assert {b.manager for b in timetable.blocks} == {"m01", "m02"}
    assert solved_job["finished_at"] is not None and solved_job["reason"] is None


def test_xlsx_export_has_overview_and_a_sheet_per_manager(
    client: TestClient, solved_job: dict
) -> None:
    """The 周工作时间安排表 workbook: overview first, one sheet per manager, Chinese by default, English on ?lang=en."""
    response = client.get(f"/v1/timetables/{solved_job['id']}.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["部门总览", "m01 经理1", "m02 经理2"]
    texts = {str(c.value) for row in workbook["m01 经理1"].iter_rows() for c in row if c.value}
    assert any(t.startswith("个人拜访") for t in texts)
    english = openpyxl.load_workbook(
        io.BytesIO(
            client.get(f"/v1/timetables/{solved_job['id']}.xlsx", params={"lang": "en"}).content
        )
    )
    assert english.sheetnames[0] == "Overview"
    assert (
        client.get(f"/v1/timetables/{solved_job['id']}.xlsx", params={"lang": "fr"}).status_code
        == 422
    )


def test_ics_export_one_calendar_per_manager(client: TestClient, solved_job: dict) -> None:
    """?manager=ID gives that manager's calendar (every block but lunch); no manager gives a zip of all."""
    timetable = Timetable.model_validate(solved_job["timetable"])
    response = client.get(f"/v1/timetables/{solved_job['id']}.ics", params={"manager": "m01"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/calendar"
    )
    events = Calendar.from_ical(response.content).walk("VEVENT")
    expected = [b for b in timetable.blocks if b.manager == "m01" and b.kind != "lunch"]
    assert len(events) == len(expected)
    assert (
        client.get(f"/v1/timetables/{solved_job['id']}.ics", params={"manager": "m99"}).status_code
        == 422
    )
    bundle = zipfile.ZipFile(
        io.BytesIO(client.get(f"/v1/timetables/{solved_job['id']}.ics").content)
    )
    assert sorted(bundle.namelist()) == [f"m01-{WEEK}.ics", f"m02-{WEEK}.ics"]


def test_html_export_draws_every_block(client: TestClient, solved_job: dict) -> None:
    """The printable page has one positioned element per block of the timetable."""
    response = client.get(f"/v1/timetables/{solved_job['id']}.html")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.text.count('class="block ') == len(solved_job["timetable"]["blocks"])


def test_exports_of_an_unfinished_job_are_409(client: TestClient, department_id: str) -> None:
    """A job without a timetable yet (here: queued, never handed to a worker) cannot be exported."""
    store = client.app.state.service.store
    job = store.add_job(department_id, WEEK, load_policy("15-13-7").model_dump(mode="json"), 1.0)
    for suffix in (".xlsx", ".ics", ".html"):
        response = client.get(f"/v1/timetables/{job.id}{suffix}")
        assert response.status_code == 409 and "waiting" in response.json()["detail"]
    store.finish_job(job.id, "failed", reason="test over")


def test_job_without_a_plan_in_time_fails_with_a_reason(
    client: TestClient, settings: Settings
) -> None:
    """A week the solver cannot plan within its time limit ends `failed` with the solver's words.
    The job is stored without searching on for a first week (as rows stored before it were):
    asked by POST, a limit this short searches on up to the service's ceiling."""
    response = client.post("/v1/departments", json=department_body(managers=6, retailers_each=4))
    department = response.json()["id"]
    service = client.app.state.service
    job = service.store.add_job(department, WEEK, load_policy("15-13-7").model_dump(mode="json"), 0.05)
    service.jobs.submit_timetable(job.id)
    status = wait_for_job(client, job.id, timeout_s=60)
    assert status["status"] == "failed"
    assert "no timetable found" in status["reason"]


# ---------------------------------------------------------------------------
# Restart and access


def test_restart_fails_running_jobs_and_requeues_waiting_ones(
    settings: Settings, tmp_path: Path
) -> None:
    """A new app on a store a previous run left (one job running, one queued) fails the
    running one (never stuck) and solves the queued one."""
    restarted = replace(settings, database_url=f"sqlite:///{tmp_path / 'restart.db'}")
    store = Store(restarted.database_url)
    store.create_tables()
    department_id = store.add_department(
        Department.model_validate(department_body()).model_dump(mode="json", by_alias=True),
        None, None,
    ).id
    policy = load_policy("15-13-7").model_dump(mode="json")
    running = store.add_job(department_id, WEEK, policy, SOLVE_SECONDS)
    assert store.start_job(running.id, "a-worker-of-the-old-run") is not None
    waiting = store.add_job(department_id, WEEK, policy, SOLVE_SECONDS)

    with TestClient(create_app(restarted)) as client:
        after = client.get(f"/v1/timetables/{running.id}").json()
        assert after["status"] == "failed" and after["reason"] == "service restarted"
        assert wait_for_job(client, waiting.id, timeout_s=90)["status"] in ("optimal", "feasible")
    # A late write from the old run's worker cannot overwrite the failure.
    assert not store.finish_job(running.id, "optimal", runner="a-worker-of-the-old-run")
    store.close()


def test_api_keys_limit_each_key_to_its_departments(settings: Settings, tmp_path: Path) -> None:
    """With a keys file, /v1 needs a known key; a department key sees its own departments and
    those it creates, others are 404 and absent from lists; the admin key sees all."""
    keys = tmp_path / "keys"
    keyed_database = f"sqlite:///{tmp_path / 'keys.db'}"  # one service per database
    admin, east, west = "admin-key-0123456789", "east-key-0123456789", "west-key-0123456789"
    keys.write_text(f"# who may call\n{admin} = *\n{east} = d-placeholder   # east district\n")
    with TestClient(
        create_app(Settings(database_url=keyed_database, api_keys_file=keys))
    ) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/departments").status_code == 401
        assert (
            client.get("/v1/departments", headers={"Authorization": "Bearer nope"}).status_code
            == 401
        )
        as_east = {"Authorization": f"Bearer {east}"}
        created = client.post("/v1/departments", json=department_body(), headers=as_east).json()[
            "id"
        ]
        by_admin = client.post(
            "/v1/departments", json=department_body(), headers={"Authorization": f"Bearer {admin}"}
        ).json()["id"]
        assert client.get(f"/v1/departments/{created}", headers=as_east).status_code == 200
        assert client.get(f"/v1/departments/{by_admin}", headers=as_east).status_code == 404
        listed = {d["id"] for d in client.get("/v1/departments", headers=as_east).json()}
        assert created in listed and by_admin not in listed
        assert (
            client.post(
                f"/v1/departments/{by_admin}/timetables",
                json={"week_start": WEEK.isoformat()},
                headers=as_east,
            ).status_code
            == 404
        )
        every = {
            d["id"]
            for d in client.get(
                "/v1/departments", headers={"Authorization": f"Bearer {admin}"}
            ).json()
        }
        assert {created, by_admin} <= every

    keys.write_text(f"{admin} = *\n{west} = {by_admin}\n")
    with TestClient(
        create_app(Settings(database_url=keyed_database, api_keys_file=keys))
    ) as client:
        as_west = {"Authorization": f"Bearer {west}"}
        assert client.get(f"/v1/departments/{by_admin}", headers=as_west).status_code == 200
        assert client.get(f"/v1/departments/{created}", headers=as_west).status_code == 404


def test_keys_file_errors_name_the_line() -> None:
    """A malformed keys file is refused at start with its line number."""
    from api.http.access import ApiKeys

    with pytest.raises(ValueError, match="line 2"):
        ApiKeys.parse("good-key = *\nno equals sign here\n")
    with pytest.raises(ValueError, match="listed twice"):
        ApiKeys.parse("k = *\nk = d1\n")


# ---------------------------------------------------------------------------
# Routes


def test_routes_request_is_checked(
    client: TestClient, department_id: str, solved_job: dict
) -> None:
    """A day outside the week or an unknown manager is 422, too long a time limit 413, a week
    without a solved timetable 409, an unknown timetable job 404."""
    path = f"/v1/departments/{department_id}/routes"
    week = WEEK.isoformat()
    outside = client.post(
        path, json={"week_start": week, "day": (WEEK + dt.timedelta(days=9)).isoformat()}
    )
    assert outside.status_code == 422 and outside.json()["detail"][0]["column"] == "day"
    sunday = client.post(path, json={"week_start": week, "day": (WEEK + dt.timedelta(days=6)).isoformat()})
    assert sunday.status_code == 422 and "not a working day" in sunday.json()["detail"][0]["message"]
    stranger = client.post(path, json={"week_start": week, "manager": "m77"})
    assert stranger.status_code == 422 and stranger.json()["detail"][0]["column"] == "manager"
    too_long = client.post(path, json={"week_start": week, "time_limit": 100})
    assert too_long.status_code == 413 and too_long.json()["limit"] == 10
    unsolved = client.post(path, json={"week_start": (WEEK + dt.timedelta(days=7)).isoformat()})
    assert unsolved.status_code == 409 and "timetables first" in unsolved.json()["detail"]
    assert client.post(path, json={"week_start": week, "timetable": "t-none"}).status_code == 404
    no_map = client.get(
        "/v1/routes/map.html",
        params={
            "department": department_id,
            "week_start": (WEEK + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert no_map.status_code == 409


def test_routes_of_a_solved_week_and_their_map(
    client: TestClient, department_id: str, solved_job: dict
) -> None:
    """Routes for one manager's day come back as the CLI's routes JSON, and the map page draws
    every stop of that stored plan (in the page itself, not only in the Leaflet map). m01 has
    6 due visits for 5 visit days, so a day may rightly get none (the test asked Monday's and
    failed when the week put them elsewhere): the first of his visit days with a stop."""
    days = sorted({b["date"] for b in solved_job["timetable"]["blocks"] if b["manager"] == "m01"
                   and b["kind"] == "visit" and b["start"] != b["end"]})
    own = {r["id"] for r in department_body()["retailers"] if r["manager"] == "m01"}
    for day in days:
        body = {"week_start": WEEK.isoformat(), "day": day, "manager": "m01", "time_limit": 2}
        job = wait_for_result(client, client.post(f"/v1/departments/{department_id}/routes", json=body))
        assert job["kind"] == "routes" and job["status"] == "done", job
        routes = job["result"]
        assert routes["week_start"] == WEEK.isoformat() and "unvisited" in routes
        assert routes["routes"] and all(
            r["manager"] == "m01" and r["date"] == day for r in routes["routes"]
        )
        stops = [s for r in routes["routes"] for s in r["stops"]]
        if stops:
            break
    assert stops and {s["retailer"] for s in stops} <= own

    page = client.get(
        "/v1/routes/map.html",
        params={
            "department": department_id,
            "week_start": WEEK.isoformat(),
            "day": day,
            "manager": "m01",
        },
    )
    assert page.status_code == 200
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    assert svg.count('class="stop"') == len(stops)


def test_download_names_survive_any_manager_id() -> None:
    """A Chinese or path-like manager id gives a safe, Latin-1 Content-Disposition with the real name in filename*."""
    from api.http.timetables import attachment

    header = attachment("../经理甲/2026-11-23.ics")
    header.encode("latin-1")  # header values must be Latin-1
    assert "/" not in header.split("filename*=")[0] and ".." not in header.split(";")[1]
    assert "filename*=UTF-8''" in header and "%E7%BB%8F%E7%90%86%E7%94%B2" in header


def test_import_csv_with_its_own_policy_file(client: TestClient, tmp_path: Path) -> None:
    """CSV files plus a policy_file (TOML) store the department with that policy inline."""
    department = Department.model_validate(department_body())
    write_department(department, tmp_path)
    policy_text = (POLICIES / "15-13-7.toml").read_text(
        encoding="utf-8"
    )
    policy_text = policy_text.replace('name = "15-13-7"', 'name = "west-district"')
    files = {
        table: (f"{table}.csv", (tmp_path / f"{table}.csv").read_bytes())
        for table in ("managers", "retailers")
    }
    files["policy_file"] = ("west.toml", policy_text.encode("utf-8"))
    response = client.post(
        "/v1/departments/import", data={k: v for k, v in FORM.items() if k != "policy"}, files=files
    )
    assert response.status_code == 201, response.text
    stored = response.json()["department"]["policy"]
    assert stored["name"] == "west-district"
    assert stored == load_policy("15-13-7").model_dump(mode="json") | {"name": "west-district"}

    files["policy_file"] = ("west.toml", b"grid_minutes = [")
    broken = client.post("/v1/departments/import", data=FORM, files=files)
    assert broken.status_code == 422 and broken.json()["detail"][0]["file"] == "west.toml"


def test_full_queue_answers_429(tmp_path: Path) -> None:
    """With as many unfinished jobs as max_pending_jobs, another request is refused with 429."""
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'queue.db'}", max_pending_jobs=1)
    )
    with TestClient(app) as client:
        department = client.post("/v1/departments", json=department_body()).json()["id"]
        store = app.state.service.store
        waiting = store.add_job(
            department, WEEK, load_policy("15-13-7").model_dump(mode="json"), 1.0
        )
        response = client.post(
            f"/v1/departments/{department}/timetables", json={"week_start": WEEK.isoformat()}
        )
        assert response.status_code == 429 and response.headers["Retry-After"]
        store.finish_job(waiting.id, "failed", reason="test over")


def test_body_without_content_length_is_capped_too(client: TestClient) -> None:
    """A chunked body (no Content-Length) over the limit is refused with 413 as well."""

    def chunks():
        for _ in range(50):
            yield b"x" * 10_000

    response = client.post(
        "/v1/departments", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["limit"] == 400_000


def test_replan_answer_carries_the_independent_checker_s_verdict(
    client: TestClient, solved_job: dict
) -> None:
    """m02 off sick from Wednesday 13:00 for the day: the re-plan answers its usual fields
    and a `check` in which the independent checker finds no fault and lists what the
    sickness cost the pair."""
    now = dt.datetime.combine(WEEK + dt.timedelta(days=2), dt.time(13, 0))
    response = client.post(
        f"/v1/timetables/{solved_job['id']}/replan",
        json={"now": now.isoformat(), "time_limit": SOLVE_SECONDS, "events": [
            {"type": "manager_sick", "manager": "m02", "from": now.isoformat(), "until": now.date().isoformat()}]},
    )
    job = wait_for_result(client, response, timeout_s=90)
    assert job["kind"] == "replan" and job["status"] == "done", job
    answer = job["result"]
    assert {"timetable", "diff", "unplaced", "notes", "status", "check"} <= set(answer)
    assert answer["check"]["violations"] == []
    assert answer["check"]["executable"] is True
    assert all(s["lost"] >= s["asked"] - s["planned"] > 0 for s in answer["check"]["shortfalls"])


def test_replan_of_a_closed_store_is_judged_with_the_closure(client: TestClient, solved_job: dict) -> None:
    """The pair's promotion store closes on the day of one of its sessions (re-planned on
    Monday at 07:00): the independent checker is told of the closure, finds nothing held
    there that day and no fault, and any hours lost are the closure's."""
    paired = [b for b in solved_job["timetable"]["blocks"] if b["kind"] in ("promotion", "maintenance")
              and b["retailer"]]
    session = max(paired, key=lambda b: (b["date"], b["start"]))
    now = dt.datetime.combine(WEEK, dt.time(7, 0))
    response = client.post(
        f"/v1/timetables/{solved_job['id']}/replan",
        json={"now": now.isoformat(), "time_limit": SOLVE_SECONDS, "events": [
            {"type": "retailer_closed", "retailer": session["retailer"], "date": session["date"]}]},
    )
    job = wait_for_result(client, response, timeout_s=90)
    assert job["status"] == "done", job
    answer = job["result"]
    assert answer["check"]["violations"] == [] and answer["check"]["executable"] is True
    assert not [b for b in answer["timetable"]["blocks"]
                if b["retailer"] == session["retailer"] and b["date"] == session["date"]]
    assert all(f"{session['retailer']} closed on" in s["message"] for s in answer["check"]["shortfalls"])
