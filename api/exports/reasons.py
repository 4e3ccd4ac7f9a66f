"""The reasons of the hours short and of the duties left unfilled, in the export's language.

The engine words each reason in English (its JSON and other tools read that text, unchanged).
A Chinese export says it in Chinese, built from what each line already carries (manager, kind,
day, minutes and sessions short, not owed), the department (its leave, its managers' skills)
and the policy (the kind's daily minutes, the duty's skill): one short sentence per kind of
reason. A reason with no Chinese sentence here keeps its English words, never nothing.

The kinds of dated hours short (engine/timetable/shortfalls.py, engine/baseline.py):
- not owed, a department kind: a part-day leave makes the manager miss the department's slot;
- not owed, one session or more short: the leave leaves no room for the day's block;
- not owed, no session short: the leave leaves room for only part of the day's block;
- owed: the block beside the leave is shorter than what fits beside it.
"""

from __future__ import annotations

import datetime as dt

from api.exports.week import WeekView
from engine.domain import DutyGap, HoursShortfall
from engine.policy import WEEKDAYS, format_clock
from engine.timetable.shortfalls import NOT_PROVEN

NOT_PROVEN_ZH = "在限定求解时间内找到的安排未能保留（未证明确实排不下，求解时间更长可能找到能保留的安排）"
ADD_SKILL_ZH = "请在 managers.csv 的 skills 列为{more}客户经理添加该技能"


def shortfall_reason(view: WeekView, short: HoursShortfall) -> str:
    """Why the week is short, in the view's language (the engine's English in English)."""
    if view.lang != "zh":
        return short.reason
    return _shortfall_zh(view, short) or short.reason


def duty_gap_reason(view: WeekView, gap: DutyGap) -> str:
    """Why a duty is short of managers, in the view's language (the engine's English in English)."""
    if view.lang != "zh":
        return gap.reason
    return _duty_gap_zh(view, gap) or gap.reason


def _leave_words(view: WeekView, manager: str, day: dt.date) -> str:
    """'请假 13:00–17:30' from the department's leave that day ('请假' for a whole day or none)."""
    hours = view.listed(f"{format_clock(leave.start)}–{format_clock(leave.end)}" for leave in view.department.leave
                        if leave.manager == manager and leave.date == day
                        and leave.start is not None and leave.end is not None)
    return f"请假 {hours}" if hours else "请假"


def _shortfall_zh(view: WeekView, short: HoursShortfall) -> str | None:
    rule = view.policy.kinds.get(short.kind)
    label, minutes = view.label(short.kind), short.minutes_short
    if short.date is None:
        if short.reason == NOT_PROVEN:
            return f"本周{label}少 {minutes} 分钟：{NOT_PROVEN_ZH}"
        return None  # the rides, the opening hours, the POS households: the English words
    when, leave = view.day_label(short.date), _leave_words(view, short.manager, short.date)
    if short.not_owed and rule is not None and rule.group == "department":
        return f"{when} 因{leave} 错过{label}（{minutes} 分钟）：{'当天' if rule.is_daily else ''}不计入应做"
    if short.not_owed and short.sessions_short:
        return f"{when} 因{leave}，当天无空间安排{label}（{minutes} 分钟）：当天不计入应做"
    if short.not_owed:
        whole = (rule.per_day_minutes or {}).get(WEEKDAYS[short.date.weekday()]) if rule is not None else None
        if whole is None or whole <= minutes:
            return None
        return (f"{when} 因{leave}，{whole} 分钟的{label}最多只能安排 {whole - minutes} 分钟："
                f"其余 {minutes} 分钟当天不计入应做")
    why = NOT_PROVEN_ZH if NOT_PROVEN in short.reason else "路程和当天其他安排没有留出更多空间"
    return f"{when} {leave} 前后的{label}比可安排的少 {minutes} 分钟：{why}"


def _duty_gap_zh(view: WeekView, gap: DutyGap) -> str | None:
    """The engine's four reasons (engine/timetable/duties._gap_reason), read back from the
    week's duties: a manager with the skill who holds none of the duty is on leave all week."""
    rule = next((d for d in view.policy.duties if d.name == gap.duty), None)
    if rule is None:
        return None
    holders = {duty.manager for duty in view.timetable.duties if duty.duty == gap.duty}
    skilled = [m.id for m in view.department.managers if rule.skill in m.skills]
    present = [m for m in skilled if m in holders]
    away = [m for m in skilled if m not in holders]
    skill = f"“{rule.skill}”"
    gone = f"；{view.listed(away)} 具备该技能，但全周请假" if away else ""
    if gap.managers_assigned > len(present):  # the fallback took every manager present
        return f"本周在岗的客户经理只有 {gap.managers_assigned} 名（其中 {len(present)} 名具备技能{skill}）{gone}"
    if not present and away:
        return f"具备技能{skill}的客户经理（{view.listed(away)}）全周请假；{ADD_SKILL_ZH.format(more='更多')}"
    if not present:
        return f"没有客户经理具备技能{skill}；{ADD_SKILL_ZH.format(more='')}"
    return (f"只有 {len(present)} 名客户经理{'本周在岗且' if away else ''}具备技能{skill}（{view.listed(present)}）"
            f"{gone}；{ADD_SKILL_ZH.format(more='更多')}")
