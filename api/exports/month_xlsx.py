"""The monthly visit plan 《月度拜访计划》 as a workbook (SPEC §3, the monthly rhythm):
one row per visit in route order, then the visits that could not be planned, then the
focus retailers no visit of which falls on a focus day (apart: most of them got every
visit), then who is short of which weekly hours in the month's weeks, and why. A Chinese
workbook gives the reasons in Chinese (api/exports/month_reasons.py, api/exports/reasons.py)."""

from __future__ import annotations

from collections import Counter

from openpyxl import Workbook

from api.exports.labels import reason_label, words_for
from api.exports.month_reasons import unplanned_detail
from api.exports.reasons import shortfall_reason
from api.exports.week import WeekView
from api.exports.workbook import SHEET_TITLE_MAX, bold_headers, workbook_bytes
from engine.domain import Department, HoursShortfall
from engine.month import MonthPlan, WeekSolved
from engine.policy import Policy, format_clock

OWNER_WORDS = {"zh": "负责客户经理", "en": "Retailer's own manager"}
"""The visit rows' column after the wait: the retailer's own manager when another makes the
visit (a hand-over while he is away), empty when the row's manager is its own."""

WAIT_WORDS = {"zh": "到店等候（分钟）", "en": "Wait to open (min)"}
"""The visit rows' column after their end: minutes between reaching a shop and its visit's start (a
first stop reached by the first-stop time before the shop opens), said, not left to read
off two clocks."""

FOCUS_WORDS = {
    "zh": {"sheet": "未排入重点日", "visits": "本月已排/应访",
           "all_made": "本月应访已全部排入，不是漏访：只是没有一次落在重点日",
           "also_short": "另缺拜访，见“未排拜访”表"},
    "en": {"sheet": "Missed the focus days", "visits": "Planned/due this month",
           "all_made": "every visit of the month planned, not a missed visit: none falls on a focus day",
           "also_short": "also short of visits: see the sheet of visits not planned"},
}
"""The focus-window sheet's own words: its lines count no missed visit (`counts_visits`
false), and in the sheet of visits not planned (应访 1, 计划 0) they read as one."""


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
    sheet.append([*(words[k] for k in ("date", "manager", "name", "visit_order", "retailer", "retailer_name",
                                       "arrive", "start", "end")),
                  WAIT_WORDS["en" if lang == "en" else "zh"], OWNER_WORDS["en" if lang == "en" else "zh"],
                  words["required_stops"]])
    for route in sorted(plan.routes, key=lambda r: (r.date, r.manager)):
        for number, stop in enumerate(route.stops, start=1):
            sheet.append([route.date.isoformat(), route.manager, managers.get(route.manager, ""), number,
                          stop.retailer, names.get(stop.retailer, ""), format_clock(stop.arrive),
                          format_clock(stop.start), format_clock(stop.end),
                          stop.start - stop.arrive if stop.start > stop.arrive else None,
                          _owner_words(stop.owner, managers), route.required_stops])
    missing = book.create_sheet(words["sheet_unplanned"][:SHEET_TITLE_MAX])
    missing.append([words[k] for k in ("manager", "retailer", "retailer_name", "due", "planned", "reason",
                                       "detail")])
    for line in (u for u in plan.unplanned if u.counts_visits):
        missing.append([line.manager, line.retailer, names.get(line.retailer, ""), line.wanted, line.planned,
                        reason_label(words, line.reason), unplanned_detail(line.detail, lang)])
    _focus_sheet(book, plan, names, lang)
    short = book.create_sheet(words["sheet_weeks_short"][:SHEET_TITLE_MAX])
    short.append([words[k] for k in ("week", "status", "manager", "kind", "minutes_short", "owed_column",
                                     "reason")])
    for week in plan.weeks:
        for item in week.shortfalls:
            # A block the leave makes not owed is told, marked apart from hours the week lacks.
            short.append([week.week_start.isoformat(), words.get(f"status_{week.status}", week.status),
                          item.manager, kind(item.kind), item.minutes_short,
                          words["not_owed"] if item.not_owed else "",
                          _shortfall_words(plan, week, item, department, policy, lang)])
    bold_headers(book)
    return workbook_bytes(book)


def _owner_words(owner: str | None, managers: dict[str, str]) -> str | None:
    """The owner's id and name (none for the maker's own retailer)."""
    if owner is None:
        return None
    return f"{owner} {managers[owner]}" if managers.get(owner) else owner


def _focus_sheet(book: Workbook, plan: MonthPlan, names: dict[str, str], lang: str) -> None:
    """The `focus_window` lines on a sheet of their own, each saying whether the retailer
    got every visit of the month (then it is no missed visit) or is also short of visits."""
    lines = [u for u in plan.unplanned if not u.counts_visits]
    if not lines:
        return
    words, focus = words_for(lang), FOCUS_WORDS["en" if lang == "en" else "zh"]
    short = {u.retailer for u in plan.unplanned if u.counts_visits}
    planned = Counter(s.retailer for r in plan.routes for s in r.stops)
    due = Counter[str]()
    for owed in plan.due:
        due[owed.retailer] += owed.visits
    sheet = book.create_sheet(focus["sheet"][:SHEET_TITLE_MAX])
    sheet.append([words["manager"], words["retailer"], words["retailer_name"], focus["visits"], words["reason"],
                  words["detail"]])
    for item in lines:
        sheet.append([item.manager, item.retailer, names.get(item.retailer, ""),
                      f"{planned[item.retailer]}/{due[item.retailer]}",
                      focus["also_short"] if item.retailer in short else focus["all_made"],
                      unplanned_detail(item.detail, lang)])


def _shortfall_words(plan: MonthPlan, week: WeekSolved, short: HoursShortfall, department: Department,
                     policy: Policy | None, lang: str) -> str:
    """Why the week is short, in the workbook's language, as the week's workbook says it
    (needs the policy and the week's timetable, which a plan read back from JSON lacks:
    then the engine's English)."""
    timetable = plan.timetables.get(week.week_start)
    if policy is None or timetable is None:
        return short.reason
    return shortfall_reason(WeekView(timetable, department, policy, "en" if lang == "en" else "zh"), short)
