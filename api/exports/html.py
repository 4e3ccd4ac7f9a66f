"""A printable week grid: one page per manager, days across and hours down, each block
placed by its clock times, and under each working day a QR code that opens the manager's
day on the phone when the service's address is known (SPEC §1, §3). Like the workbook it
names a holiday or a leave in the day's column (a blank column said nothing of why),
draws a part-day leave over its own hours, and lists the duties left unfilled and the
weekly hours short, with their reasons. Plain HTML, CSS and inline SVG, no scripts and
nothing fetched; every name and text is HTML-escaped."""

from __future__ import annotations

from html import escape

from api.exports.labels import policy_title, status_label
from api.exports.my_day_link import MyDaySite, qr_svg_text
from api.exports.reasons import duty_gap_reason, shortfall_reason
from api.exports.week import KIND_COLOURS, Lang, WeekView, hours_text
from engine.domain import Department, Timetable
from engine.policy import Policy, format_clock

STYLE = """
@page { size: A4 landscape; margin: 10mm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 16px;
       color: #222; font-size: 12px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 6px; }
.particulars { margin: 0 0 12px; color: #444; }
.particulars span { margin-right: 18px; }
table.hours { border-collapse: collapse; margin-bottom: 16px; }
table.hours th, table.hours td { border: 1px solid #999; padding: 2px 6px; text-align: center; }
table.hours th { background: #e7e6e6; }
section.manager { page-break-before: always; break-before: page; }
.week { display: grid; border: 1px solid #999; background: #fff; }
.week .day-head { background: #e7e6e6; font-weight: bold; text-align: center; border-left: 1px solid #999;
                  border-bottom: 1px solid #999; padding: 2px 0; }
.week .hour { font-size: 10px; color: #666; border-top: 1px solid #ccc; padding-left: 2px; }
.week .line { border-top: 1px solid #e3e3e3; border-left: 1px solid #999; }
.week .block { margin: 1px 2px; border: 1px solid #777; border-radius: 3px; padding: 1px 3px; overflow: hidden;
               font-size: 10.5px; line-height: 1.2; z-index: 1;
               -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.week .block b { display: block; }
.legend span { display: inline-block; margin: 0 10px 4px 0; padding: 1px 6px; border: 1px solid #777;
               border-radius: 3px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
ul.notes { color: #a33; }
.week .day-head .absence { display: block; font-weight: normal; color: #a33; }
.week .away { margin: 2px; border: 1px dashed #999; color: #777; text-align: center; padding-top: 8px;
              background: repeating-linear-gradient(45deg, #fff, #fff 6px, #f0f0f0 6px, #f0f0f0 12px); }
.week .leave { margin: 1px 2px; border: 1px dashed #999; color: #a33; text-align: center; overflow: hidden;
               font-size: 10.5px; -webkit-print-color-adjust: exact; print-color-adjust: exact;
               background: repeating-linear-gradient(45deg, #fff, #fff 6px, #f0f0f0 6px, #f0f0f0 12px); }
table.shortfalls, table.duties { border-collapse: collapse; margin-bottom: 12px; }
table.shortfalls th, table.shortfalls td, table.duties th, table.duties td { border: 1px solid #999;
               padding: 2px 6px; text-align: left; }
table.shortfalls th, table.duties th { background: #e7e6e6; }
.qr-row { display: grid; margin-top: 4px; align-items: start; }
.qr-row .qr-caption { font-size: 10px; color: #444; }
.qr-row figure { margin: 0; text-align: center; font-size: 10px; color: #444; }
.qr-row svg { display: block; margin: 0 auto; }
p.qr-note { color: #666; font-size: 11px; }
"""

QR_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "scan": "手机扫码打开当天行程",
        "no_site": "未给出服务地址（--site-url），故不印二维码；给出后每位客户经理每天一个二维码，"
                   "手机扫码打开当天行程。",
    },
    "en": {
        "scan": "Scan to open the day on the phone",
        "no_site": "No service address given (--site-url), so no QR codes are printed; with it each "
                   "manager gets one per day that opens the day on the phone.",
    },
}


def timetable_page(
    timetable: Timetable,
    department: Department,
    policy: Policy,
    lang: Lang = "zh",
    *,
    site: MyDaySite | None = None,
) -> str:
    """The whole department's week as one HTML page: an overview of hours per kind, then one
    printed page per manager with the week grid and, with `site` (the service's address
    and the department's id there), a QR code per working day opening that day on the
    phone; without it a small note says why there are none."""
    view = WeekView(timetable, department, policy, lang)
    words = view.words
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(words['title'])} {escape(department.name)} {timetable.week_start}</title>",
        f"<style>{STYLE}{_kind_styles()}</style></head><body>",
        f"<h1>{escape(words['title'])}</h1>",
        _particulars(view),
        _legend(view),
        _hours_table(view),
        _duties(view),
        _shortfalls(view, None),
        _notes(view),
        "" if site is not None else f'<p class="qr-note">{escape(QR_WORDS[lang]["no_site"])}</p>',
    ]
    parts += [_manager_section(view, manager_id, name, site) for manager_id, name in view.managers]
    parts.append("</body></html>")
    return "\n".join(parts)


def _kind_styles() -> str:
    return "".join(
        f".kind-{kind} {{ background: {colour}; }}\n" for kind, colour in KIND_COLOURS.items()
    )


def _particulars(view: WeekView) -> str:
    words = view.words
    items = [
        (words["department"], view.department.name),
        (words["market_manager"], view.department.market_manager),
        (words["week"], view.week_label()),
        (words["policy"], policy_title(view.policy, view.lang)),
        (words["status"], status_label(words, view.timetable.status)),
    ]
    return (
        '<p class="particulars">'
        + "".join(
            f"<span><b>{escape(key)}</b>: {escape(str(value))}</span>" for key, value in items
        )
        + "</p>"
    )


def _legend(view: WeekView) -> str:
    return (
        '<p class="legend">'
        + "".join(
            f'<span class="kind-{escape(kind)}">{escape(view.label(kind))}</span>'
            for kind in [*view.kinds(), "lunch"]
        )
        + "</p>"
    )


def _hours_table(view: WeekView) -> str:
    words = view.words
    kinds = view.kinds()
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in [words["manager"], words["name"], *(view.label(k) for k in kinds), words["total"]]
    )
    rows = []
    for manager_id, name in view.managers:
        minutes = view.minutes_by_kind(manager_id)
        cells = [
            manager_id,
            name,
            *(hours_text(minutes.get(k, 0)) for k in kinds),
            hours_text(sum(minutes.values())),
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        f"<h2>{escape(words['hours_by_kind'])}</h2>"
        f'<table class="hours"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _duties(view: WeekView) -> str:
    """Who holds each specialist duty, and the duties short of managers with the reason."""
    timetable, words = view.timetable, view.words
    if not timetable.duties and not timetable.unfilled_duties:
        return ""
    rows = [
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in (
            view.duty_label(duty.duty), f"{view.manager_name(duty.manager)} ({duty.manager})", "")) + "</tr>"
        for duty in timetable.duties
    ] + [
        '<tr class="unfilled">' + "".join(f"<td>{escape(cell)}</td>" for cell in (
            view.duty_label(gap.duty), f"{words['duty_unfilled']} {gap.managers_assigned}/{gap.managers_needed}",
            duty_gap_reason(view, gap))) + "</tr>"
        for gap in timetable.unfilled_duties
    ]
    body = "".join(rows)
    return f'<h2>{escape(words["duties"])}</h2><table class="duties"><tbody>{body}</tbody></table>'


def _shortfalls(view: WeekView, manager_id: str | None) -> str:
    """The weekly hours a manager's week (or, with None, every manager's) cannot hold, in
    minutes and why, and the daily blocks a leave makes not owed, marked apart; a total
    below the weekly hours said nothing of why."""
    words = view.words
    shorts = [s for s in view.timetable.shortfalls if manager_id is None or s.manager == manager_id]
    if not shorts:
        return ""
    head = "".join(f"<th>{escape(h)}</th>" for h in
                   [words["manager"], words["kind"], words["minutes_short"], words["owed_column"], words["reason"]])
    rows = "".join(
        f'<tr data-manager="{escape(short.manager)}">'
        + "".join(f"<td>{escape(cell)}</td>" for cell in (
            f"{view.manager_name(short.manager)} ({short.manager})", view.label(short.kind),
            str(short.minutes_short),
            " ".join(filter(None, [words["not_owed"], str(short.date or "")])) if short.not_owed else "",
            shortfall_reason(view, short)))
        + "</tr>"
        for short in shorts
    )
    return (f'<h2>{escape(words["shortfalls"])}</h2><table class="shortfalls"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _notes(view: WeekView) -> str:
    if not view.timetable.conflicts:
        return ""
    items = "".join(f"<li>{escape(c.message)}</li>" for c in view.timetable.conflicts)
    return f'<h2>{escape(view.words["notes"])}</h2><ul class="notes">{items}</ul>'


def _manager_section(view: WeekView, manager_id: str, name: str, site: MyDaySite | None) -> str:
    """The grid: row 1 holds the day names, then one grid row per slot of the policy's grid;
    under it the day's QR codes when the service's address is known."""
    grid = view.policy.grid_minutes
    first, last = view.day_bounds()
    first -= first % grid
    slots = -(-(last - first) // grid)
    columns = len(view.days)
    cells = []
    for column, day in enumerate(view.days, start=2):
        away = view.absence(manager_id, day)
        label = f'<span class="absence">{escape(away)}</span>' if away else ""
        cells.append(
            f'<div class="day-head" style="grid-column:{column};grid-row:1">'
            f"{escape(view.day_label(day))}{label}</div>"
        )
        if away and not view.blocks(manager_id, day):  # the whole column says it, not only its head
            cells.append(f'<div class="away" data-date="{day}" style="grid-column:{column};'
                         f'grid-row:2 / span {slots}">{escape(away)}</div>')
            continue
        for start, end in view.leave_hours(manager_id, day):  # and a part-day leave its own cells
            if end <= first or start >= first + slots * grid:
                continue
            start_row = max(0, (start - first) // grid) + 2
            end_row = min(slots, max(start_row - 1, -(-(end - first) // grid))) + 2
            cells.append(
                f'<div class="leave" data-date="{day}" data-start="{format_clock(start)}" '
                f'data-end="{format_clock(end)}" style="grid-column:{column};grid-row:{start_row} / {end_row}">'
                f"{escape(view.leave_label(start, end))}</div>"
            )
    for slot in range(0, slots, max(1, 60 // grid)):
        minute = first + slot * grid
        span = min(max(1, 60 // grid), slots - slot)
        cells.append(
            f'<div class="hour" style="grid-column:1;grid-row:{slot + 2} / span {span}">'
            f"{format_clock(minute)}</div>"
        )
        cells.append(
            f'<div class="line" style="grid-column:2 / span {columns};grid-row:{slot + 2} / span {span}">'
            "</div>"
        )
    for column, day in enumerate(view.days, start=2):
        for block in view.blocks(manager_id, day):
            start_row = max(0, (block.start - first) // grid) + 2
            end_row = min(slots, max(start_row - 1, -(-(block.end - first) // grid))) + 2
            details = "".join(f"<br>{escape(line)}" for line in view.details(block))
            cells.append(
                f'<div class="block kind-{escape(block.kind)}" data-kind="{escape(block.kind)}" '
                f'data-date="{block.date}" data-start="{format_clock(block.start)}" '
                f'data-end="{format_clock(block.end)}" style="grid-column:{column};grid-row:{start_row} / {end_row}">'
                f"<b>{escape(view.label(block.kind))}</b>{escape(view.span(block))}{details}</div>"
            )
    rows = f"minmax(2em, auto) repeat({slots}, minmax(7px, auto))"  # the head grows to name a day away
    return (
        f'<section class="manager" id="manager-{escape(manager_id)}" data-manager="{escape(manager_id)}">'
        f"<h2>{escape(view.words['title'])} — {escape(name)} ({escape(manager_id)})</h2>"
        f'<div class="week" style="grid-template-columns:3.5em repeat({columns}, 1fr);'
        f'grid-template-rows:{rows}">' + "".join(cells) + "</div>"
        + _qr_row(view, manager_id, site) + _shortfalls(view, manager_id) + "</section>"
    )


def _qr_row(view: WeekView, manager_id: str, site: MyDaySite | None) -> str:
    """Under the grid's columns, one QR code per day the manager works, opening
    `/my/{department}/{manager}/{date}`."""
    if site is None:
        return ""
    columns = len(view.days)
    cells = [f'<div class="qr-caption" style="grid-column:1">{escape(QR_WORDS[view.lang]["scan"])}</div>']
    for column, day in enumerate(view.days, start=2):
        if not view.blocks(manager_id, day):
            continue
        url = site.day_url(manager_id, day.isoformat(), view.lang)
        cells.append(
            f'<figure class="qr" style="grid-column:{column}" data-date="{day}" data-url="{escape(url)}">'
            f"{qr_svg_text(url)}<figcaption>{escape(view.day_label(day))}</figcaption></figure>"
        )
    return (
        f'<div class="qr-row" style="grid-template-columns:3.5em repeat({columns}, 1fr)">'
        + "".join(cells) + "</div>"
    )
