"""Importing a department from the desk (SPEC §1): the files of a department folder, a
.zip of it or a workbook, checked as `POST /v1/departments/import` checks them; the
answer is a piece of the page, the stored department's link or every bad value at its
file, row and column (a bad value is an answer to show, not a failed request)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import HTMLResponse

from api.http.department_input import Upload, department_from_upload
from api.http.pages.templating import part, render
from api.http.pages.texts import page_lang
from api.http.problems import InputProblems, problem_dict
from api.http.service import CallerDep, ServiceDep
from engine.errors import InputError

router = APIRouter(prefix="/v1/desk", include_in_schema=False)
NO_FIELDS: dict[str, str | None] = {
    "name": None, "office_lat": None, "office_lon": None, "policy": None, "market_manager": None,
}


@router.post("/import", response_class=HTMLResponse)
def import_part(service: ServiceDep, caller: CallerDep,
                files: Annotated[list[UploadFile], File()], lang: str | None = None) -> HTMLResponse:
    """Store the uploaded department, or list every bad value it holds."""
    language = page_lang(lang)
    uploads = [Upload(filename=f.filename or "", content=f.file.read()) for f in files if f.filename]
    try:
        checked = department_from_upload(NO_FIELDS, uploads, None, service.settings)
    except InputProblems as error:
        return part(render("import_part.html", language, problems=error.problems))
    except InputError as error:
        return part(render("import_part.html", language,
                           problems=[problem_dict(p) for p in error.problems]))
    record = service.store.add_department(checked.document(), checked.own_policy, caller.fingerprint)
    return part(render("import_part.html", language, problems=[], stored=record,
                       name=checked.document().get("name", "")))
