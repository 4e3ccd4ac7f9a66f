"""The Friday sheet 《工作时间实行情况反馈表》 as a workbook (SPEC §1, §3): hours per
manager and kind planned against actual, the visits, and the missed visits."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import PatternFill

from api.exports.labels import words_for
from api.exports.workbook import SHEET_TITLE_MAX, bold_headers, workbook_bytes
from engine.actuals import FeedbackSheet
from engine.domain import Department
from engine.policy import Policy

FLAG_FILL = PatternFill("solid", fgColor="F4C7C3")
MISSED_WORDS = {
    "zh": {"missed": "未访(应访未完成，含未上报)", "not_reported": "其中未上报"},
    "en": {"missed": "Missed (due not done, unreported included)", "not_reported": "of which not reported"},
}
"""The visits sheet's missed column says what it counts, as the desk's Friday sheet does: the
due visits not done (the JSON's `missed`), the unreported ones among them, with those in a
column of their own (the desk showed 1 missed where this sheet and the JSON said 13)."""


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def feedback_workbook(sheet: FeedbackSheet, department: Department, policy: Policy, lang: str = "zh") -> bytes:
    """The Friday sheet as .xlsx: hours per manager and kind, visits (missed: the due
    visits not done, the unreported among them), missed visits; flagged rows filled red."""
    words = words_for(lang)
    names = {m.id: m.name for m in department.managers}
    book = Workbook()
    hours = book.active
    hours.title = words["sheet_hours"][:SHEET_TITLE_MAX]
    hours.append([f"{department.name} · {words['week']} {sheet.week_start}"])
    hours.append([words[k] for k in ("manager", "name", "kind", "planned_h", "actual_h", "deviation_h",
                                     "deviation_pct", "flag")])
    for row in sheet.hours:
        hours.append([row.manager, names.get(row.manager, ""), policy.kind_label(row.kind, lang),
                      _hours(row.planned_min), _hours(row.actual_min), _hours(row.deviation_min),
                      row.deviation_percent, words["flagged"] if row.flagged else ""])
        if row.flagged:
            for cell in hours[hours.max_row]:
                cell.fill = FLAG_FILL
    visits = book.create_sheet(words["sheet_visits"][:SHEET_TITLE_MAX])
    missed_words = MISSED_WORDS["en" if lang == "en" else "zh"]
    visits.append([*(words[k] for k in ("manager", "name", "due", "planned", "done")), missed_words["missed"],
                   missed_words["not_reported"], words["extra"], words["flag"]])
    for tally in sheet.visits:
        visits.append([tally.manager, names.get(tally.manager, ""), tally.due, tally.planned, tally.done,
                       tally.missed, tally.not_reported, tally.done_not_due,
                       words["flagged"] if tally.flagged else ""])
        if tally.flagged:
            for cell in visits[visits.max_row]:
                cell.fill = FLAG_FILL
    missed = book.create_sheet(words["sheet_missed"][:SHEET_TITLE_MAX])
    missed.append([words[k] for k in ("manager", "retailer", "retailer_name", "visits", "planned_date", "reason")])
    for item in sheet.missed:
        missed.append([item.manager, item.retailer, item.name, item.visits,
                       item.planned_date.isoformat() if item.planned_date else "", item.reason])
    bold_headers(book, {hours.title: 2})
    return workbook_bytes(book)
