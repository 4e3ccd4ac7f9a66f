"""One manager's week as an iCalendar file, for the calendar on their phone.

A calendar updates an event it already holds when a file brings the same UID with a
higher SEQUENCE, and removes it only when told (STATUS:CANCELLED). So an event's UID
names the block by what a re-plan keeps (department, week, manager, kind, its place
among the manager's blocks of that kind), not by its time; a re-plan's calendar is sent
with a higher SEQUENCE and cancels the events of the previous plan it no longer has. A
week solved again is a revision too: every revision of a department-week (a solve or a
re-plan) comes with a SEQUENCE above every earlier one's, in the order they were made
(`revision_sequence`), and cancels what the revision before it had; sent at SEQUENCE 0,
a week solved again left a phone with the first solve's times.
Every department has an m01: without the department in the UID, two departments'
calendars imported into one calendar overwrote each other's events."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from api.exports.week import Lang, WeekView
from engine.domain import Block, Department, Timetable
from engine.policy import Policy

if TYPE_CHECKING:  # only named: importing engine.replan would load the re-planner and its solver
    from engine.replan.result import ReplanResult

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
    *,
    previous: Timetable | None = None,
    sequence: int = 0,
) -> bytes:
    """The manager's blocks (lunch left out) and leave as VEVENTs in `timezone`. UIDs depend on the
    blocks' order, not their times, so a calendar updates a moved block in place. With
    `previous` (the plan this one replaces), the events of `previous` this week no longer
    has come as STATUS:CANCELLED; `sequence` must grow with each revision of the week."""
    if sequence < 0:
        raise ValueError(f"an event's SEQUENCE is a whole number 0 or more, not {sequence}")
    view = WeekView(timetable, department, policy, lang)
    zone = ZoneInfo(timezone)
    words = view.words
    calendar = Calendar()
    calendar.add("prodid", "-//fieldweek//timetable//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # PUBLISH: a published schedule, whose STATUS:CANCELLED events calendars remove
    calendar.add("method", "PUBLISH")
    calendar.add(
        "x-wr-calname",
        _plain(f"{view.manager_name(manager_id)} {words['calendar']} {timetable.week_start}"),
    )
    calendar.add("x-wr-timezone", timezone)
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    uids = block_uids(timetable.week_start, view.manager_blocks(manager_id), department.name)
    for block, uid in uids:
        calendar.add_component(_event(view, block, uid, zone, stamp, sequence))
    for event in leave_events(view, manager_id, department.name, zone, stamp, sequence):
        calendar.add_component(event)
    if previous is not None:
        kept = {uid for _, uid in uids}
        before = WeekView(previous, department, policy, lang)
        for block, uid in block_uids(timetable.week_start, before.manager_blocks(manager_id), department.name):
            if uid not in kept:
                event = _event(before, block, uid, zone, stamp, sequence)
                event.add("status", "CANCELLED")
                calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def replan_calendar(
    result: ReplanResult,
    department: Department,
    policy: Policy,
    manager_id: str,
    timezone: str,
    lang: Lang = "zh",
    *,
    previous: Timetable | None = None,
    sequence: int | None = None,
) -> bytes:
    """The manager's re-planned week: the blocks moved or changed update the events the
    previous revision's calendar made, the blocks it no longer has come as
    STATUS:CANCELLED, and every event carries a SEQUENCE above the earlier revisions'.
    Without `previous` and `sequence` (`revision_sequence`), the re-plan is the first of
    its plan: `plan_before` is the previous revision and its `replan_sequence` the SEQUENCE."""
    return manager_calendar(
        result.timetable,
        department,
        policy,
        manager_id,
        timezone,
        lang,
        previous=plan_before(result) if previous is None else previous,
        sequence=revision_sequence([None], result.now) if sequence is None else sequence,
    )


def block_uids(week_start: dt.date, blocks: Iterable[Block], department: str) -> list[tuple[Block, str]]:
    """Each block but lunch with its event's UID: week, manager, kind and the block's
    number among the manager's blocks of that kind in date and time order, and the
    `department` (its name) as `department_tag` writes it. A re-plan that moves a block
    keeps its number (and so its UID); one that drops a block frees the highest number of
    its kind, which the re-plan's calendar cancels."""
    tag = department_tag(department)
    numbered: dict[tuple[str, str], int] = defaultdict(int)
    out = []
    for block in sorted(blocks, key=lambda b: (b.date, b.start, b.end)):
        if block.kind == "lunch":
            continue
        numbered[(block.manager, block.kind)] += 1
        number = numbered[(block.manager, block.kind)]
        out.append((block, f"{week_start}-{block.manager}-{block.kind}-{number}@{tag}.fieldweek"))
    return out


def department_tag(name: str) -> str:
    """The department in a UID: the name's letters and digits in ASCII (readable where
    the name has any) and a digest of the whole name, which tells apart names that differ
    only in other characters (Chinese names have no ASCII at all). The same name always
    gives the same tag, so each export of a plan keeps its UIDs."""
    readable = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24].strip("-")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return f"{readable}-{digest}" if readable else digest


def plan_before(result: ReplanResult) -> Timetable:
    """The plan the re-plan replaced, rebuilt from its diff: the re-planned blocks without
    those the diff says are new (moved, changed, added, cut) and with those it replaced."""
    blocks = list(result.timetable.blocks)
    for manager in result.diff:
        for change in manager.blocks:
            if change.after is not None and change.after in blocks:
                blocks.remove(change.after)
            if change.before is not None:
                blocks.append(change.before)
    return result.timetable.model_copy(update={"blocks": tuple(blocks)})


SEQUENCE_EPOCH = dt.datetime(2000, 1, 1)


def replan_sequence(now: dt.datetime) -> int:
    """The SEQUENCE a re-plan was sent with before revisions were counted in the order
    they were made: minutes from 2000-01-01 to its `now` on the department's clock. It is
    a floor of the re-plan's `revision_sequence`, so calendars already sent stay below."""
    return max(1, int((now.replace(tzinfo=None) - SEQUENCE_EPOCH).total_seconds() // 60))


def revision_sequence(earlier: Iterable[dt.datetime | None], now: dt.datetime | None = None) -> int:
    """A revision's SEQUENCE among the department-week's revisions. `earlier`: the revisions
    made before it, in the order they were made, each a re-plan's `now` or None for a
    solved timetable; `now`: its own when it is a re-plan. Each revision is one above the
    one before it, and never below the number a re-plan was once sent with (its
    `replan_sequence`, counted from its `now`), so a phone that holds any earlier revision
    takes it. Counted from `now` alone, a re-plan made later for an earlier `now` came
    below the one before it, and a phone kept the older re-plan's events."""
    sequence = -1
    for replanned_at in (*earlier, now):
        sent = 0 if replanned_at is None else replan_sequence(replanned_at)
        sequence = max(sequence + 1, sent)
    return sequence


def leave_events(
    view: WeekView, manager_id: str, department: str, zone: ZoneInfo, stamp: dt.datetime, sequence: int
) -> list[Event]:
    """The manager's leave on the week's days as events named 请假 / Leave (category
    `leave`): a whole day as an all-day event, part of a day at its hours. Without them a
    manager on leave all week got an empty calendar, which read as a week with nothing
    planned. Busy (OPAQUE, and out of office for Outlook): the manager cannot be booked
    for work then. The UID names the day and the leave's number that day, so each export
    of the week gives the same UIDs."""
    tag = department_tag(department)
    days = set(view.days)
    spans = sorted(
        (leave for leave in view.department.leave if leave.manager == manager_id and leave.date in days),
        key=lambda leave: (leave.date, -1 if leave.start is None else leave.start),
    )
    numbered: dict[dt.date, int] = defaultdict(int)
    events = []
    for leave in spans:
        numbered[leave.date] += 1
        event = Event()
        event.add("uid", f"{view.timetable.week_start}-{manager_id}-leave-{leave.date}-{numbered[leave.date]}"
                         f"@{tag}.fieldweek")
        event.add("sequence", sequence)
        event.add("dtstamp", stamp)
        if leave.start is None or leave.end is None:
            event.add("dtstart", leave.date)
            event.add("dtend", leave.date + dt.timedelta(days=1))
        else:
            event.add("dtstart", _at(leave.date, leave.start, zone))
            event.add("dtend", _at(leave.date, leave.end, zone))
        event.add("summary", view.words["on_leave"])
        event.add("categories", ["leave"])
        event.add("transp", "OPAQUE")
        event.add("x-microsoft-cdo-busystatus", "OOF")
        events.append(event)
    return events


def _event(
    view: WeekView, block: Block, uid: str, zone: ZoneInfo, stamp: dt.datetime, sequence: int
) -> Event:
    event = Event()
    event.add("uid", _plain(uid))
    event.add("sequence", sequence)
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
    elif rule is not None and rule.group == "department":
        # The whole department's field slot (the site study): the timetable names no place for
        # it, so the policy's word for where it is held; no location read as no place at all.
        event.add("location", view.words["place_field"])
    return event
