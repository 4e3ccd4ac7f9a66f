"""/v1/departments: store a department (JSON, workbook or CSV files) and read it back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, UploadFile

from api.http.department_input import (
    CheckedDepartment,
    Upload,
    department_from_json,
    department_from_upload,
)
from api.http.problems import PROBLEM_EXAMPLE
from api.http.schemas import BAD_INPUT_RESPONSE, DepartmentSummary, Problems, StoredDepartment
from api.http.service import CallerDep, Service, ServiceDep, visible_department
from api.http.storage import DepartmentRecord

router = APIRouter(prefix="/v1", tags=["departments"], responses=BAD_INPUT_RESPONSE)

BAD_INPUT = {
    422: {
        "model": Problems,
        "description": "bad values, each with its file (table), row, column and reason",
        "content": {"application/json": {"example": PROBLEM_EXAMPLE}},
    },
    413: {"description": "over a configured limit (body size, managers, retailers)"},
}
JSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/DepartmentDocument"}}
        },
    }
}


def department_links(department_id: str) -> dict[str, str]:
    return {
        "self": f"/v1/departments/{department_id}",
        "timetables": f"/v1/departments/{department_id}/timetables",
        "routes": f"/v1/departments/{department_id}/routes",
    }


def stored_department(record: DepartmentRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "created_at": record.created_at,
        "department": record.department,
        "links": department_links(record.id),
    }


def _store(service: Service, checked: CheckedDepartment, owner: str | None) -> dict[str, Any]:
    record = service.store.add_department(checked.document(), checked.own_policy, owner)
    return stored_department(record)


@router.post(
    "/departments",
    status_code=201,
    response_model=StoredDepartment,
    responses=BAD_INPUT,
    openapi_extra=JSON_BODY,
)
def create_department(
    body: Annotated[Any, Body()], service: ServiceDep, caller: CallerDep
) -> dict[str, Any]:
    """Store a department sent as JSON: the keys of department.toml (name, office, policy,
    market_manager, street_network) and one list of rows per table (managers, retailers,
    leave, history, calendar_days: holidays.csv, also taken as `holidays`), each row an
    object of column: value as in the CSV files; `public_calendar` is the policy's
    `calendar`, and may be sent only as that (a stored department reads back as a body).

    Everything is checked by the same loader as `fieldweek` uses for a folder, and every
    bad value is reported at once. Rows are numbered as in a sheet (the first row of a
    list is row 2, row 1 being the header); `loc` gives the position in the body.
    """
    checked = department_from_json(body, service.settings)
    return _store(service, checked, caller.fingerprint)


@router.post(
    "/departments/import", status_code=201, response_model=StoredDepartment, responses=BAD_INPUT
)
def import_department(
    service: ServiceDep,
    caller: CallerDep,
    files: Annotated[
        list[UploadFile] | None,
        File(description="the department folder as it is: department.toml, managers.csv, "
             "retailers.csv, leave.csv, history.csv, holidays.csv and the policy file it names; "
             "or one .zip of the folder; or a workbook (.xlsx). Told apart by file name."),
    ] = None,
    name: Annotated[str | None, Form(description="the department's name (overrides department.toml)")] = None,
    office_lat: Annotated[str | None, Form(description="latitude of the office")] = None,
    office_lon: Annotated[str | None, Form(description="longitude of the office")] = None,
    policy: Annotated[str | None, Form(description="a built-in policy name")] = None,
    market_manager: Annotated[str | None, Form(description="the market manager's name")] = None,
    department: Annotated[UploadFile | None, File(description="department.toml")] = None,
    folder: Annotated[UploadFile | None, File(description="a .zip of the department folder")] = None,
    workbook: Annotated[
        UploadFile | None,
        File(description="a workbook with sheets managers, retailers, leave, history, holidays"),
    ] = None,
    managers: Annotated[UploadFile | None, File(description="managers.csv")] = None,
    retailers: Annotated[UploadFile | None, File(description="retailers.csv")] = None,
    leave: Annotated[UploadFile | None, File(description="leave.csv")] = None,
    history: Annotated[UploadFile | None, File(description="history.csv")] = None,
    holidays: Annotated[UploadFile | None, File(description="holidays.csv")] = None,
    policy_file: Annotated[
        UploadFile | None,
        File(description="the department's own policy (TOML), instead of a built-in one"),
    ] = None,
) -> dict[str, Any]:
    """Store a department uploaded as its folder is: department.toml with the CSV files
    (each as a file of `files`, or in the fields named after them), one .zip of the
    folder, or a workbook (.xlsx, one sheet per table). Form fields override the
    settings of department.toml, or stand for it. Bad values are reported as for a
    folder: file (or sheet), row, column."""
    fields = {
        "name": name,
        "office_lat": office_lat,
        "office_lon": office_lon,
        "policy": policy,
        "market_manager": market_manager,
    }
    named = {
        "department.toml": department,
        "managers.csv": managers,
        "retailers.csv": retailers,
        "leave.csv": leave,
        "history.csv": history,
        "holidays.csv": holidays,
    }
    uploads = [_upload(file) for file in files or () if _given(file)]
    uploads += [_upload(file, as_name) for as_name, file in named.items() if _given(file)]
    if _given(folder):
        uploads.append(_upload(folder, _with_suffix(folder, ".zip")))
    if _given(workbook):
        uploads.append(_upload(workbook, _with_suffix(workbook, ".xlsx")))
    checked = department_from_upload(
        fields,
        uploads,
        _upload(policy_file) if _given(policy_file) else None,
        service.settings,
    )
    return _store(service, checked, caller.fingerprint)


def _given(file: UploadFile | None) -> bool:
    return file is not None and bool(file.filename)


def _with_suffix(file: UploadFile, suffix: str) -> str:
    name = file.filename or ""
    return name if name.lower().endswith(suffix) else f"upload{suffix}"


def _upload(file: UploadFile | None, as_name: str | None = None) -> Upload:
    assert file is not None
    return Upload(filename=as_name or file.filename or "", content=file.file.read())


@router.get("/departments", response_model=list[DepartmentSummary])
def list_departments(service: ServiceDep, caller: CallerDep) -> list[dict[str, Any]]:
    """The departments this caller may see."""
    return [
        {"id": department_id, "name": name, "created_at": created_at}
        for department_id, name, created_at, owner in service.store.department_summaries()
        if caller.can_see(department_id, owner)
    ]


@router.get(
    "/departments/{department_id}",
    response_model=StoredDepartment,
    responses={404: {"description": "no such department (or not this key's)"}},
)
def get_department(department_id: str, service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    """A stored department, as it was checked and stored."""
    return stored_department(visible_department(service, caller, department_id))
