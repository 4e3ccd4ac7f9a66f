"""The monthly visit plan 《月度拜访计划》 as a workbook (SPEC §3, the monthly rhythm):
one row per visit in route order, then the visits that could not be planned, then who is
short of which weekly hours in the month's weeks, and why."""

from __future__ import annotations

from openpyxl import Workbook

from api.exports.labels import reason_label, words_for
from api.exports.workbook import SHEET_TITLE_MAX, bold_headers, workbook_bytes
from engine.domain import Department
from engine.month import MonthPlan
from engine.policy import Policy, format_clock


def month_workbook(plan: MonthPlan, department: Department, lang: str = "zh", policy: Policy | None = None) -> bytes:
    """The month plan as .xlsx: one row per visit (date, manager, order, retailer, times),
    then the visits that could not be planned; with the `policy`, the kinds of work by its
    labels in the workbook's language (the zh sheet showed "phone", "meeting")."""
    words = words_for(lang)

    def kind(code: str) -> str:
        return policy.kind_label(code, lang) if policy is not None else code

    names = {r.id: r.name for r in department.retailers}
    managers = {m.id: m.name for m in department.managers}
    book = Workbook()
    sheet = book.active
    sheet.title = words["sheet_month"][:SHEET_TITLE_MAX]
    sheet.append([words[k] for k in ("date", "manager", "name", "visit_order", "retailer", "retailer_name",
                                     "arrive", "start", "end", "required_stops")])
    for route in sorted(plan.routes, key=lambda r: (r.date, r.manager)):
        for number, stop in enumerate(route.stops, start=1):
            sheet.append([route.date.isoformat(), route.manager, managers.get(route.manager, ""), number,
                          stop.retailer, names.get(stop.retailer, ""), format_clock(stop.arrive),
                          format_clock(stop.start), format_clock(stop.end), route.required_stops])
    missing = book.create_sheet(words["sheet_unplanned"][:SHEET_TITLE_MAX])
    missing.append([words[k] for k in ("manager", "retailer", "retailer_name", "due", "planned", "reason",
                                       "detail")])
    for item in plan.unplanned:
        missing.append([item.manager, item.retailer, names.get(item.retailer, ""), item.wanted, item.planned,
                        reason_label(words, item.reason), item.detail])
    short = book.create_sheet(words["sheet_weeks_short"][:SHEET_TITLE_MAX])
    short.append([words[k] for k in ("week", "status", "manager", "kind", "minutes_short", "owed_column",
                                     "reason")])
    for week in plan.weeks:
        for item in week.shortfalls:
            # A block the leave makes not owed is told, marked apart from hours the week lacks.
            short.append([week.week_start.isoformat(), words.get(f"status_{week.status}", week.status),
                          item.manager, kind(item.kind), item.minutes_short,
                          words["not_owed"] if item.not_owed else "", item.reason])
    bold_headers(book)
    return workbook_bytes(book)
