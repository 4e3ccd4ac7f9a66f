"""A customer manager's day for the phone (SPEC §3): the day's blocks, then the stops in
visiting order with when the work there starts and ends, opening hours, what to do there
and with whom, one-tap navigation links, and the done / missed control the page's script
posts to the actuals. A key-checked part, like the desk's."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse

from api.exports.week import WEEKDAY_NAMES
from api.http.pages.navigation import navigation_links
from api.http.pages.parts import LangQuery, job_routes, job_week, week_job
from api.http.pages.templating import part, render
from api.http.pages.texts import TEXTS, page_lang
from api.http.service import CallerDep, ServiceDep
from api.http.storage import TimetableJob
from engine.domain import Department
from engine.policy import Policy, format_clock, parse_clock, policy_from_mapping
from engine.work_calendar import WorkCalendar

router = APIRouter(prefix="/v1/desk", include_in_schema=False)


@router.get("/my/{department_id}/{manager_id}/{date}", response_class=HTMLResponse)
def my_day_part(service: ServiceDep, caller: CallerDep, department_id: str, manager_id: str,
                date: dt.date, lang: LangQuery = None) -> HTMLResponse:
    """One manager's day for the phone: the blocks, then the stops in order with their start
    and end, opening hours, what to do, navigation links and the done / missed control."""
    language = page_lang(lang)
    week_start = date - dt.timedelta(days=date.weekday())
    job, department, _ = week_job(service, caller, department_id, week_start, None)
    manager = next((m for m in department.managers if m.id == manager_id), None)
    if manager is None:
        raise HTTPException(404, f"no manager {manager_id!r} in the department")
    if job is None:
        return part(f'<p class="muted">{escape(TEXTS[language]["no_plan"])}</p>')
    timetable = job_week(job)  # the week's plan (`week_plan`) always holds a week
    policy = policy_from_mapping(job.policy)
    # Only routes made from the plan shown (a re-plan's own): the week's desk says the same.
    routes = job_routes(service.store, job, date, manager_id)
    route = next((r for r in (routes or {}).get("routes", [])
                  if r.get("manager") == manager_id and r.get("date") == date.isoformat()), None)
    work = _day_blocks(timetable, department, policy, manager_id, date, language)
    blocks = sorted(work + _absences(service, job, department, policy, manager_id, date, language),
                    key=lambda b: b["start"])
    return part(render(
        "my_day_part.html", language, job_id=job.id, manager=manager, date=date.isoformat(),
        weekday=WEEKDAY_NAMES[language][date.weekday()], blocks=blocks,
        stops=_day_stops(route, timetable, department, policy, manager_id, date, language),
        marks=_stored_marks(service, job.department_id, manager_id, date),
        no_routes=routes is None,
        note="" if work else _why_free(service, job, department, policy, manager_id, date, language),
    ))


def _stored_marks(service: ServiceDep, department_id: str, manager_id: str,
                  date: dt.date) -> dict[str, dict[str, str]]:
    """The done / missed marks stored for the manager's day, per retailer (the page showed
    none: a card marked on an earlier visit to the page looked unmarked)."""
    week_start = date - dt.timedelta(days=date.weekday())
    return {
        str(visit.get("retailer")): {"status": str(visit.get("status")), "reason": str(visit.get("reason") or "")}
        for day in service.store.actuals_of_week(department_id, week_start)
        for visit in day.get("visits", [])
        if visit.get("manager") == manager_id and visit.get("date") == date.isoformat()
    }


def _absences(service: ServiceDep, job: TimetableJob | None, department: Department, policy: Policy,
              manager_id: str, date: dt.date, lang: str) -> list[dict[str, str]]:
    """The day's part-day leave and a sickness that starts during it, as lines among the
    blocks (the page showed his 08:00-10:00 visits and nothing of the leave from 13:00 or
    the sickness from 10:00)."""
    words = TEXTS[page_lang(lang)]
    found = [{"kind": "leave", "start": format_clock(entry.start), "end": format_clock(entry.end),
              "label": words["on_leave_part"], "place": ""}
             for entry in department.leave
             if entry.manager == manager_id and entry.date == date and entry.start is not None
             and entry.end is not None]
    for event in _sicknesses(service, job, manager_id):
        try:
            since = dt.datetime.fromisoformat(str(event.get("from")))
        except ValueError:
            continue
        if since.date() == date:
            found.append({"kind": "sick", "start": f"{since:%H:%M}", "end": format_clock(policy.day.end),
                          "label": words["off_sick_from"], "place": ""})
    return found


def _sicknesses(service: ServiceDep, job: TimetableJob | None, manager_id: str) -> list[dict[str, Any]]:
    """The manager_sick events of the re-plan `job` and of the re-plans it re-planned."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    while job is not None and job.job_kind == "replan" and job.id not in seen:
        seen.add(job.id)
        request = job.request or {}
        found += [e for e in (request.get("replan") or {}).get("events") or []
                  if e.get("type") == "manager_sick" and e.get("manager") == manager_id]
        job = service.store.job(str(request.get("timetable_id")))
    return found


def _why_free(service: ServiceDep, job: TimetableJob | None, department: Department, policy: Policy,
              manager_id: str, date: dt.date, lang: str) -> str:
    """Why the manager's day holds nothing (an empty page read as a broken one): a public
    holiday or a day the policy does not work, off sick in a re-plan of the week (its
    events, and those of the re-plans it re-planned), on leave, else nothing planned (a
    holiday read "nothing planned for this day", as if the plan had forgotten him)."""
    words = TEXTS[page_lang(lang)]
    calendar = WorkCalendar(department, policy)
    if calendar.is_holiday(date):
        return words["holiday"]
    if not calendar.is_working_day(date):
        return words["not_a_working_day"]
    if any(_sick_on(event, date) for event in _sicknesses(service, job, manager_id)):
        return words["off_sick"]
    if any(leave.manager == manager_id and leave.date == date and leave.start is None
           for leave in department.leave):
        return words["on_leave_day"]
    return words["nothing_planned"]


def _sick_on(event: dict[str, Any], date: dt.date) -> bool:
    """Whether a manager_sick event's span (from its start to the end of `until`, else of
    its week) holds `date`."""
    try:
        start = dt.datetime.fromisoformat(str(event.get("from"))).date()
        until = dt.date.fromisoformat(str(event["until"])) if event.get("until") else None
    except ValueError:
        return False
    last = until or start + dt.timedelta(days=6 - start.weekday())
    return start <= date <= last


def _day_blocks(timetable: dict[str, Any], department: Department, policy: Policy, manager_id: str,
                date: dt.date, lang: str) -> list[dict[str, str]]:
    names = {m.id: m.name for m in department.managers}
    everyone_else = set(names) - {manager_id}
    retailers = {r.id: r.name for r in department.retailers}
    blocks = [b for b in timetable.get("blocks", [])
              if b.get("manager") == manager_id and b.get("date") == date.isoformat()]

    def company(others: list[str]) -> str:
        if len(everyone_else) > 1 and set(others) == everyone_else:
            return f" · {TEXTS[page_lang(lang)]['everyone']}"  # a department slot: no list of names
        return "".join(f" + {names.get(w, w)}" for w in others)

    return [
        {"kind": str(b.get("kind")), "start": str(b.get("start")), "end": str(b.get("end")),
         "label": policy.kind_label(str(b.get("kind")), lang) + company(list(b.get("with", []))),
         "place": retailers.get(b.get("retailer") or "", "")}
        for b in sorted(blocks, key=lambda b: str(b.get("start")))
    ]


def _day_stops(route: dict[str, Any] | None, timetable: dict[str, Any], department: Department,
               policy: Policy, manager_id: str, date: dt.date, lang: str) -> list[dict[str, Any]]:
    if route is None:
        return []
    retailers = {r.id: r for r in department.retailers}
    names = {m.id: m.name for m in department.managers}
    partners = {
        (b.get("retailer"), b.get("kind")): [names.get(w, w) for w in b.get("with", [])]
        for b in timetable.get("blocks", [])
        if b.get("manager") == manager_id and b.get("date") == date.isoformat() and b.get("retailer")
    }
    stops = []
    for stop in route.get("stops", []):
        retailer = retailers.get(stop.get("retailer"))
        if retailer is None:
            continue
        kind = str(stop.get("kind", ""))
        with_whom = partners.get((retailer.id, kind), [])
        links = navigation_links(retailer.lat, retailer.lon, retailer.name)
        start, end = str(stop.get("start") or ""), str(stop.get("end") or "")
        stops.append({
            "retailer": retailer.id, "name": retailer.name, "kind": kind,
            "arrive": str(stop.get("arrive") or ""), "start": start, "end": end,
            "todo": policy.kind_label(kind, lang) + (f" ({', '.join(with_whom)})" if with_whom else ""),
            "opens": format_clock(retailer.opens), "closes": format_clock(retailer.closes),
            "minutes": _stop_minutes(start, end, retailer.service_min),
            **links.__dict__,
        })
    return stops


def _stop_minutes(start: str, end: str, service_min: int) -> int:
    """How long the stop lasts: from its start to its end (a 2-hour maintenance session or
    a POS hour showed the retailer's 10 service minutes), the retailer's service minutes
    only for a stop without its times."""
    try:
        return parse_clock(end) - parse_clock(start)
    except ValueError:
        return service_min
