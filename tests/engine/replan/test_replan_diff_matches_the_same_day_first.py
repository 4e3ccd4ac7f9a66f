"""The diff matches a manager's old and new blocks of a kind on the same day first
(tester's d549: m03, sick Tue 15:00 to the end of Wed, got "moved lunch Wed→Thu (off
sick)", "moved lunch Thu→Fri, to make room" and "cancelled lunch Fri" though Friday still
had one; a Friday meeting moved to 16:30 read "cancelled"). A daily kind is never moved
to another day; a weekly one still is."""

from __future__ import annotations

import datetime as dt

from engine.domain import Block, Timetable
from engine.replan import read_events
from engine.replan.diff import block_diff
from engine.replan.pairs import Groups
from engine.replan.situation import situation_at
from tests.engine.check.test_replan_checker import MANAGERS, week
from tests.engine.check.test_timetable_checker import MONDAY, TEST_POLICY, make_department

TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
NOW = dt.datetime.combine(MONDAY, dt.time(17, 30))
EVENTS = [{"type": "manager_sick", "manager": "m02", "from": f"{TUESDAY}T08:00", "until": str(TUESDAY)}]


def _rows(manager: str) -> list[tuple[str, str, dt.date, int, dt.date | None, int | None, str]]:
    """m02 is off all Tuesday: his Tuesday is gone and his Wednesday lunch and meeting
    start later; m01's Tuesday maintenance with him moves to Wednesday, alone."""
    situation = situation_at(make_department(MANAGERS), TEST_POLICY, Timetable.model_validate(week()), NOW,
                             read_events(EVENTS))

    def new(b: Block) -> Block | None:
        if b.manager == "m02" and b.date == TUESDAY:
            return None
        if b.manager == "m02" and b.date == WEDNESDAY and b.kind in ("lunch", "meeting"):
            return b.model_copy(update={"start": b.start + 30, "end": b.end + 30})
        if (b.manager, b.date, b.kind) == ("m01", TUESDAY, "maintenance"):
            return b.model_copy(update={"date": WEDNESDAY, "start": 16 * 60 + 20, "end": 17 * 60 + 20, "with_": ()})
        return b

    blocks = [n for b in situation.timetable.blocks if (n := new(b)) is not None]
    diff = block_diff(situation, Groups(members={}, orphans=[]), blocks, ())
    return sorted((c.change, c.kind, c.before.date, c.before.start, c.after.date if c.after else None,
                   c.after.start if c.after else None, c.reason)
                  for d in diff if d.manager == manager for c in d.blocks if c.before is not None)


def test_a_daily_block_is_matched_on_its_own_day_and_never_moved_to_another() -> None:
    rows = {(change, kind, before): (after, start, reason) for change, kind, before, _, after, start, reason
            in _rows("m02")}
    sick = "m02 is off sick from Tue 2024-03-05 08:00"
    assert rows[("cancelled", "lunch", TUESDAY)] == (None, None, sick)
    assert rows[("moved", "lunch", WEDNESDAY)] == (WEDNESDAY, 12 * 60 + 30, "to make room for the changes")
    assert rows[("moved", "meeting", WEDNESDAY)] == (WEDNESDAY, 8 * 60 + 30, "to make room for the changes")
    assert not any(change == "moved" and kind in ("lunch", "meeting", "visit", "phone") and before != after
                   for change, kind, before, _, after, _, _ in _rows("m02"))


def test_a_weekly_block_still_moves_to_another_day() -> None:
    (row,) = [r for r in _rows("m01") if r[1] == "maintenance"]
    assert row[:6] == ("moved", "maintenance", TUESDAY, 13 * 60 + 10, WEDNESDAY, 16 * 60 + 20)
