"""Who matters first (engine/routing/visit_value.py, SPEC §4's 20/80 rule, SPEC §3's focus
window): the policy's value table, and the repair that keeps a key customer over a
small one when a day cannot hold both."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import pytest

from engine.errors import InputError
from engine.policy import policy_from_mapping
from engine.routing.daily import field_days, time_visit_route
from engine.routing.due import DueRetailer
from engine.routing.visit_days import _WeekToPlace, plan_visit_days
from engine.routing.visit_value import (
    Unassigned,
    in_focus_week,
    make_way,
    visit_value,
    visit_values,
)
from tests.engine.routing.line_territory import (
    block,
    day_of,
    first_stop_every_day,
    line_territory,
    retailer,
    timetable,
)

OUTSIDE_FOCUS = dt.date(2026, 11, 23)  # days 23-27
FOCUS_WEEK = dt.date(2026, 12, 7)  # days 7-11 overlap days 6-10


@pytest.fixture(scope="module")
def policy_15_13_7(policy_15_13_7):
    """15-13-7 with 09:30 as the first-stop time of every day (line_territory's days are Mondays)."""
    return first_stop_every_day(policy_15_13_7)


def _shop(rid: str, retailer_class: str, **flags: bool):
    return retailer(rid, service=40).model_copy(update={"retailer_class": retailer_class, **flags})


def _policy_data(name: str = "15-13-7") -> dict:
    text = resources.files("fieldweek_policies").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize("name", ["15-13-7", "seed-003"])
def test_both_shipped_policies_value_a_over_b_over_c(name):
    policy = policy_from_mapping(_policy_data(name))
    values = [visit_value(_shop("x", c), policy, OUTSIDE_FOCUS) for c in ("A", "B", "C", "Z")]
    assert values[0] > values[1] > values[2] == values[3]


def test_flags_raise_the_value_only_in_a_week_overlapping_the_focus_days(policy_15_13_7):
    policy = policy_15_13_7
    plain, flagged = _shop("p", "C"), _shop("f", "C", volatile=True, enterprise=True)
    assert in_focus_week(FOCUS_WEEK, policy) and not in_focus_week(OUTSIDE_FOCUS, policy)
    assert visit_value(flagged, policy, OUTSIDE_FOCUS) == visit_value(plain, policy, OUTSIDE_FOCUS)
    bonus = sum(policy.visit_value.focus_bonus.values())
    assert visit_value(flagged, policy, FOCUS_WEEK) == visit_value(plain, policy, FOCUS_WEEK) + bonus
    # ... and never up to a key customer's value
    assert visit_value(flagged, policy, FOCUS_WEEK) < visit_value(_shop("a", "A"), policy, FOCUS_WEEK)


def test_a_key_class_not_above_every_other_visit_with_its_bonuses_is_refused_with_its_column():
    data = _policy_data()
    data["visit_value"]["by_class"]["A"] = 40  # 30 (B) + 20 + 20 of bonuses is more
    with pytest.raises(InputError) as caught:
        policy_from_mapping(data, "mine.toml")
    (problem,) = caught.value.problems
    assert problem.file == "mine.toml" and problem.column == "visit_value"
    assert "key customers come first" in problem.message


def test_a_key_class_without_a_value_is_refused():
    data = _policy_data()
    data["visit_value"]["key_class"] = "AA"
    with pytest.raises(InputError, match="class 'AA' needs a value"):
        policy_from_mapping(data, "mine.toml")


def test_a_value_below_one_is_refused_with_its_column():
    data = _policy_data()
    data["visit_value"]["other_classes"] = 0
    with pytest.raises(InputError) as caught:
        policy_from_mapping(data, "mine.toml")
    assert [p.column for p in caught.value.problems] == ["visit_value.other_classes"]


def _one_tight_day(policy):
    """One visit block with room for a single 40-min visit."""
    return day_of([block("visit", "08:30", "09:30")], policy)


def test_the_repair_gives_the_c_visits_place_to_the_a_visit(policy_15_13_7):
    policy = policy_15_13_7
    day = _one_tight_day(policy)
    shops = {"a": _shop("a", "A"), "c": _shop("c", "C")}
    territory = line_territory({"a": 5, "c": 5})
    orders = [["c"]]
    left = make_way([Unassigned("a", "no_room_in_day", "the day is full")], [day], orders, shops,
                    territory, policy, visit_values(shops, policy, OUTSIDE_FOCUS))
    assert orders == [["a"]]
    assert time_visit_route(day, orders[0], shops, territory, policy).feasible
    (dropped,) = left
    assert (dropped.retailer, dropped.reason, dropped.date) == ("c", "no_room_in_day", day.date)
    assert "made way on Mon for a (class A" in dropped.detail
    assert "min" in dropped.detail  # the words carry the minutes


def test_the_repair_leaves_an_a_that_fits_no_day_where_it_is(policy_15_13_7):
    policy = policy_15_13_7
    day = _one_tight_day(policy)
    shops = {"a": _shop("a", "A").model_copy(update={"opens": 18 * 60}), "c": _shop("c", "C")}
    territory = line_territory({"a": 5, "c": 5})
    orders = [["c"]]
    closed = Unassigned("a", "opening_hours", "open 18:00-22:00")
    left = make_way([closed], [day], orders, shops, territory, policy,
                    visit_values(shops, policy, OUTSIDE_FOCUS))
    assert orders == [["c"]] and left == [closed]


def test_a_week_that_holds_one_of_two_competing_visits_keeps_the_a(policy_15_13_7):
    policy = policy_15_13_7
    day = _one_tight_day(policy)
    # the C is nearer: on distance alone the solver would keep it
    shops = {"a": _shop("a", "A"), "c": _shop("c", "C")}
    territory = line_territory({"a": 15, "c": 2})
    plan = plan_visit_days("m1", [DueRetailer(shops["c"], 1), DueRetailer(shops["a"], 1)], [day], shops,
                           territory, policy, time_limit_s=0.2,
                           values=visit_values(shops, policy, OUTSIDE_FOCUS))
    assert plan.orders == (("a",),)
    assert [(u.retailer, u.reason) for u in plan.unassigned] == [("c", "no_room_in_day")]


def _late_monday_and_tight_tuesday(policy):
    """Mon's visit block opens 10 min before the first-stop time, too late to reach a shop
    25 min out; Tue's block holds one 40-min visit of a shop 25 min out, with 25 min left."""
    late = day_of([block("visit", "09:20", "12:20")], policy)
    tight = day_of([block("visit", "08:30", "10:00", day=1)], policy)
    return late, tight


def test_a_displaced_visit_is_not_said_to_fit_a_day_it_cannot_open(policy_15_13_7):
    """Made way on Tue, the C fits Mon on its own but only as a later stop, and Mon has
    no first stop: the reason names Tue alone, with the minutes Tue really has left."""
    policy = policy_15_13_7
    monday, tuesday = _late_monday_and_tight_tuesday(policy)
    shops = {"a": _shop("a", "A"), "c": _shop("c", "C")}
    territory = line_territory({"a": 25, "c": 25})
    orders: list[list[str]] = [[], ["c"]]
    left = make_way([Unassigned("a", "no_room_in_day", "the days are full")], [monday, tuesday], orders,
                    shops, territory, policy, visit_values(shops, policy, OUTSIDE_FOCUS))
    assert orders == [[], ["a"]]
    (dropped,) = left
    assert (dropped.retailer, dropped.reason) == ("c", "no_room_in_day")
    # a at 08:55-09:35, visiting ends 10:00: 25 min left, too few for a 40-min visit
    assert ("a 40-min visit plus a ride of 0 min there from a (free from 09:35) and 25 min on to the office "
            "(instead of 25): it would end at 10:15, after visiting ends 10:00, 15 min too late on Tue, the nearest to fitting of the days it fits on (Tue)"
            ) in dropped.detail
    assert "Mon" not in dropped.detail.split("made way on Tue")[1]


def test_a_displaced_visit_goes_to_another_day_that_can_take_it(policy_15_13_7):
    policy = policy_15_13_7
    monday, tuesday = _late_monday_and_tight_tuesday(policy)
    wednesday = day_of([block("visit", "08:30", "10:00", day=2)], policy)
    shops = {"a": _shop("a", "A"), "c": _shop("c", "C")}
    territory = line_territory({"a": 25, "c": 25})
    orders: list[list[str]] = [[], ["c"], []]
    left = make_way([Unassigned("a", "no_room_in_day", "the days are full")], [monday, tuesday, wednesday],
                    orders, shops, territory, policy, visit_values(shops, policy, OUTSIDE_FOCUS))
    assert left == [] and orders == [[], ["a"], ["c"]]


def test_a_visit_kept_out_by_the_first_stop_rule_says_so(policy_15_13_7):
    policy = policy_15_13_7
    monday, _ = _late_monday_and_tight_tuesday(policy)
    shops = {"c": _shop("c", "C")}
    (left,) = make_way([Unassigned("c", "no_room_in_day", "the days are full")], [monday], [[]], shops,
                       line_territory({"c": 25}), policy, visit_values(shops, policy, OUTSIDE_FOCUS))
    assert left.reason == "time_window"
    assert "reached by 09:30" in left.detail and "Mon from 09:20: 25 min" in left.detail


def test_a_far_cluster_of_key_visits_gets_a_day_of_its_own(policy_15_13_7):
    """Two far A shops (70 min out) fit one day together, never beside the near visits of a
    day: the make-way repair, one visit at a time, cannot place them where a near day holds
    C visits; solving the week key visits first gives them a day and leaves the C visits
    out instead (SPEC §4's 20/80 rule)."""
    policy = policy_15_13_7
    days = field_days(timetable([block("visit", "08:00", "11:00"), block("visit", "08:00", "11:00", day=1)],
                                policy), policy, "m1")
    near_a, far_a, near_c = ["n1", "n2", "n3", "n4"], ["f1", "f2"], ["c1", "c2"]
    shops = {r: _shop(r, "A" if r[0] != "c" else "C") for r in near_a + far_a + near_c}
    territory = line_territory({**dict.fromkeys(near_a + near_c, 5), **dict.fromkeys(far_a, 70)})
    values = visit_values(shops, policy, OUTSIDE_FOCUS)
    week = _WeekToPlace(tuple(days), near_a + far_a + near_c, shops, territory, policy, values)
    orders, left = week.repaired([["n1", "n2", "c1"], ["n3", "n4", "c2"]])
    assert week.key_visits_behind(orders, left) == 2, "the repair alone leaves both far A visits out"
    orders, left = week.key_visits_first(orders, left, time_limit_s=0.4, seed=0, backend="pyvrp")
    assert week.key_visits_behind(orders, left) == 0
    assert sorted(r for order in orders for r in order) == sorted(near_a + far_a)
    assert sorted(u.retailer for u in left) == near_c
    assert all(time_visit_route(day, order, shops, territory, policy).feasible for day, order in zip(days, orders, strict=True))


def test_c_visits_stay_when_the_key_visit_left_out_fits_no_day_beside_the_key_visits(policy_15_13_7):
    """Near A shops fill both days; a far A shop fits a day alone but never beside them, with
    or without the C visits (08:05-10:05 three near A visits, then 65 min out: 11:10, after the
    11:00 end). Before, the C visits left the week for it all the same and said "its room went
    to key customers the week still cannot hold (f1)": nothing gained, two visits lost (tester's
    d630h, m08: four C visits out beside 20 free minutes for an A shop no day could hold). SPEC
    §4's 20/80 rule asks room for key customers, and their room is not what keeps it out."""
    policy = policy_15_13_7
    days = field_days(timetable([block("visit", "08:00", "11:00"), block("visit", "08:00", "11:00", day=1)],
                                policy), policy, "m1")
    near_a, far_a, near_c = [f"n{i}" for i in range(6)], ["f1"], ["c1", "c2"]
    shops = {r: _shop(r, "A" if r[0] != "c" else "C") for r in near_a + far_a + near_c}
    territory = line_territory({**dict.fromkeys(near_a + near_c, 5), **dict.fromkeys(far_a, 70)})
    values = visit_values(shops, policy, OUTSIDE_FOCUS)
    week = _WeekToPlace(tuple(days), near_a + far_a + near_c, shops, territory, policy, values)
    orders, left = week.repaired([[*near_a[:3], "c1"], [*near_a[3:], "c2"]])
    assert week.key_visits_behind(orders, left), "the repair leaves a key visit out while C visits are made"
    orders, left = week.least_visits_after_key_visits(orders, left)
    made = {r for order in orders for r in order}
    assert made == set(near_a + near_c)
    assert [u.retailer for u in left] == ["f1"] and "room went" not in left[0].detail
    assert week.key_visits_holding(orders, left) == []
    assert all(time_visit_route(day, order, shops, territory, policy).feasible
               for day, order in zip(days, orders, strict=True))


def test_c_visits_are_held_only_for_a_key_visit_their_room_could_hold(policy_15_13_7):
    """The same far A shop, with a day whose key visits alone leave it room (one near A visit,
    08:05-08:45, then 65 min out: 09:50-10:30): that day's C visits are what keeps it out, and
    the repair gives it their room."""
    policy = policy_15_13_7
    days = field_days(timetable([block("visit", "08:00", "11:00")], policy), policy, "m1")
    shops = {r: _shop(r, "A" if r[0] != "c" else "C") for r in ("n0", "f1", "c1", "c2")}
    territory = line_territory({"n0": 5, "c1": 5, "c2": 5, "f1": 70})
    week = _WeekToPlace(tuple(days), list(shops), shops, territory, policy, visit_values(shops, policy, OUTSIDE_FOCUS))
    orders = [["n0", "c1", "c2"]]
    assert time_visit_route(days[0], orders[0], shops, territory, policy).feasible
    assert week.key_visits_holding(orders, [Unassigned("f1", "no_room_in_day", "stated")]) == ["f1"]
    orders, left = week.least_visits_after_key_visits(orders, [Unassigned("f1", "no_room_in_day", "stated")])
    assert "f1" in orders[0] and "n0" in orders[0]
    assert {u.retailer for u in left} <= {"c1", "c2"}


def test_c_visits_come_back_once_every_key_visit_is_placed(policy_15_13_7):
    """When taking the C visits out lets every key visit in, the C visits are put back
    where room is left."""
    policy = policy_15_13_7
    days = field_days(timetable([block("visit", "08:00", "11:00"), block("visit", "08:00", "11:00", day=1)],
                                policy), policy, "m1")
    near_a, near_c = ["n1", "n2"], ["c1", "c2"]
    shops = {r: _shop(r, "A" if r[0] != "c" else "C") for r in near_a + near_c}
    territory = line_territory(dict.fromkeys(near_a + near_c, 5))
    values = visit_values(shops, policy, OUTSIDE_FOCUS)
    week = _WeekToPlace(tuple(days), near_a + near_c, shops, territory, policy, values)
    orders, left = week.least_visits_after_key_visits(
        [["c1"], ["c2"]], [Unassigned("n1", "no_room_in_day", "stated"), Unassigned("n2", "no_room_in_day", "stated")])
    made = sorted(r for order in orders for r in order)
    assert made == sorted(near_a + near_c) and not left


def test_a_key_visit_whose_hours_another_takes_says_so_and_costs_no_c_visit(policy_15_13_7):
    """Two A shops open only 09:00-09:15 (15-min visits) and one day: one of them can be
    visited. Before, the other was "no room ... N min left" and the C visit was given up
    for it ("its room went to key customers the week still cannot hold"), which bought
    nothing: its hours, not the C, keep it out."""
    policy = policy_15_13_7
    (day,) = field_days(timetable([block("visit", "08:30", "11:30")], policy), policy, "m1")

    def tight(rid: str):
        return retailer(rid, opens="09:00", closes="09:15", service=15).model_copy(update={"retailer_class": "A"})

    shops = {"a0": tight("a0"), "a1": tight("a1"), "c": _shop("c", "C")}
    territory = line_territory({"a0": 10, "a1": 11, "c": 12})
    plan = plan_visit_days("m1", [DueRetailer(s, 1) for s in shops.values()], [day], shops, territory, policy,
                           time_limit_s=0.2, values=visit_values(shops, policy, OUTSIDE_FOCUS))
    (left,) = plan.unassigned
    assert "c" in plan.orders[0] and left.retailer in ("a0", "a1")
    assert left.reason == "opening_hours"
    assert "09:00–09:15" in left.detail and ({"a0", "a1"} - {left.retailer}).pop() in left.detail


def test_the_c_visit_that_alone_opens_a_day_stays_when_c_visits_make_way(policy_15_13_7):
    """Only the C shop near the office side is reached by the first-stop time (09:30 from
    an 08:00 block); the A shops are 91 min out. Before, the C visits all left the days to
    make room for a key visit still out, the day began with an A shop reached at 09:31 and
    the day's route dropped every visit (a generated region department, seed 61, m24: Monday empty, 7 A out)."""
    policy = first_stop_every_day(policy_15_13_7)
    days = field_days(timetable([block("visit", "08:00", "11:00")], policy), policy, "m1")
    key = [f"a{n}" for n in range(4)]
    shops = {"c": retailer("c").model_copy(update={"retailer_class": "C"}),
             **{r: retailer(r, service=25).model_copy(update={"retailer_class": "A"}) for r in key}}
    territory = line_territory({"c": 85, **dict.fromkeys(key, 91)})
    week = _WeekToPlace(tuple(days), ["c", *key], shops, territory, policy,
                        visit_values(shops, policy, OUTSIDE_FOCUS))
    start = [["c", *key[:3]]]
    assert time_visit_route(days[0], start[0], shops, territory, policy).feasible
    orders, left = week.least_visits_after_key_visits(start, [Unassigned("a3", "no_room_in_day", "stated")])
    assert orders == [["c", *key[:3]]]
    assert time_visit_route(days[0], orders[0], shops, territory, policy).feasible
    assert [u.retailer for u in left] == ["a3"]


def _opener_week(policy_15_13_7, second_late: bool):
    """Monday's block starts 08:30 (first stop by 09:30): only `o`, 59 min out, is reached in
    time; the A shops are 70 min out. Tuesday starts at 08:00 (or 08:30 with `second_late`)."""
    policy = first_stop_every_day(policy_15_13_7)
    blocks = [block("visit", "08:30", "11:30"), block("visit", "08:30" if second_late else "08:00", "11:00", day=1)]
    days = field_days(timetable(blocks, policy), policy, "m1")
    key = [f"a{n}" for n in range(8)]
    shops = {"o": retailer("o").model_copy(update={"retailer_class": "B"}),
             **{r: retailer(r, service=25).model_copy(update={"retailer_class": "A"}) for r in key}}
    territory = line_territory({"o": 59, **dict.fromkeys(key, 70)})
    week = _WeekToPlace(tuple(days), ["o", *key], shops, territory, policy, visit_values(shops, policy, OUTSIDE_FOCUS))
    return days, shops, territory, policy, week, key


def test_an_empty_day_only_one_retailer_can_open_is_opened_by_it(policy_15_13_7):
    """The solve put `o` on Tuesday, which any shop opens; Monday stayed empty and the A
    shops it could hold were 'no room' (the same region's third department, m12). `o` moves to open Monday
    and the A shops follow it there."""
    days, shops, territory, policy, week, key = _opener_week(policy_15_13_7, second_late=False)
    orders = [[], ["o", *key[:3]]]
    left = [Unassigned(r, "no_room_in_day", "stated") for r in key[3:]]
    assert all(time_visit_route(d, o, shops, territory, policy).feasible for d, o in zip(days, orders, strict=True))
    orders, left = week.opened(orders, left)
    assert orders[0][0] == "o" and len(orders[0]) > 1 and len(orders[1]) >= 3
    assert all(time_visit_route(d, o, shops, territory, policy).feasible for d, o in zip(days, orders, strict=True))
    assert len(left) < 5


def test_a_day_its_one_opener_cannot_open_says_why_and_the_minutes_lost(policy_15_13_7):
    """Both days start 08:30 and `o`, due once, is the only shop reached by 09:30: one day
    stays empty, and its words name the deadline, the opener, its day and the minutes lost."""
    days, shops, territory, policy, week, _ = _opener_week(policy_15_13_7, second_late=True)
    plan = plan_visit_days("m1", [DueRetailer(s, 1) for s in shops.values()], days, shops, territory, policy,
                           time_limit_s=0.2, values=week.values)
    empty = [n for n, order in enumerate(plan.orders) if not order]
    assert len(empty) == 1
    words = plan.idle[days[empty[0]].date]
    opened = f"{days[1 - empty[0]].date:%a}"
    lost = days[empty[0]].visiting_minutes
    assert f"({lost} min of visiting lost)" in words and "09:30" in words and "o (59 min from the office)" in words
    assert f"visited {opened}" in words


def test_the_visit_that_alone_opens_a_day_does_not_make_way(policy_15_13_7):
    """Only the C shop is reached by 09:30 from an 08:00 block. Before, making way for the A
    took the C out first (the least valuable), the day then had no first stop, so no number
    of B visits out let the A in and it stayed out (dept02, m24: 'at most 8 min left')."""
    policy = first_stop_every_day(policy_15_13_7)
    (day,) = field_days(timetable([block("visit", "08:00", "11:00")], policy), policy, "m1")
    shops = {"c": retailer("c").model_copy(update={"retailer_class": "C"}),
             "a": retailer("a", service=25).model_copy(update={"retailer_class": "A"}),
             **{b: retailer(b, service=25) for b in ("b1", "b2", "b3")}}
    territory = line_territory({"c": 85, "a": 91, "b1": 91, "b2": 91, "b3": 91})
    orders = [["c", "b1", "b2", "b3"]]
    assert time_visit_route(day, orders[0], shops, territory, policy).feasible
    left = make_way([Unassigned("a", "no_room_in_day", "stated")], [day], orders, shops, territory, policy,
                    visit_values(shops, policy, OUTSIDE_FOCUS))
    assert orders[0][0] == "c" and "a" in orders[0]
    assert [u.retailer for u in left if u.retailer.startswith("b")] and "a" not in [u.retailer for u in left]


def test_a_visit_out_beside_an_empty_day_it_cannot_open_does_not_call_the_days_full(policy_15_13_7):
    """Mon stands empty (its block opens 09:20, the shop is 25 min out, first stop by 09:30)
    and Tue is full: the words say Mon is empty and why the shop cannot open it, not that
    the days it could go on are full (tester's d673b: three empty days of a far manager)."""
    policy = policy_15_13_7
    monday, tuesday = _late_monday_and_tight_tuesday(policy)
    shops = {"a": _shop("a", "A"), "c": _shop("c", "C")}
    (left,) = make_way([Unassigned("c", "no_room_in_day", "it fits on its own, but the days it could go on are full")],
                       [monday, tuesday], [[], ["a"]], shops, line_territory({"a": 25, "c": 25}), policy,
                       visit_values(shops, policy, OUTSIDE_FOCUS))
    assert left.reason == "no_room_in_day"
    assert "are full" not in left.detail
    assert left.detail.startswith("it fits on its own, but Mon stands empty and Tue has no room left: ")
    assert left.detail.endswith("it cannot open the empty days: the first retailer must be reached by 09:30; "
                                "the days it would fit on have no other visit and the ride to it from the start "
                                "of the route is too long (Mon from 09:20: 25 min)")
    assert "15 min too late on Tue" in left.detail
