"""A week whose paired sessions fit nowhere is explained by the windows that leave them no
room, before any search (explain.check_capacity) or beside the rules the solver names
(explain_with_assumptions), in the stores' hours and the policy's own settings (SPEC §5).
The tester's d6 copies: every promotion store open 06:00–08:30 was blamed on "terminal
maintenance is done in pairs" alone; stores open 10:00–12:30 on the visit block and the
pairs, never the hours; a maintenance window 08:00–10:00 beside a visit block starting at
08:00 on "ride between places"."""

from __future__ import annotations

import time
import tomllib
from importlib import resources

from engine.domain import Department
from engine.policy import Policy, load_policy, policy_from_mapping
from engine.timetable.explain import check_capacity, explain_with_assumptions
from engine.timetable.week import build_week
from tests.engine.timetable.short_weeks import MONDAY, department_north


def _stores_open(department: Department, opens: int, closes: int) -> Department:
    return department.model_copy(update={"retailers": tuple(
        r.model_copy(update={"opens": opens, "closes": closes}) if r.promo_store else r
        for r in department.retailers)})


def _conflicts(department: Department, policy: Policy, short_weeks: bool = True) -> list:
    return check_capacity(department, policy, build_week(department, policy, MONDAY), short_weeks=short_weeks)


def test_stores_closed_through_the_paired_window_are_named_with_their_hours() -> None:
    department = _stores_open(department_north({"m1": 0.005, "m2": 0.01}), 6 * 60, 8 * 60 + 30)
    [conflict] = _conflicts(department, load_policy("15-13-7"))
    assert conflict.rules == ("maintenance_pairs", "promotion_pairs", "pairing")
    assert conflict.message.startswith(
        "m1, m2: no paired session fits on any working day: terminal maintenance needs 120 min "
        "(kinds.maintenance) and in-store promotion needs at least 90 min (kinds.promotion) within "
        "08:00–17:00, but no promotion store their groups could use is open long enough in that window: "
        "stores open 06:00–08:30 (m1-")
    assert "opening hours (retailers.csv opens, closes)" in conflict.message


def test_stores_open_only_while_the_visit_block_holds_the_manager_name_both() -> None:
    department = _stores_open(department_north({"m1": 0.005, "m2": 0.01}), 10 * 60, 12 * 60 + 30)
    [conflict] = _conflicts(department, load_policy("15-13-7"), short_weeks=False)
    assert conflict.rules == ("maintenance_pairs", "promotion_pairs", "pairing", "visit_daily")
    assert ("are open only 10:00–12:30 (m1-" in conflict.message
            and "and in those hours the individual visits block (180 min, starting 08:00–09:30, so over by 11:00 at "
                "the earliest) leaves no room for a session before or after it with the 10-min ride between field "
                "places (travel.field_transfer_min)" in conflict.message)


def test_stores_open_long_enough_are_not_named() -> None:
    department = department_north({"m1": 0.005, "m2": 0.01})
    assert _conflicts(department, load_policy("15-13-7")) == []
    # 11:10–12:40 holds a 90-min promotion after the visit block: one paired kind is enough
    assert _conflicts(_stores_open(department, 10 * 60, 12 * 60 + 40), load_policy("15-13-7")) == []


def _maintenance_window_policy() -> Policy:
    data = tomllib.loads((resources.files("fieldweek_policies") / "15-13-7.toml").read_text(encoding="utf-8"))
    data["kinds"]["visit"]["latest_start"] = "08:00"
    data["kinds"]["maintenance"]["latest_end"] = "10:00"
    # Monday's meeting not fixed at 08:00–08:40: it would leave a visit block due at 08:00 no
    # start (explain._daily_block_beside_fixed_slots), a conflict of its own.
    del data["kinds"]["meeting"]["windows"]["mon"]
    return policy_from_mapping(data, "my.toml")


def test_a_kinds_window_beside_the_visit_block_is_named_with_the_solvers_rules() -> None:
    policy = _maintenance_window_policy()
    department = department_north({"m1": 0.005, "m2": 0.01})
    assert _conflicts(department, policy) == []  # promotion still fits: left to the solver
    started = time.perf_counter()
    conflicts = explain_with_assumptions(department, policy, MONDAY, time_limit_s=4)
    assert time.perf_counter() - started < 4
    assert conflicts[0].rules == ("maintenance_pairs", "visit_daily")
    assert conflicts[0].message == (
        "m1, m2: no working day holds a session: terminal maintenance needs 120 min (kinds.maintenance) within "
        "08:00–10:00, but the individual visits block (180 min, starting at 08:00, so over by 11:00 at the "
        "earliest) leaves no room for a session before or after it with the 10-min ride between field places "
        "(travel.field_transfer_min)")
    assert conflicts[-1].message.startswith("these rules cannot all hold this week")


