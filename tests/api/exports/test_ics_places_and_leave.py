"""An outside tester's calendars (/tmp/testK/ics_zh): the site study came with no
LOCATION while the meetings said 办公室, and a manager's leave was not in his calendar at
all (one on leave all week got an empty calendar)."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar, Event

from api.exports.ics import manager_calendar
from api.exports.labels import WORDS, Lang
from engine.domain import Block, Department, Leave, Timetable
from engine.policy import Policy
from tests.api.http.support import WEEK, hand_timetable

ZONE = "Asia/Shanghai"
TUESDAY, THURSDAY = WEEK + dt.timedelta(days=1), WEEK + dt.timedelta(days=3)


def _events(timetable: Timetable, department: Department, policy: Policy, manager: str, lang: Lang) -> list[Event]:
    return list(Calendar.from_ical(manager_calendar(timetable, department, policy, manager, ZONE, lang))
                .walk("VEVENT"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_site_study_has_a_place(department: Department, policy: Policy, lang: Lang) -> None:
    """The department's field slot names no retailer: the policy's place, in words; the
    meeting keeps the office and a site study held at a retailer names the retailer."""
    timetable = hand_timetable(department)
    store = next(r for r in department.retailers if r.manager == "m01")
    studies = (
        Block(manager="m01", date=THURSDAY, kind="site_study", start=780, end=840, **{"with": ("m02",)}),
        Block(manager="m01", date=THURSDAY + dt.timedelta(days=1), kind="site_study", start=780, end=840,
              retailer=store.id),
    )
    timetable = timetable.model_copy(update={"blocks": (*timetable.blocks, *studies)})
    events = _events(timetable, department, policy, "m01", lang)
    places = {(str(e["categories"].cats[0]), e.decoded("dtstart").date()): str(e.get("location")) for e in events}
    assert places[("site_study", THURSDAY)] == {"zh": "外勤", "en": "In the field"}[lang]
    assert places[("site_study", THURSDAY + dt.timedelta(days=1))] == store.name
    assert places[("meeting", WEEK)] == WORDS[lang]["office"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_leave_is_in_the_calendar(department: Department, policy: Policy, lang: Lang) -> None:
    """m02 on leave all week (whole days, all-day events) gets a calendar of his leave, not
    an empty one; m01's hour of leave on Tuesday is an event at its hours."""
    away = department.model_copy(update={"leave": (
        *(Leave(manager="m02", date=WEEK + dt.timedelta(days=n)) for n in range(5)),
        Leave(manager="m01", date=TUESDAY, start=600, end=660),
    )})
    timetable = hand_timetable(away)
    timetable = timetable.model_copy(update={"blocks": tuple(b for b in timetable.blocks if b.manager != "m02")})
    word = {"zh": "请假", "en": "Leave"}[lang]
    m02 = _events(timetable, away, policy, "m02", lang)
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in m02] == [
        (WEEK + dt.timedelta(days=n), WEEK + dt.timedelta(days=n + 1)) for n in range(5)]
    assert all(str(e["summary"]) == word and e["categories"].cats == ["leave"] for e in m02)
    assert all(str(e["transp"]) == "OPAQUE" for e in m02)
    leave = [e for e in _events(timetable, away, policy, "m01", lang) if e["categories"].cats == ["leave"]]
    assert len(leave) == 1 and str(leave[0]["summary"]) == word
    start, end = leave[0].decoded("dtstart"), leave[0].decoded("dtend")
    assert (start.date(), start.time(), end.time()) == (TUESDAY, dt.time(10, 0), dt.time(11, 0))
    assert start.utcoffset() == dt.timedelta(hours=8)
    # each export of the week gives the leave the same UIDs, none a block's
    again = {str(e["uid"]) for e in _events(timetable, away, policy, "m02", lang)}
    assert again == {str(e["uid"]) for e in m02} and len(again) == 5
