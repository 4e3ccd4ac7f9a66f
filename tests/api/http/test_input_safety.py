"""The service under hostile input: a workbook declaring a huge sheet, keyless bodies,
malformed actuals and re-plans, impossible weeks, control characters in names, tables
over their limits, and the department folder uploaded as it is (files or a zip)."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import io
import json
import re
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.http.app import create_app
from api.http.settings import Settings
from api.http.storage import DepartmentRecord
from tests.api.http.support import WEEK, department_body, wait_for_job
from tests.locations import SAMPLE

SOLVE_SECONDS = 2
MEMORY_BUDGET = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("safety")
    return Settings(
        database_url=f"sqlite:///{folder / 'safety.db'}",
        default_time_limit_s=SOLVE_SECONDS,
        max_time_limit_s=15,
        max_leave_rows=50,
        max_archive_entries=8,
        max_unpacked_bytes=5_000_000,
    )


@pytest.fixture(scope="module")
def client(settings: Settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def solved(client: TestClient) -> dict[str, Any]:
    """A stored two-manager department and its solved week."""
    department = client.post("/v1/departments", json=department_body())
    assert department.status_code == 201, department.text
    job = client.post(
        f"/v1/departments/{department.json()['id']}/timetables",
        json={"week_start": WEEK.isoformat(), "time_limit": SOLVE_SECONDS},
    )
    assert job.status_code == 202, job.text
    status = wait_for_job(client, job.json()["id"], timeout_s=90)
    assert status["status"] in ("optimal", "feasible"), status
    return {"department_id": department.json()["id"], "job": status}


def resident_bytes() -> int:
    """This process's resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


class PeakMemory:
    """The highest resident memory seen while the block runs (sampled every 5 ms)."""

    def __init__(self) -> None:
        self.peak = 0
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, resident_bytes())
            time.sleep(0.005)

    def __enter__(self) -> PeakMemory:
        self.before = resident_bytes()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, resident_bytes())


def oversized_workbook(dimension: str = "A1:XFD1048576") -> bytes:
    """A few kilobytes of .xlsx whose sheet declares `dimension`, one cell in its last row."""
    workbook = openpyxl.Workbook()
    workbook.active.title = "managers"
    workbook.active["A1"] = "id"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    last = dimension.split(":")[1]
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>',
                 parts["xl/worksheets/sheet1.xml"].decode("utf-8"))
    xml = xml.replace("</sheetData>", f'<row r="{re.sub("[A-Z]", "", last)}"><c r="{last}" '
                      't="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    parts["xl/worksheets/sheet1.xml"] = xml.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


# ---------------------------------------------------------------------------
# The workbook that declares a million rows


@pytest.mark.parametrize("dimension", ["A1:Z1048576", "A1:XFD1048576"])
def test_a_workbook_declaring_a_huge_sheet_is_refused_in_bounded_memory(
    client: TestClient, dimension: str
) -> None:
    """openpyxl would pad to the declared dimension (gigabytes); the service reads the
    rows that are there, refuses the far cell with 422 and stays within +100 MB."""
    content = oversized_workbook(dimension)
    assert len(content) < 10_000
    with PeakMemory() as memory:
        response = client.post(
            "/v1/departments/import",
            data={"name": "x", "office_lat": "30.6", "office_lon": "104.0", "policy": "15-13-7",
                  "market_manager": "x"},
            files={"workbook": ("big.xlsx", content)},
        )
    grown = memory.peak - memory.before
    print(f"{dimension}: RSS before {memory.before / 2**20:.0f} MB, peak {memory.peak / 2**20:.0f} MB, "
          f"grown {grown / 2**20:.1f} MB")
    assert response.status_code == 422, response.text
    assert "rows, this service's limit" in response.json()["detail"][0]["message"]
    assert response.json()["detail"][0]["file"] == "big.xlsx, sheet managers"
    assert grown < MEMORY_BUDGET


# ---------------------------------------------------------------------------
# The key before the body


@pytest.fixture(scope="module")
def keyed_app(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("keyed")
    keys = folder / "keys"
    keys.write_text("good-key = *\n", encoding="utf-8")
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'k.db'}", api_keys_file=keys))
    with TestClient(app) as test_client:
        yield app, test_client


def send_streaming(app: Any, headers: list[tuple[bytes, bytes]], chunks: int, chunk: bytes) -> dict[str, Any]:
    """Drive the ASGI app with a body of `chunks` chunks; record how many it took."""
    taken = 0
    answer: dict[str, Any] = {"status": None, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal taken
        if taken >= chunks:
            await asyncio.sleep(3600)  # the client waits; the app should not
        taken += 1
        return {"type": "http.request", "body": chunk, "more_body": taken < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/departments/import", "raw_path": b"/v1/departments/import",
             "root_path": "", "query_string": b"", "server": ("127.0.0.1", 8000),
             "client": ("127.0.0.1", 50000),
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"multipart/form-data; boundary=x"),
                         (b"content-length", str(chunks * len(chunk)).encode()), *headers]}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=10))
    answer["taken"] = taken
    return answer


def test_a_keyless_upload_is_refused_before_its_body_is_read(keyed_app: Any) -> None:
    """19 MB without a key (or with an unknown one): 401, and not one chunk received."""
    app, _ = keyed_app
    for headers in ([], [(b"authorization", b"Bearer wrong-key")], [(b"authorization", b"Basic abc")]):
        answer = send_streaming(app, headers, chunks=19, chunk=b"x" * 2**20)
        assert answer["status"] == 401, answer
        assert answer["taken"] == 0
    with_key = send_streaming(app, [(b"authorization", b"Bearer good-key")], chunks=2, chunk=b"x" * 1024)
    assert with_key["taken"] == 2 and with_key["status"] != 401  # read, then refused as a bad form


def test_invalid_json_without_a_key_is_401_not_422(keyed_app: Any) -> None:
    _, client = keyed_app
    response = client.post("/v1/departments", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/healthz").status_code == 200  # outside /v1: no key needed
    keyed = client.post("/v1/departments", content=b"{not json",
                        headers={"content-type": "application/json", "authorization": "Bearer good-key"})
    assert keyed.status_code == 422


# ---------------------------------------------------------------------------
# Actuals and re-plans: the whole request checked before anything is stored or solved


def stored_actuals(settings: Settings, client: TestClient, department_id: str) -> list[dict[str, Any]]:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    return store.actuals_of_week(department_id, WEEK)


def test_malformed_actuals_answer_422_and_store_nothing(
    client: TestClient, settings: Settings, solved: dict[str, Any]
) -> None:
    job = solved["job"]
    block = next(b for b in job["timetable"]["blocks"] if b["kind"] != "lunch")
    row = {"manager": block["manager"], "date": block["date"], "record": "block", "kind": block["kind"],
           "start": block["start"] if isinstance(block["start"], str) else f"{block['start'] // 60:02d}:"
           f"{block['start'] % 60:02d}",
           "end": block["end"] if isinstance(block["end"], str) else f"{block['end'] // 60:02d}:"
           f"{block['end'] % 60:02d}",
           "status": "done"}
    before = stored_actuals(settings, client, solved["department_id"])
    bad_bodies = [
        {"routes": {"routes": "not a list"}},
        {"routes": {"routes": [{"manager": "m01", "date": "someday", "stops": [{"retailer": 5}]}]}},
        {"routes": {"routes": [{"manager": "m99", "date": WEEK.isoformat(),
                                "stops": [{"kind": "visit", "retailer": "R0100", "start": "25:99"}]}]}},
        {"routes": {"unvisited": [{"retailer": "nobody"}]}},
        {"carried_in": {"R-unknown": 1}},
        {"carried_in": {"R0100": -2}},
    ]
    for extra in bad_bodies:
        response = client.post("/v1/actuals", json={"timetable": job["id"], "rows": [row], **extra})
        assert response.status_code == 422, (extra, response.text)
        assert all(p["loc"][:2] in (["body", "routes"], ["body", "carried_in"])
                   for p in response.json()["detail"])
        assert stored_actuals(settings, client, solved["department_id"]) == before
    good = client.post("/v1/actuals", json={"timetable": job["id"], "rows": [row],
                                             "carried_in": {"R0100": 1}})
    assert good.status_code == 200, good.text
    assert len(stored_actuals(settings, client, solved["department_id"])) == len(before) + 1


def test_a_replan_with_malformed_routes_is_422_before_any_solve(
    client: TestClient, solved: dict[str, Any]
) -> None:
    store = client.app.state.service.store  # type: ignore[attr-defined]
    queued = store.count_jobs_in(("queued", "running", "done", "failed"))
    now = dt.datetime.combine(WEEK + dt.timedelta(days=2), dt.time(13, 0))
    started = time.monotonic()
    response = client.post(f"/v1/timetables/{solved['job']['id']}/replan", json={
        "now": now.isoformat(), "time_limit": SOLVE_SECONDS, "events": [],
        "routes": {"routes": [{"manager": "m01", "date": "2026-13-40", "stops": "x"}]}})
    assert response.status_code == 422, response.text
    assert {tuple(p["loc"]) for p in response.json()["detail"]} == {
        ("body", "routes", "routes", 0, "date"), ("body", "routes", "routes", 0, "stops")}
    assert time.monotonic() - started < SOLVE_SECONDS
    assert store.count_jobs_in(("queued", "running", "done", "failed")) == queued


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-27"])
def test_a_week_at_the_ends_of_the_calendar_is_422(client: TestClient, solved: dict[str, Any],
                                                    week: str) -> None:
    department = solved["department_id"]
    for path in (f"/v1/departments/{department}/timetables", f"/v1/departments/{department}/routes"):
        response = client.post(path, json={"week_start": week})
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["column"] == "week_start"


# ---------------------------------------------------------------------------
# Names and sizes


def test_control_characters_in_names_are_refused_with_row_and_column(client: TestClient) -> None:
    body = department_body()
    body["managers"][0]["name"] = "经理1\r\nATTENDEE:mailto:x@example.com"
    body["retailers"][1]["name"] = "便\x0b利店"
    body["retailers"][2]["name"] = "便利店\ud800"
    response = client.post("/v1/departments", content=json.dumps(body).encode("ascii"),
                           headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    found = {(p["file"], p["row"], p["column"]) for p in response.json()["detail"]}
    assert found == {("managers", 2, "name"), ("retailers", 3, "name"), ("retailers", 4, "name")}


def test_leave_and_history_have_row_limits(client: TestClient) -> None:
    body = department_body(leave=[{"manager": "m01", "date": WEEK.isoformat()}] * 51)
    response = client.post("/v1/departments", json=body)
    assert response.status_code == 413
    assert response.json()["limit"] == 50


# ---------------------------------------------------------------------------
# The department folder as it is


def folder_files() -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (path.name, path.read_bytes())) for path in sorted(SAMPLE.iterdir()) if path.is_file()]


def zipped(entries: dict[str, bytes], **infos: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = infos.get(name, 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, data)
    return buffer.getvalue()


def test_the_sample_folder_uploaded_as_it_is_imports_and_plans(client: TestClient) -> None:
    """department.toml with the CSV files, no form fields: 201, then its week is queued
    (solving over HTTP is tested in test_api.py on small departments, the sample's week by
    the engine's and commands' tests)."""
    response = client.post("/v1/departments/import", files=folder_files())
    assert response.status_code == 201, response.text
    stored = response.json()["department"]
    assert stored["name"] == "城区营销部第一市场部" and stored["policy"] == "15-13-7"
    job = client.post(f"/v1/departments/{response.json()['id']}/timetables",
                      json={"week_start": WEEK.isoformat(), "time_limit": 7})
    assert job.status_code == 202, job.text
    assert client.delete(f"/v1/jobs/{job.json()['id']}").status_code == 200


def test_a_zip_of_the_folder_imports_and_form_fields_override(client: TestClient) -> None:
    entries = {f"sample/{path.name}": path.read_bytes() for path in SAMPLE.iterdir() if path.is_file()}
    response = client.post("/v1/departments/import", data={"name": "改名的市场部"},
                           files={"folder": ("sample.zip", zipped(entries))})
    assert response.status_code == 201, response.text
    assert response.json()["department"]["name"] == "改名的市场部"
    assert response.json()["department"]["market_manager"] == "李建国"


def test_a_zip_that_is_no_folder_is_refused(client: TestClient) -> None:
    files = {path.name: path.read_bytes() for path in SAMPLE.iterdir() if path.is_file()}
    climbing = zipped({**files, "../../etc/cron.d/x": b"x"})
    absolute = zipped({**files, "/etc/passwd": b"x"})
    link = zipped({**files, "leave.csv": b"/etc/passwd"}, **{"leave.csv": 0o120777})
    for bundle in (climbing, absolute, link):
        response = client.post("/v1/departments/import", files={"folder": ("d.zip", bundle)})
        assert response.status_code == 422, response.text
    many = zipped({**files, **{f"note{i}.txt": b"x" for i in range(8)}})
    assert client.post("/v1/departments/import", files={"folder": ("d.zip", many)}).status_code == 413
    bomb = zipped({**files, "retailers.csv": b"0" * 6_000_000})
    assert len(bomb) < 100_000
    answer = client.post("/v1/departments/import", files={"folder": ("d.zip", bomb)})
    assert answer.status_code == 413 and answer.json()["limit"] == 5_000_000


def test_a_folder_naming_a_policy_path_on_the_server_is_refused(client: TestClient) -> None:
    files = [entry for entry in folder_files() if entry[1][0] != "department.toml"]
    toml = (SAMPLE / "department.toml").read_text(encoding="utf-8").replace(
        'policy = "15-13-7"', 'policy = "/etc/fieldweek/secret.toml"')
    response = client.post("/v1/departments/import",
                           files=[*files, ("files", ("department.toml", toml.encode("utf-8")))])
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["file"] == "department.toml"
    assert response.json()["detail"][0]["column"] == "policy"


def test_exports_never_carry_control_characters(client: TestClient, solved: dict[str, Any]) -> None:
    """Defence behind the loader: a name that reached the store with a line break still
    gives a calendar without an injected line and a workbook that opens."""
    store = client.app.state.service.store  # type: ignore[attr-defined]
    record = store.department(solved["department_id"])
    document = copy.deepcopy(record.department)
    document["managers"][0]["name"] = "经理1\r\nATTENDEE:mailto:x@example.com\x01"
    with store.sessions.begin() as session:
        session.execute(update(DepartmentRecord).where(DepartmentRecord.id == record.id)
                        .values(department=document))
    job_id = solved["job"]["id"]
    manager = document["managers"][0]["id"]
    calendar = client.get(f"/v1/timetables/{job_id}.ics", params={"manager": manager})
    assert calendar.status_code == 200, calendar.text
    assert not any(line.startswith("ATTENDEE") for line in calendar.text.splitlines())
    workbook = client.get(f"/v1/timetables/{job_id}.xlsx")
    assert workbook.status_code == 200, workbook.text
    openpyxl.load_workbook(io.BytesIO(workbook.content))
