"""Every word the exports print, in Chinese and English: one table for the
timetable workbook, the printable page, the calendar, the route map, the Friday
feedback sheet and the month plan (SPEC §7)."""

from __future__ import annotations

from typing import Literal

from engine.policy import Policy

Lang = Literal["zh", "en"]

WEEKDAY_NAMES: dict[Lang, tuple[str, ...]] = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "title": "周工作时间安排表",
        "department": "部门",
        "market_manager": "市场经理",
        "week": "周",
        "policy": "工作模型",
        "status": "求解状态",
        "manager": "客户经理",
        "name": "姓名",
        "time": "时间",
        "hours": "小时",
        "total": "合计",
        "overview": "部门总览",
        "hours_by_kind": "每周时间(小时)",
        "schedule": "日程",
        "with": "同组",
        "at": "地点",
        "duties": "专项职责",
        "duty_unfilled": "人手不足",
        "notes": "说明",
        "shortfalls": "工时缺口",
        "not_owed": "请假，当天不计",
        "owed_column": "是否计入",
        "status_optimal": "最优",
        "status_feasible": "可行",
        "status_infeasible": "无解",
        "status_unknown": "未求得",
        "reason_no_visit_days": "无拜访日",
        "reason_opening_hours": "营业时间不符",
        "reason_too_far": "路程太远",
        "reason_time_window": "时间窗不允许",
        "reason_no_room_in_day": "当天已排满",
        "reason_spacing": "间隔不足",
        "reason_focus_window": "未排入重点日",
        "reason_manager_absent": "客户经理缺勤",
        "reason_called_by_phone": "改为电话拜访",
        "reason_retailer_closed": "门店停业",
        "reason_not_planned": "未排入",
        "office": "办公室",
        "place_field": "外勤",
        "kind": "工作内容",
        "routes": "拜访路线",
        "stops": "拜访点",
        "arrive": "到达",
        "start": "开始",
        "end": "结束",
        "depart": "出发",
        "return": "返回",
        "distance": "距离(公里)",
        "travel": "路上(分钟)",
        "unvisited": "未能拜访",
        "reason": "原因",
        "retailer": "零售户",
        "no_routes": "没有符合条件的路线",
        "map_note": "底图需要联网；上面的路线图不需要。",
        "date": "日期",
        "calendar": "周工作时间安排",
        # the Friday feedback sheet and the month plan
        "sheet_hours": "工作时间实行情况反馈表",
        "sheet_visits": "拜访完成情况",
        "sheet_missed": "未完成拜访",
        "planned_h": "计划(小时)",
        "actual_h": "实际(小时)",
        "deviation_h": "偏差(小时)",
        "deviation_pct": "偏差(%)",
        "flag": "提示",
        "flagged": "需关注",
        "due": "应访",
        "planned": "计划",
        "done": "已访",
        "missed": "未访",
        "extra": "计划外",
        "retailer_name": "零售户名称",
        "planned_date": "计划日期",
        "visits": "次数",
        "sheet_month": "月度拜访计划",
        "sheet_unplanned": "未排拜访",
        "sheet_weeks_short": "周工时缺口",
        "on_leave": "请假",
        "holiday": "节假日",
        "minutes_short": "缺少分钟",
        "required_stops": "每日要求拜访数",
        "visit_order": "拜访顺序",
        "detail": "说明",
    },
    "en": {
        "title": "Weekly work timetable",
        "department": "Department",
        "market_manager": "Market manager",
        "week": "Week",
        "policy": "Policy",
        "status": "Status",
        "manager": "Manager",
        "name": "Name",
        "time": "Time",
        "hours": "h",
        "total": "Total",
        "overview": "Overview",
        "hours_by_kind": "Hours per week",
        "schedule": "Schedule",
        "with": "with",
        "at": "at",
        "duties": "Specialist duties",
        "duty_unfilled": "unfilled",
        "notes": "Notes",
        "shortfalls": "Hours short",
        "not_owed": "not owed that day (leave)",
        "owed_column": "Owed",
        "status_optimal": "optimal",
        "status_feasible": "feasible",
        "status_infeasible": "infeasible",
        "status_unknown": "unknown",
        "reason_no_visit_days": "No visit days",
        "reason_opening_hours": "Opening hours",
        "reason_too_far": "Too far",
        "reason_time_window": "Time window",
        "reason_no_room_in_day": "Days full",
        "reason_spacing": "Spacing",
        "reason_focus_window": "Missed the focus days",
        "reason_manager_absent": "Manager away",
        "reason_called_by_phone": "Called by phone",
        "reason_retailer_closed": "Shop closed",
        "reason_not_planned": "Not planned",
        "office": "Office",
        "place_field": "In the field",
        "kind": "Work",
        "routes": "Visit routes",
        "stops": "Stops",
        "arrive": "Arrive",
        "start": "Start",
        "end": "End",
        "depart": "Depart",
        "return": "Return",
        "distance": "Distance (km)",
        "travel": "Travel (min)",
        "unvisited": "Not visited",
        "reason": "Reason",
        "retailer": "Retailer",
        "no_routes": "No route matches",
        "map_note": "The background map needs internet access; the drawing above does not.",
        "date": "Date",
        "calendar": "work timetable",
        # the Friday feedback sheet and the month plan
        "sheet_hours": "Planned vs actual hours",
        "sheet_visits": "Visits",
        "sheet_missed": "Missed visits",
        "planned_h": "Planned (h)",
        "actual_h": "Actual (h)",
        "deviation_h": "Deviation (h)",
        "deviation_pct": "Deviation (%)",
        "flag": "Flag",
        "flagged": "check",
        "due": "Due",
        "planned": "Planned",
        "done": "Done",
        "missed": "Missed",
        "extra": "Not due",
        "retailer_name": "Retailer name",
        "planned_date": "Planned date",
        "visits": "Visits",
        "sheet_month": "Monthly visit plan",
        "sheet_unplanned": "Visits not planned",
        "sheet_weeks_short": "Weekly hours short",
        "on_leave": "Leave",
        "holiday": "Holiday",
        "minutes_short": "Minutes short",
        "required_stops": "Stops required a day",
        "visit_order": "Visit order",
        "detail": "Detail",
    },
}


def reason_label(words: dict[str, str], code: str) -> str:
    """A closed-vocabulary reason code in the workbook's language, the code beside it (tools
    and the JSON read the code)."""
    label = words.get(f"reason_{code}")
    return f"{label} ({code})" if label else code


def words_for(lang: str) -> dict[str, str]:
    """The labels of `lang`; Chinese for any language without a table."""
    return WORDS["en"] if lang == "en" else WORDS["zh"]


def status_label(words: dict[str, str], status: str) -> str:
    """The solve's status (optimal, feasible, infeasible, unknown) in the words' language."""
    return words.get(f"status_{status}", status)


def policy_title(policy: Policy, lang: str) -> str:
    """The policy's title in `lang`: `title_en` in English (its `name` when it has none, never
    the Chinese title), `title` in Chinese; the name when the policy has no title."""
    return (policy.title_en if lang == "en" else policy.title) or policy.name
