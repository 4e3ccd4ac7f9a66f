"""The month plan's reasons (engine/month.py: each unplanned line's `detail`) in the
export's language.

The engine words each reason in English (the month's JSON and console keep that text, as
the week's do), joining its phrases with "; ". A Chinese export says each phrase in
Chinese, read back from the engine's own sentence by its pattern (the numbers, dates and
managers it names kept); a phrase with no Chinese pattern here keeps its English words,
never nothing, as api/exports/reasons.py does for the week's hours short.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WEEKDAYS_ZH = {"Mon": "周一", "Tue": "周二", "Wed": "周三", "Thu": "周四", "Fri": "周五", "Sat": "周六",
               "Sun": "周日"}

_Say = Callable[[re.Match[str]], str]


def _windows(text: str) -> str:
    """'Tue 08:30–11:30, Wed …' with the weekdays in Chinese and 、 between windows."""
    return re.sub(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", lambda m: WEEKDAYS_ZH[m.group(1)], text).replace(", ", "、")


def _dates(text: str) -> str:
    return text.replace(", ", "、")


def _edge_sides(text: str) -> str:
    """The visit(s) the month assumes beyond its edges (`engine.month._edge_words`)."""
    text = re.sub(r"after the visit its first week counts in the previous month \((\d+) working day\(s\) before "
                  r"the month's first\)", r"本月首周计在上月的那次拜访（在本月第一个工作日前 \1 个工作日）", text)
    text = text.replace("before the visit its last week counts in the next month", "本月末周计在下月的那次拜访")
    return text.replace(" or ", "或")


PREFIXES: tuple[tuple[str, _Say], ...] = (
    (r"(\d+) of (\d+) visits planned \(on ([^)]*)\): ", lambda m: f"已排 {m[1]}/{m[2]} 次（{_dates(m[3])}）："),
    (r"(\d+) of (\d+) visits planned: ", lambda m: f"已排 {m[1]}/{m[2]} 次："),
    (r"week of (\d\d-\d\d): ", lambda m: f"{m[1]} 当周："),
    (r"([^\s:;]+): ", lambda m: f"{m[1]}："),
)
"""Phrases that lead into the next one (a count of visits, a week, whose plan said it)."""

PHRASES: tuple[tuple[str, _Say], ...] = (
    (r"no day it fits in the week\(s\) of (.+?) lies (\d+)-(\d+) working days from them",
     lambda m: f"{_dates(m[1])} 当周可拜访的日子，没有一天与这些拜访相隔 {m[2]}–{m[3]} 个工作日"),
    (r"([^;]+?) lie\(s\) (\d+)-(\d+) working days from (them|its visits on [^;]+?) but over (\d+) ([^;]+)",
     lambda m: (f"{_dates(m[1])} 与"
                + ("这些拜访" if m[4] == "them" else f"已排拜访（{_dates(m[4].removeprefix('its visits on '))}）")
                + f"相隔 {m[2]}–{m[3]} 个工作日，但与{_edge_sides(m[6])}相隔超过 {m[5]} 个工作日")),
    (r"([^;]+?) lie\(s\) over (\d+) working days ([^;]+)",
     lambda m: f"{_dates(m[1])} 与{_edge_sides(m[3])}相隔超过 {m[2]} 个工作日"),
    (r"the days it could go on in the week\(s\) of (.+?) \((.+?)\) are full( even without their visits of less "
     r"value)?",
     lambda m: (f"{_dates(m[1])} 当周可拜访的日子（{_dates(m[2])}）已排满"
                + ("，即使去掉其中价值较低的拜访也排不下" if m[3] else ""))),
    (r"a day's first visit must be reached by (.+?) and it is a (\d+)-min ride from the start, so it cannot open "
     r"(.+?), which have no visit it could follow",
     lambda m: (f"当天第一家须在 {m[1]} 前到达，而从出发点骑行需 {m[2]} 分钟，不能作为 {_dates(m[3])} 的第一家，"
                "这些日子也没有可跟在其后的拜访")),
    (r"(.+?) would lie under (\d+) or over (\d+) working days from its visits on (.*?)(, even with the one before "
     r"or after moved within its week)?",
     lambda m: (f"{_dates(m[1])} 与已排拜访（{_dates(m[4])}）相隔少于 {m[2]} 或多于 {m[3]} 个工作日"
                + ("（即使把前后一次拜访在其所在周内挪动）" if m[5] else ""))),
    (r"wants (\d+) visits at least (\d+) working days apart, but the days it fits allow only (\d+)",
     lambda m: f"应访 {m[1]} 次、每两次至少相隔 {m[2]} 个工作日，但可拜访的日子只够 {m[3]} 次"),
    (r"(\d+) visit\(s\) due in the week of (\d\d-\d\d), which has no visit block on this month's days",
     lambda m: f"{m[2]} 当周应访 {m[1]} 次，但该周本月的日子没有拜访时段"),
    (r"the timetable has no visit block for this manager this week", lambda m: "本周时间表没有给该客户经理安排拜访时段"),
    (r"it fits on its own, but the days it could go on are full", lambda m: "单独可以安排，但可拜访的日子都已排满"),
    (r"open (\S+)–(\S+); a (\d+)-min visit does not fit the week's visit windows \((.*?)\) after the ride there",
     lambda m: f"营业时间 {m[1]}–{m[2]}；{m[3]} 分钟的拜访加上骑行放不进本周的拜访时段（{_windows(m[4])}）"),
    (r"a (\d+)-min ride from the start of the route; with (\d+) min of service and the ride on, it does not fit "
     r"a visit window of (\d+) min",
     lambda m: f"从路线起点骑行 {m[1]} 分钟；加上 {m[2]} 分钟的拜访和后续骑行，放不进 {m[3]} 分钟的拜访时段"),
    (r"needs (\d+) min between the first-stop, end-of-visiting and block limits \((.*?)\); no day leaves that room",
     lambda m: f"在首家到达、拜访结束和时段的限制之间需要 {m[1]} 分钟（{_windows(m[2])}），没有一天留出这些时间"),
    (r"a (\d+)-min visit is longer than its opening hours (\S+)–(\S+) \((\d+) min\)",
     lambda m: f"{m[1]} 分钟的拜访比营业时间 {m[2]}–{m[3]}（{m[4]} 分钟）还长"),
    (r"a (\d+)-min visit is longer than any visit window of its manager's days \(the longest leaves (\d+) min for "
     r"riding and visiting\)",
     lambda m: f"{m[1]} 分钟的拜访比客户经理任何一天的拜访时段都长（最长的只留出 {m[2]} 分钟骑行和拜访）"),
    (r"no room for it on the focus days \((.+?)\)", lambda m: f"重点日（{_dates(m[1])}）没有空间安排"),
    (r"(\S+) has no visit day in the focus window \(on leave, or no visit block on those days\)",
     lambda m: f"{m[1]} 在重点日没有拜访日（请假，或这些天没有拜访时段）"),
    (r"no visit block this month \(no timetable for the weeks, or other work takes every day\)",
     lambda m: "本月没有拜访时段（各周没有时间表，或其他工作占满每一天）"),
    (r"(\S+) is on leave every working day of the month, and the policy hands no visits to neighbours "
     r"\(\[replan\] handover\)",
     lambda m: f"{m[1]} 本月每个工作日都请假，且政策不把拜访交给邻近的客户经理（[replan] handover）"),
    (r"(\S+) is on leave every working day of the month, and no manager whose territory lies within ([\d.]+) km "
     r"of his is at work in the weeks to make them",
     lambda m: f"{m[1]} 本月每个工作日都请假，辖区在其 {m[2]} 公里内的客户经理这些周也都不在岗，无人代访"),
    (r"no manager whose territory lies within ([\d.]+) km of (\S+)'s is at work that week to make it",
     lambda m: f"辖区在 {m[2]} 的 {m[1]} 公里内的客户经理当周都不在岗，无人代访"),
    (r"(\S+), who makes its visits that week, has no day then with room that keeps its spacing with the other "
     r"visits",
     lambda m: f"当周代访的 {m[1]} 没有既有空间、又与其他拜访保持间隔的日子"),
    (r"(\S+), who makes its visits that week, has no room for it on (.+?), the days then where it keeps its spacing",
     lambda m: f"当周代访的 {m[1]} 在保持间隔的日子（{_dates(m[2])}）没有空间安排"),
    (r"no day of (.+?), who make its visits that week, keeps its spacing with the visits on (.*?)",
     lambda m: f"当周代访的 {_dates(m[1])} 没有一天与已排拜访（{_dates(m[2])}）保持间隔"),
    (r"its day made way for an away manager's key customer", lambda m: "其拜访日让位给请假客户经理的重点客户"),
    (r"(\d+) visit\(s\) called in a phone slot instead of visited in the week\(s\) of (.+?) \(the capacity proposal "
     r"applied: retailers.csv's phone_call_week\)",
     lambda m: f"{_dates(m[2])} 当周的 {m[1]} 次拜访改在电话时段电话拜访（已采纳的产能方案：retailers.csv 的 phone_call_week）"),
)
"""Each phrase the month's reasons are made of (engine/month.py `_why_short`,
`_why_no_visit_day`, `_unplanned`, `_AwayCover`; engine/routing/daily.classify_unvisited)."""

_END = r"(?=; |$)"


def unplanned_detail(detail: str, lang: str) -> str:
    """The unplanned line's reason in the export's language: in Chinese each phrase the
    patterns know, the others in the engine's English; in English the engine's words."""
    if lang != "zh" or not detail:
        return detail
    said: list[str] = []
    lead = ""
    rest = detail
    while rest:
        prefix = next(((m, say) for pattern, say in PREFIXES if (m := re.match(pattern, rest))), None)
        if prefix is not None:
            lead += prefix[1](prefix[0])
            rest = rest[prefix[0].end():]
            continue
        phrase = next(((m, say) for pattern, say in PHRASES if (m := re.match(pattern + _END, rest))), None)
        if phrase is not None:
            text, rest = phrase[1](phrase[0]), rest[phrase[0].end():]
        else:
            text, _, rest = rest.partition("; ")
            rest = "; " + rest if rest else ""
        said.append(lead + text)
        lead = ""
        rest = rest.removeprefix("; ")
    if lead:
        said.append(lead.rstrip("："))
    return "；".join(said)
