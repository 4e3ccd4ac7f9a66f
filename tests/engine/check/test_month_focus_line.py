"""The month checker's `focus` rule (engine/check/month.py): a retailer visited on a day
of the focus window is not listed `focus_window` (a plan listed one its neighbour had
visited on the window's first day)."""

from __future__ import annotations

import datetime as dt

from engine.check.month import _check_retailer
from engine.policy import Policy
from tests.engine.routing.line_territory import retailer

DECEMBER_7 = dt.date(2026, 12, 7)


def _focus_faults(policy: Policy, dates: list[dt.date], excuses: list[dict]) -> list[str]:
    shop = retailer("a").model_copy(update={"enterprise": True, "visits_per_4_weeks": 4, "manager": "m1"})
    days = [DECEMBER_7 + dt.timedelta(days=n) for n in range(5)]
    found: list[str] = []
    _check_retailer(shop, dates, {DECEMBER_7: 1}, excuses, {d: i for i, d in enumerate(days)}, {DECEMBER_7},
                    policy, lambda rule, message, *_: found.append(f"{rule}: {message}"))
    return [f for f in found if f.startswith("focus")]


def test_a_focus_line_for_a_retailer_visited_in_the_window_is_flagged(policy_15_13_7: Policy) -> None:
    line = {"retailer": "a", "wanted": 1, "planned": 0, "reason": "focus_window", "detail": "no room"}
    assert _focus_faults(policy_15_13_7, [DECEMBER_7], []) == []
    assert _focus_faults(policy_15_13_7, [DECEMBER_7 + dt.timedelta(days=4)], [line]) == []  # 12-11: after
    (fault,) = _focus_faults(policy_15_13_7, [DECEMBER_7], [line])
    assert "listed focus_window, yet visited on 2026-12-07" in fault
