"""One manager's week as an iCalendar file, for the calendar on their phone."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from api.exports.week import Lang, WeekView
from engine.domain import Block, Department, Timetable
from engine.policy import Policy

UNSAFE_IN_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (a line break would start a new calendar line) and lone surrogates."""


def _plain(text: str) -> str:
    """User text as one line of printable text. The loader refuses control characters
    in names already; this keeps any other text from writing its own calendar lines."""
    return UNSAFE_IN_TEXT.sub(" ", text)


def _at(day: dt.date, minutes: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone) + dt.timedelta(minutes=minutes)


def manager_calendar(
    timetable: Timetable,
    department: Department,
    policy: Policy,
    manager_id: str,
    timezone: str,
    lang: Lang = "zh",
) -> bytes:
    """The manager's blocks (lunch left out) as VEVENTs in `timezone`; the UIDs stay the
    same when the same week is exported again, so calendars update instead of duplicating."""
    view = WeekView(timetable, department, policy, lang)
    zone = ZoneInfo(timezone)
    words = view.words
    calendar = Calendar()
    calendar.add("prodid", "-//fieldweek//timetable//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add(
        "x-wr-calname",
        _plain(f"{view.manager_name(manager_id)} {words['calendar']} {timetable.week_start}"),
    )
    calendar.add("x-wr-timezone", timezone)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for block in view.manager_blocks(manager_id):
        if block.kind == "lunch":
            continue
        calendar.add_component(_event(view, block, zone, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(view: WeekView, block: Block, zone: ZoneInfo, stamp: dt.datetime) -> Event:
    event = Event()
    event.add(
        "uid",
        f"{view.timetable.week_start}-{block.manager}-{block.date}-{block.start}-{block.kind}"
        f"@fieldweek",
    )
    event.add("dtstamp", stamp)
    event.add("dtstart", _at(block.date, block.start, zone))
    event.add("dtend", _at(block.date, block.end, zone))
    event.add("summary", _plain(view.label(block.kind)))
    event.add("categories", [_plain(block.kind)])
    details = view.details(block)
    if details:
        event.add("description", "\n".join(_plain(detail) for detail in details))
    retailer = view.retailer(block.retailer)
    rule = view.policy.kinds.get(block.kind)
    if retailer is not None:
        event.add("location", _plain(retailer.name))
        event.add("geo", (retailer.lat, retailer.lon))
    elif rule is not None and rule.place == "office":
        event.add("location", view.words["office"])
    return event
