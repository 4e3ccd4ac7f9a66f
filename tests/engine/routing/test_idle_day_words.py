"""The note on an empty visit block (`visit_days.idle_day_words`) gives its true reason:
the first-stop time (SPEC §3) only when it is what keeps the day empty, else that the
week's due visits are all made on other days."""

from __future__ import annotations

from engine.routing.daily import field_days
from engine.routing.visit_days import idle_day_words
from tests.engine.routing.line_territory import (
    block,
    first_stop_every_day,
    line_territory,
    retailer,
    timetable,
)


def _week(policy_15_13_7, minutes: dict[str, int]):
    policy = first_stop_every_day(policy_15_13_7)
    blocks = [block("visit", "08:00", "11:00", day=d) for d in range(3)]
    days = field_days(timetable(blocks, policy), policy, "m1")
    shops = {r: retailer(r) for r in minutes}
    return days, shops, line_territory(minutes), policy


def test_an_empty_day_every_due_retailer_could_open_blames_the_few_due_visits(policy_15_13_7):
    """Three shops 3-9 min from the office, each due once, made on Tue and Wed: Monday is
    empty because the week has no more visits, not because of 09:30."""
    days, shops, territory, policy = _week(policy_15_13_7, {"a": 3, "b": 5, "c": 9})
    words = idle_day_words(0, days, [[], ["a", "b"], ["c"]], ["a", "b", "c"], shops, territory, policy)
    assert words is not None
    assert "which only" not in words
    assert "all 3 due visits of the week are made on other days (Tue 2, Wed 1)" in words
    assert "fewer than the week's visit blocks hold" in words
    assert "each of the 3 due retailers could be its first stop by 09:30" in words
    assert "a (3 min from the office) is due 1 time, visited Tue" in words


def test_an_empty_day_only_a_few_retailers_can_open_keeps_the_first_stop_words(policy_15_13_7):
    """`far` (200 min away) cannot be reached by 09:30: the deadline is the cause."""
    days, shops, territory, policy = _week(policy_15_13_7, {"a": 3, "far": 200})
    words = idle_day_words(0, days, [[], ["a"], ["far"]], ["a", "far"], shops, territory, policy)
    assert words is not None
    assert "the first retailer must be reached by 09:30, which only 1 due retailer can be" in words
    assert "fewer than the week's visit blocks hold" not in words
